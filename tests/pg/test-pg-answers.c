/* The stored answers of open, charge and close are the same bytes on both
 * engines: SQLite builds them with ppm_answer_*() (server/store/ppm-answers.c),
 * PostgreSQL builds the charge and close bodies in SQL (ppm_charge_try() and
 * ppm_close() in server/store/pg/functions.sql), inside the transaction that
 * stores them.  One sequence of requests runs on a server of each engine;
 * every body, first answers and replays, must match, the session's id aside.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

#include <string.h>

/* Not ASCII, and with a path: the rate_url's escaping is compared too. */
#define PUBLIC_URL "https://ppm.example/k\xc3\xa4se"

/* Adds the response's body to `bodies`, the session's id replaced by
 * "SESSION". */
static void
keep(GPtrArray *bodies, PpmTestResponse *response, guint status, const char *session_id)
{
  g_auto(GStrv) parts = NULL;

  ppm_assert_answer(response, status, NULL);
  parts = g_strsplit(response->body, session_id, -1);
  g_ptr_array_add(bodies, g_strjoinv("SESSION", parts));
}

/* Opens a session of the pair with `elapsed_ms` and takes charges 0 to
 * `charges` − 1; its id. */
static char *
open_and_charge(PpmTestServer *server, PpmTestPair *pair, gint64 elapsed_ms, int charges,
                GPtrArray *bodies)
{
  g_autoptr(PpmTestResponse) open = ppm_test_open(server, pair, elapsed_ms);
  char *id = g_strdup(ppm_test_string(open, "session_id"));

  keep(bodies, open, 201, id);
  for (int seq = 0; seq < charges; seq++)
    {
      g_autoptr(PpmTestResponse) charge = ppm_test_charge(server, pair->model_token, id, seq);
      keep(bodies, charge, 201, id);
    }
  return id;
}

/* A session opened 300 s into its call (five charges due), its five charges
 * and a replay, a close at 180 s (the last two reversed) and its replay;
 * then a second session that drains the member's funds, opened 120 s into
 * its call: after the first one's standing charges, so with no shift. */
static void
run_sequence(PpmTestServer *server, GPtrArray *bodies)
{
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *second_id = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "12.34");
  id = open_and_charge(server, &pair, 300000, 5, bodies);
  {
    g_autoptr(PpmTestResponse) replay = ppm_test_charge(server, pair.model_token, id, 2);
    keep(bodies, replay, 201, id);
  }
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(PpmTestResponse) close
          = ppm_test_close(server, pair.model_token, id, "remote_hangup", 180000);
      keep(bodies, close, 200, id);
    }
  second_id = open_and_charge(server, &pair, 120000, 3, bodies);
  {
    g_autoptr(PpmTestResponse) close
        = ppm_test_close(server, pair.model_token, second_id, "local_hangup", 180000);
    keep(bodies, close, 200, second_id);
  }
}

static void
test_same_bytes(void)
{
  const char *const args[] = { "--public-url", PUBLIC_URL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(PpmTestServer) pg = NULL;
  g_autoptr(PpmTestServer) sqlite = NULL;
  g_autoptr(GPtrArray) on_sqlite = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) on_pg = g_ptr_array_new_with_free_func(g_free);

  pg = ppm_test_server_start(NULL, args, &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(pg->db_uri, "postgresql:"));
  /* In the PostgreSQL server's directory, removed with it. */
  uri = g_strdup_printf("sqlite:%s/answers.db", pg->dir);
  sqlite = ppm_test_server_start(uri, args, &error);
  g_assert_no_error(error);

  run_sequence(sqlite, on_sqlite);
  run_sequence(pg, on_pg);
  g_assert_cmpuint(on_pg->len, ==, on_sqlite->len);
  for (guint i = 0; i < on_sqlite->len; i++)
    g_assert_cmpstr(on_pg->pdata[i], ==, on_sqlite->pdata[i]);
  /* The sequence moved money both ways: a reversal and a drained wallet. */
  g_assert_nonnull(strstr(on_sqlite->pdata[7], "\"reversed\":{\"amount_minor\":400"));
  g_assert_nonnull(strstr(on_sqlite->pdata[12], "\"member_balance_periods\":0"));

  ppm_test_server_free(g_steal_pointer(&sqlite));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/answers/same-bytes-on-both-engines", test_same_bytes);
  return g_test_run();
}
