/* SQL straight on a test server's PostgreSQL database, for what the API does
 * not show (schema, statistics) or to break it on purpose. */
#pragma once

#include "ppm-test-api.h"

/* Runs `sql` with psql on the server's database and asserts that it
 * succeeded.  Returns its unaligned, tuples-only output without the trailing
 * newline. */
char *ppm_pg_test_psql(PpmTestServer *server, const char *sql);
