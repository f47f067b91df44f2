/* A ppm-server whose wall clock the test moves forward, for token lifetimes
 * and throttling windows that last minutes or days.  The server runs under
 * libfaketime (Debian's faketime package) reading its offset from a file on
 * every clock read; its monotonic clock is left alone.  On PostgreSQL
 * (PPM_TEST_PG_HOST) only when the cluster's postgres reads an offset file
 * too (PPM_TEST_PG_FAKETIME_FILE, with-pg-cluster): both then move. */
#pragma once

#include "ppm-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  PpmTestServer *server;
  char *dir; /* the offset file and the SQLite database */
  char *offset_file;
  gint64 offset_s;
} SecClockServer;

/* NULL and G_IO_ERROR_NOT_SUPPORTED when faketime is not installed. */
SecClockServer *sec_clock_server_start(const char *const *args, GError **error);
/* Stops the server and starts it again, still under libfaketime. */
gboolean sec_clock_server_restart(SecClockServer *clock, GError **error);
/* Moves the server's wall clock `seconds` further ahead. */
void sec_clock_server_advance(SecClockServer *clock, gint64 seconds);
void sec_clock_server_free(SecClockServer *clock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SecClockServer, sec_clock_server_free)

G_END_DECLS
