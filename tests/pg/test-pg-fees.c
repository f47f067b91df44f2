/* platform:fees on PostgreSQL: charges post their fee as pending entries and
 * the server's one-second tick adds them to the wallet.  A close that
 * reverses several charges posts several negative fees in one transaction,
 * so one fold adds up a batch whose running total goes down: the wallet must
 * end at the sum, not at the largest running total.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

static void
test_fold_after_reversals(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL;
  g_autoptr(PpmTestResponse) close = NULL;
  const char *session_id;

  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(server->db_uri, "postgresql:"));
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  /* Backdated 300 s: charges 0 to 4 are due at once (period 60 s). */
  open = ppm_test_open(server, &pair, 300000);
  ppm_assert_answer(open, 201, NULL);
  session_id = ppm_test_string(open, "session_id");
  for (int seq = 0; seq < 5; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, session_id, seq);
      ppm_assert_answer(r, 201, NULL);
    }
  /* Ends at 1 s: charges 1 to 4 (due at 61 s and later) are reversed. */
  close = ppm_test_close(server, pair.model_token, session_id, "local_hangup", 1000);
  ppm_assert_answer(close, 200, NULL);
  g_assert_cmpint(ppm_test_int(close, "reversed.amount_minor"), ==, 4 * 200);

  /* Before and after the tick has folded the pending fees. */
  ppm_test_verify(server);
  g_usleep(2500 * 1000);
  ppm_test_verify(server);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - 200);
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 200 - 40);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/fees/fold-after-reversals", test_fold_after_reversals);
  return g_test_run();
}
