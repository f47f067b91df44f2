/* Schema migrations over real ppm-server and ppm-admin processes, on SQLite
 * or (with PPM_TEST_PG_HOST) PostgreSQL: servers starting at once migrate a
 * database once; a schema newer than the programs' is refused and left as it
 * is; with --no-migrate an older one is refused until ppm-admin migrate. */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ppm-test-api.h"

static gboolean
on_postgresql(PpmTestServer *server)
{
  return g_str_has_prefix(server->db_uri, "postgresql:");
}

static const char *
version_table(PpmTestServer *server)
{
  return on_postgresql(server) ? "ppm_schema_version" : "schema_version";
}

/* A stopped server whose database is empty (no schema at all). */
static PpmTestServer *
empty_database(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);

  g_assert_no_error(error);
  ppm_test_server_stop(server);
  if (on_postgresql(server))
    g_free(ppm_test_server_sql(server, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"));
  else
    for (const char *const *suffix = (const char *const[]){ "", "-wal", "-shm", NULL }; *suffix;
         suffix++)
      {
        g_autofree char *file = g_strconcat(server->db_uri + strlen("sqlite:"), *suffix, NULL);
        g_remove(file);
      }
  return g_steal_pointer(&server);
}

/* A ppm-server on `db_uri`, with `extra` (an option, or NULL), started
 * without waiting for it; its stderr goes to `log`. */
static GPid
spawn_server(const char *db_uri, const char *extra, const char *log)
{
  g_autofree char *db = g_strconcat("--db=", db_uri, NULL);
  const char *argv[] = { g_getenv("PPM_SERVER_BIN"), db, "--listen-fd=3", extra, NULL };
  g_autoptr(GError) error = NULL;
  guint16 port = 0;
  int listen_fd = ppm_test_listen(&port, &error);
  int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  GPid pid;

  g_assert_no_error(error);
  g_assert_cmpint(fd, >=, 0);
  g_spawn_async_with_pipes_and_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, fd,
                                   fd, &listen_fd, (const int[]){ 3 }, 1, &pid, NULL, NULL, NULL,
                                   &error);
  close(fd);
  close(listen_fd);
  g_assert_no_error(error);
  return pid;
}

/* Waits until the server logged that it listens (fails if it exits first),
 * then stops it and asserts a clean exit. */
static void
assert_serves_then_stop(GPid pid, const char *log)
{
  int status;

  for (;;)
    {
      g_autofree char *text = NULL;

      g_assert_cmpint(waitpid(pid, &status, WNOHANG), ==, 0);
      if (g_file_get_contents(log, &text, NULL, NULL) && strstr(text, "listening on") != NULL)
        break;
      g_usleep(20000);
    }
  kill(pid, SIGTERM);
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  g_spawn_close_pid(pid);
}

/* ppm-server with `extra` exits 1 with one line that says `words`. */
static void
assert_server_refuses(PpmTestServer *server, const char *extra, const char *words)
{
  g_autofree char *log = g_build_filename(server->dir, "refused.log", NULL);
  g_autofree char *text = NULL;
  GPid pid = spawn_server(server->db_uri, extra, log);
  int status;

  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_spawn_close_pid(pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 1);
  g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
  g_assert_true(strchr(text, '\n') == text + strlen(text) - 1);
  if (strstr(text, words) == NULL)
    g_error("expected \"%s\" in: %s", words, text);
}

/* One row per version, each written once. */
static void
assert_migrated_once(PpmTestServer *server)
{
  g_autofree char *sql = g_strdup_printf(
      "SELECT CASE WHEN count(*) = max(version) AND count(DISTINCT version) = count(*) "
      "THEN 'once' ELSE 'not once' END FROM %s",
      version_table(server));

  ppm_test_server_assert_sql(server, sql, "once");
}

/* Two servers started at once on an empty database both come up, and the
 * schema is migrated once. */
static void
test_servers_start_together(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) empty = empty_database();
  g_autofree char *log = g_build_filename(empty->dir, "second.log", NULL);
  GPid second = spawn_server(empty->db_uri, NULL, log);
  g_autoptr(PpmTestServer) first = ppm_test_server_start(empty->db_uri, NULL, &error);
  g_autofree char *versions = NULL, *version = NULL;

  g_assert_no_error(error);
  assert_serves_then_stop(second, log);
  assert_migrated_once(empty);
  versions = g_strdup_printf("SELECT max(version) FROM %s", version_table(empty));
  version = ppm_test_server_sql(empty, versions);
  g_assert_cmpint(g_ascii_strtoll(version, NULL, 10), >=, 4);
  ppm_test_user(first, "ann@example.org", "member");
  g_assert_cmpint(ppm_test_balance(first, "ann@example.org"), ==, 0);
}

/* What a refusal must leave as it was: the tables, and the version rows
 * when there are any. */
