/* A real ppm-server for tests: started with a database in a fresh temporary
 * directory, on a 127.0.0.1 port the kernel picks, whose listening socket the
 * fixture binds and hands over (--listen-fd); stopped by its PID.
 *
 * The programs are found through the environment variables PPM_SERVER_BIN and
 * PPM_ADMIN_BIN, which meson sets for every test that uses this fixture.
 *
 * With PPM_TEST_PG_HOST set (the socket directory of a trust-auth cluster
 * whose superuser is postgres) and db_uri NULL, each server gets a fresh
 * PostgreSQL database there instead of a SQLite file.  A server dies with
 * the thread that started it (start and restart it from the test's thread),
 * and ppm_test_server_stop() fails the running test when the server does
 * not exit cleanly (status 0) on SIGTERM.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GPid pid; /* 0 while stopped */
  guint16 port;
  char *url;      /* "http://127.0.0.1:PORT" */
  char *dir;      /* temporary directory, removed by ppm_test_server_free() */
  char *db_uri;   /* "sqlite:DIR/ppm.db" unless the caller chose another */
  char *log_path; /* the server's stderr, kept as a test artifact */
  GStrv args;     /* extra ppm-server arguments, reused on restart */
} PpmTestServer;

/* A socket listening on 127.0.0.1:*port (0: one the kernel picks; *port gets
 * it), for ppm-server --listen-fd: no other program can take the port
 * between its choice and the server's start.  -1 and `error` otherwise. */
int ppm_test_listen(guint16 *port, GError **error);

/* Starts ppm-server with `extra_args` (NULL-terminated, may be NULL) added to
 * --db and --listen-fd, and waits until GET /healthz answers 200.  `db_uri` NULL
 * means a fresh SQLite file in the server's own temporary directory. */
PpmTestServer *ppm_test_server_start(const char *db_uri, const char *const *extra_args,
                                     GError **error);

/* SIGTERM, then waits for the process to exit. */
void ppm_test_server_stop(PpmTestServer *server);
/* SIGKILL, then reaps the process. */
void ppm_test_server_kill(PpmTestServer *server);
/* SIGSTOP / SIGCONT. */
void ppm_test_server_pause(PpmTestServer *server);
void ppm_test_server_resume(PpmTestServer *server);
/* Starts the server again on the same port (bound again, so that the stopped
 * server refused connections) and database; waits for /healthz. */
gboolean ppm_test_server_restart(PpmTestServer *server, GError **error);
/* Stops the server if it runs and removes its directory. */
void ppm_test_server_free(PpmTestServer *server);
/* Removes a temporary directory of plain files (no subdirectories). */
void ppm_test_dir_remove(const char *path);

/* Runs `ppm-admin --db DB_URI ARGS...` with `stdin_text` (may be NULL) on its
 * standard input.  Returns its stdout without the trailing newline on exit 0;
 * otherwise NULL and an error carrying its stderr. */
char *ppm_test_admin(PpmTestServer *server, const char *stdin_text, GError **error,
                     const char *first_arg, ...) G_GNUC_NULL_TERMINATED;

/* Runs `sql` on the server's database with the engine's own client (sqlite3
 * or psql) and fails the running test unless it succeeds.  Returns its output,
 * columns separated by '|', without the trailing newline; for what the API
 * does not show, or to break the database on purpose. */
char *ppm_test_server_sql(PpmTestServer *server, const char *sql);
/* Fails the running test unless ppm_test_server_sql(`sql`) prints `expected`. */
void ppm_test_server_assert_sql(PpmTestServer *server, const char *sql, const char *expected);
/* How many times the server's log says `words` so far. */
guint ppm_test_server_log_count(PpmTestServer *server, const char *words);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmTestServer, ppm_test_server_free)

G_END_DECLS
