/* platform:fees on PostgreSQL.  A batch of charges posts their fees in one
 * update of the wallet, as its last write; a close that reverses several
 * charges posts several negative fees in one transaction.  Either way the
 * wallet is at once the sum of its entries, and the fee entries' balances
 * after follow each other in entry order.  The fee itself is computed in SQL
 * and must be core/money's (docs/billing-rules.md#fee).
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-money.h"
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

/* ppm_money_fee() in SQL against ppm_money_fee() in C, over every pair of
 * an amount (0, one minor unit, around the rounding steps, up to the int64
 * limit) and a fee rate (none, 1 bps, around one half, all of it). */
static void
test_sql_matches_core_money(void)
{
  const gint64 amounts[] = { 0,
                             1,
                             2,
                             3,
                             5,
                             4999,
                             5000,
                             5001,
                             9999,
                             10000,
                             10001,
                             14999,
                             15000,
                             123456789,
                             G_GINT64_CONSTANT(100000000000),     /* the largest deposit */
                             G_GINT64_CONSTANT(922337203685477),  /* · 10000 still fits int64 */
                             G_GINT64_CONSTANT(922337203685478),  /* · 10000 does not */
                             G_GINT64_CONSTANT(1000000000000000), /* the largest balance */
                             G_MAXINT64 - 1,
                             G_MAXINT64 };
  const int rates[] = { 0, 1, 2, 1999, 2000, 2500, 4999, 5000, 5001, 9999, PPM_MONEY_FEE_BPS_MAX };
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autoptr(GString) amount_list = g_string_new(NULL), rate_list = g_string_new(NULL);
  g_autoptr(GString) expected = g_string_new(NULL);
  g_autofree char *sql = NULL, *got = NULL;

  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(server->db_uri, "postgresql:"));
  for (guint a = 0; a < G_N_ELEMENTS(amounts); a++)
    for (guint r = 0; r < G_N_ELEMENTS(rates); r++)
      {
        const char *sep = amount_list->len > 0 ? "," : "";

        g_string_append_printf(amount_list, "%s%" G_GINT64_FORMAT, sep, amounts[a]);
        g_string_append_printf(rate_list, "%s%d", sep, rates[r]);
        g_string_append_printf(expected, "%s%" G_GINT64_FORMAT, expected->len > 0 ? " " : "",
                               ppm_money_fee(amounts[a], rates[r]));
      }
  sql = g_strdup_printf("SELECT string_agg(ppm_money_fee(a, b)::text, ' ' ORDER BY n)"
                        " FROM unnest('{%s}'::bigint[], '{%s}'::integer[])"
                        " WITH ORDINALITY AS t (a, b, n)",
                        amount_list->str, rate_list->str);
  got = ppm_test_server_sql(server, sql);
  g_assert_cmpstr(got, ==, expected->str);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/fees/posted-with-charges-and-reversals",
                  test_posted_with_charges_and_reversals);
  g_test_add_func("/pg/fees/sql-matches-core-money", test_sql_matches_core_money);
  return g_test_run();
}