static char *
fingerprint(PpmTestServer *server)
{
  gboolean pg = on_postgresql(server);
  g_autofree char *tables = ppm_test_server_sql(
      server, pg ? "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') "
                   "FROM pg_tables WHERE schemaname = 'public'"
                 : "SELECT coalesce(group_concat(name, ','), '') "
                   "FROM (SELECT name FROM sqlite_master ORDER BY name)");
  g_autofree char *sql = NULL, *versions = NULL;

  if (strstr(tables, version_table(server)) == NULL)
    return g_steal_pointer(&tables);
  sql = g_strdup_printf(pg ? "SELECT string_agg(version::text, ',' ORDER BY version) FROM %s"
                           : "SELECT group_concat(version, ',') "
                             "FROM (SELECT version FROM %s ORDER BY version)",
                        version_table(server));
  versions = ppm_test_server_sql(server, sql);
  return g_strconcat(tables, ";", versions, NULL);
}

static void
assert_error_says(GError *error, const char *words)
{
  g_assert_nonnull(error);
  if (strstr(error->message, words) == NULL)
    g_error("expected \"%s\" in: %s", words, error->message);
}

static void
test_newer_schema_refused(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autofree char *newer = NULL, *before = NULL, *after = NULL, *out = NULL;

  g_assert_no_error(error);
  ppm_test_user(server, "ann@example.org", "member");
  ppm_test_server_stop(server);
  newer = g_strdup_printf("INSERT INTO %s VALUES (999)", version_table(server));
  g_free(ppm_test_server_sql(server, newer));
  before = fingerprint(server);

  assert_server_refuses(server, NULL, "schema version 999 is newer than this program's");
  for (const char *const *command = (const char *const[]){ "migrate", "verify", NULL }; *command;
       command++)
    {
      out = ppm_test_admin(server, NULL, &error, *command, NULL);
      g_assert_null(out);
      assert_error_says(error, "schema version 999 is newer than this program's");
      g_clear_error(&error);
    }
  out = ppm_test_admin(server, NULL, &error, "--version", NULL);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(out, "ppm-admin "));

  after = fingerprint(server);
  g_assert_cmpstr(after, ==, before);
}

/* An older schema: SQLite's version 1 as it shipped (with a member), on
 * PostgreSQL an empty database. */
static PpmTestServer *
older_database(int *from)
{
  g_autoptr(PpmTestServer) server = empty_database();
  g_autofree char *schema_path = NULL, *schema = NULL, *sql = NULL;

  *from = 0;
  if (on_postgresql(server))
    return g_steal_pointer(&server);
  schema_path = g_build_filename(g_getenv("PPM_SQLITE_SCHEMA_DIR"), "schema-1.sql", NULL);
  g_assert_true(g_file_get_contents(schema_path, &schema, NULL, NULL));
  /* Not starting with the file's "--" comment: sqlite3 would take it for an
   * option. */
  sql = g_strconcat("BEGIN;\n", schema,
                    "CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT;"
                    "INSERT INTO schema_version VALUES (1);"
                    "INSERT INTO meta VALUES ('currency', 'USD');"
                    "COMMIT;",
                    NULL);
  g_free(ppm_test_server_sql(server, sql));
  *from = 1;
  return g_steal_pointer(&server);
}

static void
test_no_migrate_then_admin_migrate(void)
{
  g_autoptr(GError) error = NULL;
  int from;
  g_autoptr(PpmTestServer) old = older_database(&from);
  g_autoptr(PpmTestServer) server = NULL;
  g_autofree char *before = fingerprint(old);
  g_autofree char *out = NULL, *expected = NULL, *now = NULL, *versions = NULL;
  g_autofree char *conf = NULL, *config = NULL;

  assert_server_refuses(old, "--no-migrate", "run ppm-admin migrate");
  /* The same from the settings file. */
  conf = g_build_filename(old->dir, "ppm-server.conf", NULL);
  config = g_strconcat("--config=", conf, NULL);
  g_assert_true(g_file_set_contents(conf, "[ppm-server]\nno-migrate=true\n", -1, NULL));
  assert_server_refuses(old, config, "run ppm-admin migrate");
  now = fingerprint(old);
  g_assert_cmpstr(now, ==, before);

  out = ppm_test_admin_ok(old, "migrate", NULL);
  versions = g_strdup_printf("SELECT max(version) FROM %s", version_table(old));
  g_free(now);
  now = ppm_test_server_sql(old, versions);
  expected = g_strdup_printf("schema migrated from version %d to %s", from, now);
  g_assert_cmpstr(out, ==, expected);
  assert_migrated_once(old);

  server = ppm_test_server_start(old->db_uri, (const char *[]){ "--no-migrate", NULL }, &error);
  g_assert_no_error(error);
  ppm_test_user(server, "ann@example.org", "member");
  g_free(out);
  g_free(expected);
  out = ppm_test_admin_ok(server, "migrate", NULL);
  expected = g_strdup_printf("schema already at version %s", now);
  g_assert_cmpstr(out, ==, expected);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/migrate/servers-start-together", test_servers_start_together);
  g_test_add_func("/server/migrate/newer-schema-refused", test_newer_schema_refused);
  g_test_add_func("/server/migrate/no-migrate-then-admin-migrate",
                  test_no_migrate_then_admin_migrate);
  return g_test_run();
}
