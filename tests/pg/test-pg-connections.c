/* ppm-server's pool of PostgreSQL connections when the database closes them
 * (a restart, an administrator's pg_terminate_backend): the next requests
 * get fresh connections instead of failing.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

static void
test_terminated_backends(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL;

  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(server->db_uri, "postgresql:"));
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(PpmTestResponse) r
          = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
      ppm_assert_answer(r, 200, NULL);
    }

  /* Every connection ppm-server holds is closed by the database. */
  g_free(ppm_test_server_sql(server,
                             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  g_usleep(200 * 1000);

  for (int i = 0; i < 5; i++)
    {
      g_autoptr(PpmTestResponse) r
          = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
      ppm_assert_answer(r, 200, NULL);
    }
  open = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(open, 201, NULL);
  {
    g_autoptr(PpmTestResponse) r
        = ppm_test_charge(server, pair.model_token, ppm_test_string(open, "session_id"), 0);
    ppm_assert_answer(r, 201, NULL);
  }
  ppm_test_verify(server);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/connections/terminated-backends", test_terminated_backends);
  return g_test_run();
}
