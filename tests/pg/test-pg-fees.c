/* platform:fees on PostgreSQL.  A batch of charges posts their fees in one
 * update of the wallet, as its last write; a close that reverses several
 * charges posts several negative fees in one transaction.  Either way the
 * wallet is at once the sum of its entries, and the fee entries' balances
 * after follow each other in entry order.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

/* The first fee entry, in entry order, whose balance after is not the one
 * before plus its amount; empty when there is none. */
#define BROKEN_FEE_ENTRY                                                                           \
  "SELECT id FROM (SELECT e.id, e.balance_after_minor - e.amount_minor AS before, "                \
  "lag(e.balance_after_minor, 1, 0::bigint) OVER (ORDER BY e.id) AS previous "                     \
  "FROM entries e JOIN wallets w ON w.id = e.wallet_id WHERE w.name = 'platform:fees') f "         \
  "WHERE before <> previous ORDER BY id LIMIT 1"
#define FEES_BALANCE "SELECT balance_minor FROM wallets WHERE name = 'platform:fees'"

static void
assert_fees(PpmTestServer *server, const char *expected_balance)
{
  g_autofree char *balance = ppm_test_server_sql(server, FEES_BALANCE);
  g_autofree char *broken = ppm_test_server_sql(server, BROKEN_FEE_ENTRY);

  g_assert_cmpstr(balance, ==, expected_balance);
  g_assert_cmpstr(broken, ==, "");
  ppm_test_verify(server);
}

static void
test_posted_with_charges_and_reversals(void)
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
  /* 5 charges of 2.00, a fee of 0.40 each, in the wallet with no wait. */
  assert_fees(server, "200");

  /* Ends at 1 s: charges 1 to 4 (due at 61 s and later) are reversed. */
  close = ppm_test_close(server, pair.model_token, session_id, "local_hangup", 1000);
  ppm_assert_answer(close, 200, NULL);
  g_assert_cmpint(ppm_test_int(close, "reversed.amount_minor"), ==, 4 * 200);
  assert_fees(server, "40");
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - 200);
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 200 - 40);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/fees/posted-with-charges-and-reversals",
                  test_posted_with_charges_and_reversals);
  return g_test_run();
}
