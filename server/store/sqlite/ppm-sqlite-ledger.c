/* Double-entry ledger of the SQLite engine (docs/billing-rules.md#ledger). */
#include "ppm-sqlite.h"

#include "ppm-amount.h"
#include "ppm-store-schema.h"

gboolean
ppm_ledger_wallet(PpmSqlite *s, gint64 user_id, gint64 *wallet_id, GError **error)
{
  if (!ppm_sql_int(s, wallet_id, error, "SELECT id FROM wallets WHERE user_id = ?", "i", user_id))
    return FALSE;
  if (*wallet_id == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "no such user");
  return TRUE;
}

gboolean
ppm_ledger_system_wallet(PpmSqlite *s, const char *name, gint64 *wallet_id, GError **error)
{
  if (!ppm_sql_int(s, wallet_id, error, "SELECT id FROM wallets WHERE name = ?", "s", name))
    return FALSE;
  if (*wallet_id == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "system wallet %s missing", name);
  return TRUE;
}

gboolean
ppm_ledger_begin(PpmSqlite *s, const char *kind, gint64 session_row, gint64 now_ms,
                 gint64 *transaction_id, GError **error)
{
  if (!ppm_sql_exec(s, error,
                    "INSERT INTO transactions (time_ms, kind, session_id)"
                    " VALUES (?, ?, NULLIF (?, 0))",
                    "isi", now_ms, kind, session_row))
    return FALSE;
  *transaction_id = sqlite3_last_insert_rowid(s->db);
  return TRUE;
}

gboolean
ppm_ledger_post(PpmSqlite *s, gint64 transaction_id, gint64 wallet_id, gint64 amount,
                GError **error)
{
  sqlite3_stmt *stmt;
  gint64 balance_after;
  int rc;

  /* The bound in SQL is the guard: two charges racing for one member can
   * never both pass it. */
  rc = ppm_sql_row(s, &stmt, error,
                   "UPDATE wallets SET balance_minor = balance_minor + ?1 WHERE id = ?2"
                   " AND (user_id IS NULL OR (balance_minor + ?1 >= 0"
                   " AND balance_minor + ?1 <= ?3)) RETURNING balance_minor",
                   "iii", amount, wallet_id, PPM_MAX_BALANCE_MINOR);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return amount < 0
               ? ppm_sql_fail(error, PPM_STORE_ERROR_INSUFFICIENT_FUNDS, "not enough funds")
               : ppm_sql_fail(error, PPM_STORE_ERROR_INVALID, "the balance would exceed the limit");
  balance_after = sqlite3_column_int64(stmt, 0);
  sqlite3_reset(stmt);
  return ppm_sql_exec(s, error,
                      "INSERT INTO entries (transaction_id, wallet_id, amount_minor,"
                      " balance_after_minor) VALUES (?, ?, ?, ?)",
                      "iiii", transaction_id, wallet_id, amount, balance_after);
}

gboolean
ppm_ledger_available(PpmSqlite *s, gint64 member_id, gint64 *available, GError **error)
{
  return ppm_sql_int(s, available, error,
                     "SELECT w.balance_minor - (SELECT COALESCE (SUM (hold_minor), 0)"
                     " FROM sessions WHERE member_id = ?1 AND state = 'open')"
                     " FROM wallets w WHERE w.user_id = ?1",
                     "i", member_id);
}

gboolean
ppm_ledger_standing(PpmSqlite *s, gint64 session_row, gint64 *count, gint64 *sum, GError **error)
{
  sqlite3_stmt *stmt;

  if (ppm_sql_row(s, &stmt, error,
                  "SELECT COUNT (*), COALESCE (SUM (amount_minor), 0) FROM charges"
                  " WHERE session_id = ? AND reversal_id IS NULL",
                  "i", session_row)
      != 1)
    return FALSE;
  *count = sqlite3_column_int64(stmt, 0);
  *sum = sqlite3_column_int64(stmt, 1);
  sqlite3_reset(stmt);
  return TRUE;
}

gboolean
ppm_ledger_reverse_charge(PpmSqlite *s, gint64 charge_id, gint64 now_ms, gboolean *reversed,
                          gint64 *amount, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 fee, session_row, member_id, model_id;
  gint64 tx, member_wallet, model_wallet, fees_wallet;
  g_autoptr(GError) local = NULL;

  *reversed = FALSE;
  if (ppm_sql_row(s, &stmt, error,
                  "SELECT c.amount_minor, c.fee_minor, c.session_id, s.member_id, s.model_id"
                  " FROM charges c JOIN sessions s ON s.id = c.session_id"
                  " WHERE c.id = ? AND c.reversal_id IS NULL",
                  "i", charge_id)
      != 1)
    return FALSE;
  *amount = sqlite3_column_int64(stmt, 0);
  fee = sqlite3_column_int64(stmt, 1);
  session_row = sqlite3_column_int64(stmt, 2);
  member_id = sqlite3_column_int64(stmt, 3);
  model_id = sqlite3_column_int64(stmt, 4);
  sqlite3_reset(stmt);

  if (!ppm_ledger_wallet(s, member_id, &member_wallet, error)
      || !ppm_ledger_wallet(s, model_id, &model_wallet, error)
      || !ppm_ledger_system_wallet(s, PPM_WALLET_FEES, &fees_wallet, error)
      || !ppm_ledger_begin(s, "reversal", session_row, now_ms, &tx, error))
    return FALSE;
  /* The model's debit first: when its earnings were paid out meanwhile the
   * charge stays and nothing of this reversal is kept. */
  if (!ppm_ledger_post(s, tx, model_wallet, -(*amount - fee), &local))
    {
      if (!g_error_matches(local, PPM_STORE_ERROR, PPM_STORE_ERROR_INSUFFICIENT_FUNDS))
        {
          g_propagate_error(error, g_steal_pointer(&local));
          return FALSE;
        }
      return ppm_sql_exec(s, error, "DELETE FROM transactions WHERE id = ?", "i", tx);
    }
  if (!ppm_ledger_post(s, tx, fees_wallet, -fee, error)
      || !ppm_ledger_post(s, tx, member_wallet, *amount, error)
      || !ppm_sql_exec(s, error, "UPDATE charges SET reversal_id = ? WHERE id = ?", "ii", tx,
                       charge_id))
    return FALSE;
  *reversed = TRUE;
  return TRUE;
}
