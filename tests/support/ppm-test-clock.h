/* A ppm-server whose wall clock the test moves forward, for session expiry,
 * token lifetimes and throttling windows that last minutes or days, without
 * waiting for them.  The server runs under libfaketime (Debian's faketime
 * package) reading its offset from a file on every clock read; its monotonic
 * clock is left alone.  On PostgreSQL (PPM_TEST_PG_HOST) only when the
 * cluster's postgres reads an offset file too (PPM_TEST_PG_FAKETIME_FILE,
 * tests/pg/with-pg-cluster with PPM_PG_FAKETIME=1): both then move; else the
 * server runs on SQLite.  The moved clock still runs at the real pace. */
#pragma once

#include "ppm-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  PpmTestServer *server;
  char *dir; /* the offset file and the SQLite database */
  char *offset_file;
  gint64 offset_s;
} PpmTestClock;

/* Starts ppm-server with `args` (see ppm_test_server_start()) on a clock at
 * offset 0.  NULL and G_IO_ERROR_NOT_SUPPORTED when faketime is not
 * installed. */
PpmTestClock *ppm_test_clock_start(const char *const *args, GError **error);
/* Stops the server and starts it again, still under libfaketime. */
gboolean ppm_test_clock_restart(PpmTestClock *clock, GError **error);
/* Moves the server's wall clock `seconds` further ahead. */
void ppm_test_clock_advance(PpmTestClock *clock, gint64 seconds);
void ppm_test_clock_free(PpmTestClock *clock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmTestClock, ppm_test_clock_free)

G_END_DECLS
