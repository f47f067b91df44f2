/* Schema versions on PostgreSQL: a database of an older version is upgraded
 * at start with its data kept; version 3 folds the fees version 2 left
 * pending; and a charge's update of its session row is HOT (no index holds
 * the columns it changes).
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

/* A pair with a session opened 300 s ago: with 60 s periods, charges 0 to 4
 * are due at once.  Returns the session id. */
static char *
open_backdated(PpmTestServer *server, PpmTestPair *pair)
{
  g_autoptr(PpmTestResponse) open = NULL;

  ppm_test_pair_init(pair, server, "model", "member", "20.00");
  open = ppm_test_open(server, pair, 300000);
  ppm_assert_answer(open, 201, NULL);
  return g_strdup(ppm_test_string(open, "session_id"));
}

static void
charge(PpmTestServer *server, PpmTestPair *pair, const char *session_id, gint64 seq)
{
  g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair->model_token, session_id, seq);

  ppm_assert_answer(r, 201, NULL);
  g_assert_cmpint(ppm_test_int(r, "seq"), ==, seq);
}

/* What schema-5.sql adds, taken away again. */
#define UNDO_SCHEMA_5                                                                              \
  "ALTER TABLE lookups DROP COLUMN protocol, DROP COLUMN handle; DROP TABLE allowed_models; "      \
  "ALTER TABLE users DROP COLUMN allowed_models_only"

static void
test_upgrade_from_1(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *session_id = NULL;

  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(server->db_uri, "postgresql:"));
  session_id = open_backdated(server, &pair);
  charge(server, &pair, session_id, 0);
  ppm_test_server_stop(server);

  /* Back to what schema-1.sql left. */
  g_free(ppm_test_server_sql(server, UNDO_SCHEMA_5));
  g_free(ppm_test_server_sql(server,
                             "CREATE INDEX sessions_deadline_open ON sessions (deadline_ms) "
                             "WHERE state = 'open'; "
                             "CREATE INDEX entries_transaction ON entries (transaction_id); "
                             "ALTER TABLE sessions RESET (fillfactor); "
                             "CREATE TABLE fees_pending (entry_id bigint PRIMARY KEY); "
                             "ALTER TABLE sessions DROP COLUMN offset_ms; "
                             "DROP INDEX sessions_pair_ended; "
                             "DELETE FROM ppm_schema_version WHERE version > 1"));

  ppm_test_server_restart(server, &error);
  g_assert_no_error(error);
  ppm_test_server_assert_sql(
      server, "SELECT string_agg(version::text, ',' ORDER BY version) FROM ppm_schema_version",
      "1,2,3,4,5");
  ppm_test_server_assert_sql(server,
                             "SELECT count(*) FROM pg_indexes "
                             "WHERE indexname IN ('sessions_deadline_open', 'entries_transaction')",
                             "0");
  ppm_test_server_assert_sql(server,
                             "SELECT array_to_string(reloptions, ',') FROM pg_class "
                             "WHERE relname = 'sessions'",
                             "fillfactor=50");
  ppm_test_server_assert_sql(
      server, "SELECT count(*) FROM pg_indexes WHERE indexname = 'lookups_handle'", "1");

  /* The session of version 1 goes on where it was. */
  charge(server, &pair, session_id, 1);
  ppm_test_verify(server);
}

/* What a fee entry of platform:fees looks like: "amount,balance_after". */
#define LAST_FEE_ENTRY                                                                             \
  "SELECT e.amount_minor || ',' || e.balance_after_minor FROM entries e "                          \
  "JOIN wallets w ON w.id = e.wallet_id WHERE w.name = 'platform:fees' ORDER BY e.id DESC LIMIT 1"
#define FEES_BALANCE "SELECT balance_minor FROM wallets WHERE name = 'platform:fees'"

static void
test_pending_fees_folded(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *session_id = NULL;

  g_assert_no_error(error);
  session_id = open_backdated(server, &pair);
  charge(server, &pair, session_id, 0);
  charge(server, &pair, session_id, 1);
  ppm_test_server_stop(server);
  /* Posted at once: each fee entry with its balance after. */
  ppm_test_server_assert_sql(server, LAST_FEE_ENTRY, "40,80");

  /* As version 2 left a charge's fee until its tick: the entry written with
   * no balance after, listed in fees_pending, the wallet not yet credited. */
  g_free(ppm_test_server_sql(server, UNDO_SCHEMA_5));
  g_free(ppm_test_server_sql(server,
                             "CREATE TABLE fees_pending (entry_id bigint PRIMARY KEY); "
                             "INSERT INTO fees_pending SELECT e.id FROM entries e "
                             "JOIN wallets w ON w.id = e.wallet_id WHERE w.name = 'platform:fees' "
                             "ORDER BY e.id DESC LIMIT 1; "
                             "UPDATE entries SET balance_after_minor = 0 "
                             "WHERE id IN (SELECT entry_id FROM fees_pending); "
                             "UPDATE wallets SET balance_minor = balance_minor - 40 "
                             "WHERE name = 'platform:fees'; "
                             "ALTER TABLE sessions DROP COLUMN offset_ms; "
                             "DROP INDEX sessions_pair_ended; "
                             "DELETE FROM ppm_schema_version WHERE version > 2"));
  ppm_test_server_assert_sql(server, FEES_BALANCE, "40");

  ppm_test_server_restart(server, &error);
  g_assert_no_error(error);
  ppm_test_server_assert_sql(server, FEES_BALANCE, "80");
  ppm_test_server_assert_sql(server, LAST_FEE_ENTRY, "40,80");
  ppm_test_server_assert_sql(
      server, "SELECT count(*) FROM pg_tables WHERE tablename = 'fees_pending'", "0");
  ppm_test_verify(server);

  /* And the next charge's fee follows on. */
  charge(server, &pair, session_id, 2);
  ppm_test_server_assert_sql(server, LAST_FEE_ENTRY, "40,120");
}

static void
test_charge_update_is_hot(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *session_id = NULL;
  gint64 hot = 0;

  g_assert_no_error(error);
  session_id = open_backdated(server, &pair);
  for (int seq = 0; seq < 5; seq++)
    charge(server, &pair, session_id, seq);
  /* A backend publishes its table statistics when it exits at the latest. */
  ppm_test_server_stop(server);
  for (int i = 0; i < 50 && hot < 5; i++)
    {
      g_autofree char *n = ppm_test_server_sql(
          server, "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'sessions'");

      hot = g_ascii_strtoll(n, NULL, 10);
      if (hot < 5)
        g_usleep(100 * 1000);
    }
  g_assert_cmpint(hot, >=, 5);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/migrate/upgrade-from-1", test_upgrade_from_1);
  g_test_add_func("/pg/migrate/pending-fees-folded", test_pending_fees_folded);
  g_test_add_func("/pg/migrate/charge-update-is-hot", test_charge_update_is_hot);
  return g_test_run();
}
