/* `ppm-admin copy` between the engines: SQLite → PostgreSQL → SQLite keeps
 * every row (money, history, passwords, ids), the copy serves requests, and
 * a database that is not empty is refused.  Also: ppm-server refuses a
 * PostgreSQL database it cannot reach.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

/* The member's history as JSON text: the same on every copy. */
static char *
history_of(PpmTestServer *server, const char *token)
{
  g_autoptr(PpmTestResponse) r = ppm_test_call(server, "GET", "/v1/me/transactions", token, NULL);

  ppm_assert_answer(r, 200, NULL);
  return g_strdup(r->body);
}

static void
test_copy_round_trip(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("ppm-copy-XXXXXX", &error);
  g_autofree char *source_uri = NULL;
  g_autofree char *back_uri = NULL;
  g_autofree char *back_path = NULL;
  g_autofree char *source_history = NULL;
  g_autofree char *pg_history = NULL;
  g_autofree char *copied = NULL;
  g_autoptr(PpmTestServer) sqlite = NULL;
  g_autoptr(PpmTestServer) pg = NULL;
  g_autoptr(PpmTestResponse) open = NULL;
  g_autoptr(PpmTestResponse) close = NULL;
  g_autoptr(PpmTestResponse) again = NULL;
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *member_token = NULL;
  g_autofree char *model_token = NULL;
  PpmTestServer view = { 0 };

  g_assert_no_error(error);
  source_uri = g_strdup_printf("sqlite:%s/source.db", dir);
  back_path = g_build_filename(dir, "back.db", NULL);
  back_uri = g_strconcat("sqlite:", back_path, NULL);

  /* A ledger with deposits, charges, earnings and a reversal. */
  sqlite = ppm_test_server_start(source_uri, NULL, &error);
  g_assert_no_error(error);
  ppm_test_pair_init(&pair, sqlite, "model", "member", "12.34");
  open = ppm_test_open(sqlite, &pair, 300000);
  ppm_assert_answer(open, 201, NULL);
  for (int seq = 0; seq < 3; seq++)
    {
      g_autoptr(PpmTestResponse) r
          = ppm_test_charge(sqlite, pair.model_token, ppm_test_string(open, "session_id"), seq);
      ppm_assert_answer(r, 201, NULL);
    }
  /* Ends at 61 s: seq 2 (due at 121 s) is reversed. */
  close = ppm_test_close(sqlite, pair.model_token, ppm_test_string(open, "session_id"),
                         "remote_hangup", 61000);
  ppm_assert_answer(close, 200, NULL);
  g_assert_cmpint(ppm_test_int(close, "reversed.amount_minor"), ==, 200);
  source_history = history_of(sqlite, pair.member_token);

  /* Into a fresh PostgreSQL database (schema made by a first start). */
  pg = ppm_test_server_start(NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(pg->db_uri, "postgresql:"));
  ppm_test_server_stop(pg);
  copied = ppm_test_admin_ok(sqlite, "copy", "--to", pg->db_uri, NULL);
  g_assert_cmpstr(copied, ==, "ok");
  g_assert_null(ppm_test_admin(sqlite, NULL, &error, "copy", "--to", pg->db_uri, NULL));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "not empty"));
  g_clear_error(&error);

  g_assert_true(ppm_test_server_restart(pg, &error));
  g_assert_no_error(error);
  ppm_test_verify(pg);
  g_assert_cmpint(ppm_test_balance(pg, pair.member_email), ==, 1234 - 400);
  g_assert_cmpint(ppm_test_balance(pg, pair.model_email), ==,
                  ppm_test_balance(sqlite, pair.model_email));
  /* Passwords came along, and the history is the same to the byte. */
  member_token = ppm_test_login(pg, pair.member_email);
  pg_history = history_of(pg, member_token);
  g_assert_cmpstr(pg_history, ==, source_history);

  /* New rows continue after the copied ids: the copy takes new sessions. */
  model_token = ppm_test_login(pg, pair.model_email);
  g_free(pair.model_token);
  pair.model_token = g_steal_pointer(&model_token);
  again = ppm_test_open(pg, &pair, 300000);
  ppm_assert_answer(again, 201, NULL);
  {
    g_autoptr(PpmTestResponse) r
        = ppm_test_charge(pg, pair.model_token, ppm_test_string(again, "session_id"), 0);
    ppm_assert_answer(r, 201, NULL);
  }
  ppm_test_verify(pg);

  /* And back into SQLite, with the server paused: the copy holds that last
   * charge and its fee, and both databases verify. */
  ppm_test_server_pause(pg);
  ppm_test_verify(pg);
  g_free(copied);
  copied = ppm_test_admin_ok(pg, "copy", "--to", back_uri, NULL);
  g_assert_cmpstr(copied, ==, "ok");
  ppm_test_verify(pg);
  view.db_uri = back_uri;
  ppm_test_verify(&view);
  g_assert_cmpint(ppm_test_balance(&view, pair.member_email), ==,
                  ppm_test_balance(pg, pair.member_email));
  ppm_test_server_resume(pg);

  g_remove(back_path);
  {
    g_autofree char *source_path = g_build_filename(dir, "source.db", NULL);
    g_autofree char *wal = g_strconcat(source_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat(source_path, "-shm", NULL);

    ppm_test_server_free(g_steal_pointer(&sqlite));
    g_remove(source_path);
    g_remove(wal);
    g_remove(shm);
  }
  g_rmdir(dir);
}

static void
test_unreachable_database(void)
{
  const char *server_bin = g_getenv("PPM_SERVER_BIN");
  g_autofree char *uri = g_strdup_printf("postgresql:///no_such_database?host=%s&user=postgres",
                                         g_getenv("PPM_TEST_PG_HOST"));
  const char *argv[] = { server_bin, "--db", uri, "--listen", "127.0.0.1:1", NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_nonnull(server_bin);
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, &err, &status, &error));
  g_assert_no_error(error);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 1);
  /* One line that says why. */
  g_assert_nonnull(strstr(err, "no_such_database"));
  g_assert_null(strchr(g_strchomp(err), '\n'));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/copy-round-trip", test_copy_round_trip);
  g_test_add_func("/pg/unreachable-database", test_unreachable_database);
  return g_test_run();
}
