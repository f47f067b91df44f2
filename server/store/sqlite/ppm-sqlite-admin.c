/* History pages and the admin operations of the SQLite engine. */
#include "ppm-sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "ppm-amount.h"
#include "ppm-store-schema.h"

typedef struct
{
  gint64 user_id;
  gint64 before;
  int limit;
  PpmStorePage *page;
} PageQuery;

static void
session_item_free(PpmStoreSessionItem *item)
{
  g_free(item->session_id);
  g_free(item->reason);
  g_free(item->counterparty);
  g_free(item);
}

static void
transaction_item_free(PpmStoreTransactionItem *item)
{
  g_free(item->session_id);
  g_free(item->counterparty);
  g_free(item);
}

/* Rows come one more than the limit: the extra one says a next page exists. */
static void
page_finish(PpmStorePage *page, int limit, gint64 last_id)
{
  if (page->items->len > (guint)limit)
    {
      g_ptr_array_set_size(page->items, limit);
      page->next_before = last_id;
    }
}

static gboolean
sessions_page_job(PpmSqlite *s, gpointer data, GError **error)
{
  PageQuery *q = data;
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *stmt;
  int rc;

  q->page->items = g_ptr_array_new_with_free_func((GDestroyNotify)session_item_free);
  stmt = ppm_sql_query(s, error,
                       "SELECT s.id, s.public_id, s.t0_ms, s.ended_ms, s.reason, o.display_name,"
                       " (SELECT COUNT (*) FROM charges c WHERE c.session_id = s.id"
                       "  AND c.reversal_id IS NULL),"
                       " (SELECT COALESCE (SUM (amount_minor), 0) FROM charges c"
                       "  WHERE c.session_id = s.id AND c.reversal_id IS NULL)"
                       " FROM sessions s JOIN users o ON o.id = CASE WHEN s.member_id = ?1"
                       " THEN s.model_id ELSE s.member_id END"
                       " WHERE (s.member_id = ?1 OR s.model_id = ?1) AND (?2 = 0 OR s.id < ?2)"
                       " ORDER BY s.id DESC LIMIT ?3",
                       "iin", q->user_id, q->before, q->limit + 1);
  if (stmt == NULL)
    return FALSE;
  while ((rc = ppm_sql_step(s, stmt, error)) == 1)
    {
      PpmStoreSessionItem *item = g_new0(PpmStoreSessionItem, 1);
      gint64 id = sqlite3_column_int64(stmt, 0);

      g_array_append_val(ids, id);
      item->session_id = ppm_sql_text(stmt, 1);
      item->started_ms = sqlite3_column_int64(stmt, 2);
      item->ended_ms = sqlite3_column_int64(stmt, 3);
      item->reason = ppm_sql_text(stmt, 4);
      item->counterparty = ppm_sql_text(stmt, 5);
      item->periods_charged = sqlite3_column_int64(stmt, 6);
      item->total_minor = sqlite3_column_int64(stmt, 7);
      g_ptr_array_add(q->page->items, item);
    }
  if (rc < 0)
    return FALSE;
  if (ids->len > (guint)q->limit)
    page_finish(q->page, q->limit, g_array_index(ids, gint64, q->limit - 1));
  return TRUE;
}

static const char *
history_kind(const char *kind, const char *role)
{
  if (g_str_equal(kind, "charge"))
    return g_str_equal(role, "model") ? "earning" : "charge";
  if (g_str_equal(kind, "reversal"))
    return "refund";
  return g_str_equal(kind, "deposit") ? "deposit" : "payout";
}

static gboolean
transactions_page_job(PpmSqlite *s, gpointer data, GError **error)
{
  PageQuery *q = data;
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *stmt;
  int rc;

  q->page->items = g_ptr_array_new_with_free_func((GDestroyNotify)transaction_item_free);
  stmt = ppm_sql_query(s, error,
                       "SELECT e.id, t.time_ms, t.kind, u.role, e.amount_minor,"
                       " e.balance_after_minor, s.public_id, o.display_name"
                       " FROM wallets w JOIN users u ON u.id = w.user_id"
                       " JOIN entries e ON e.wallet_id = w.id"
                       " JOIN transactions t ON t.id = e.transaction_id"
                       " LEFT JOIN sessions s ON s.id = t.session_id"
                       " LEFT JOIN users o ON o.id = CASE WHEN s.member_id = ?1"
                       " THEN s.model_id ELSE s.member_id END"
                       " WHERE w.user_id = ?1 AND (?2 = 0 OR e.id < ?2)"
                       " ORDER BY e.id DESC LIMIT ?3",
                       "iin", q->user_id, q->before, q->limit + 1);
  if (stmt == NULL)
    return FALSE;
  while ((rc = ppm_sql_step(s, stmt, error)) == 1)
    {
      PpmStoreTransactionItem *item = g_new0(PpmStoreTransactionItem, 1);

      item->id = sqlite3_column_int64(stmt, 0);
      g_array_append_val(ids, item->id);
      item->time_ms = sqlite3_column_int64(stmt, 1);
      item->amount_minor = sqlite3_column_int64(stmt, 4);
      item->kind = history_kind((const char *)sqlite3_column_text(stmt, 2),
                                (const char *)sqlite3_column_text(stmt, 3));
      item->balance_after_minor = sqlite3_column_int64(stmt, 5);
      item->session_id = ppm_sql_text(stmt, 6);
      item->counterparty = ppm_sql_text(stmt, 7);
      g_ptr_array_add(q->page->items, item);
    }
  if (rc < 0)
    return FALSE;
  if (ids->len > (guint)q->limit)
    page_finish(q->page, q->limit, g_array_index(ids, gint64, q->limit - 1));
  return TRUE;
}

static gboolean
sqlite_sessions_page(PpmStore *store, gint64 user_id, gint64 before, int limit, PpmStorePage *page,
                     GError **error)
{
  PageQuery q = { user_id, before, limit, page };
  return ppm_sqlite_run((PpmSqlite *)store, sessions_page_job, &q, error);
}

static gboolean
sqlite_transactions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                         PpmStorePage *page, GError **error)
{
  PageQuery q = { user_id, before, limit, page };
  return ppm_sqlite_run((PpmSqlite *)store, transactions_page_job, &q, error);
}

typedef struct
{
  gint64 user_id;
  gint64 amount;
  gint64 now_ms;
  gint64 balance;
  PpmRole role;
} Money;

static gboolean
move_job(PpmSqlite *s, gpointer data, GError **error)
{
  Money *m = data;
  gint64 wallet, funding, tx, role_ok;
  gboolean deposit = m->role == PPM_ROLE_MEMBER;

  if (!ppm_sql_int(s, &role_ok, error, "SELECT COUNT (*) FROM users WHERE id = ? AND role = ?",
                   "is", m->user_id, ppm_role_to_string(m->role)))
    return FALSE;
  if (!role_ok)
    return ppm_sql_fail(error, PPM_STORE_ERROR_FORBIDDEN,
                        deposit ? "only members are funded" : "only models are paid out");
  if (!ppm_ledger_wallet(s, m->user_id, &wallet, error)
      || !ppm_ledger_system_wallet(s, PPM_WALLET_FUNDING, &funding, error)
      || !ppm_ledger_begin(s, deposit ? "deposit" : "payout", 0, m->now_ms, &tx, error)
      || !ppm_ledger_post(s, tx, wallet, deposit ? m->amount : -m->amount, error)
      || !ppm_ledger_post(s, tx, funding, deposit ? -m->amount : m->amount, error))
    return FALSE;
  return ppm_sql_int(s, &m->balance, error, "SELECT balance_minor FROM wallets WHERE id = ?", "i",
                     wallet);
}

/* A deposit (member) or payout (model); the new balance. */
static gboolean
money_move(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms, PpmRole role,
           gint64 *balance_minor, GError **error)
{
  Money m = { user_id, amount_minor, now_ms, 0, role };

  if (!ppm_sqlite_run((PpmSqlite *)store, move_job, &m, error))
    return FALSE;
  *balance_minor = m.balance;
  return TRUE;
}

static gboolean
sqlite_fund(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
            gint64 *balance_minor, GError **error)
{
  return money_move(store, user_id, amount_minor, now_ms, PPM_ROLE_MEMBER, balance_minor, error);
}

static gboolean
sqlite_payout(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
              gint64 *balance_minor, GError **error)
{
  return money_move(store, user_id, amount_minor, now_ms, PPM_ROLE_MODEL, balance_minor, error);
}

typedef struct
{
  const char *session_id;
  gint64 now_ms;
  PpmStoreRefund *refund;
} Refund;

static gboolean
refund_job(PpmSqlite *s, gpointer data, GError **error)
{
  Refund *r = data;
  gint64 row;

  if (!ppm_sql_int(s, &row, error, "SELECT id FROM sessions WHERE public_id = ?", "s",
                   r->session_id))
    return FALSE;
  if (row == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "no such session");
  *r->refund = (PpmStoreRefund){ 0 };
  return ppm_sqlite_reverse_all(s, row, r->now_ms, &r->refund->refunded_minor, error)
         && ppm_ledger_standing(s, row, &r->refund->stood_charges, &r->refund->stood_minor, error);
}

static gboolean
sqlite_refund_session(PpmStore *store, const char *session_id, gint64 now_ms,
                      PpmStoreRefund *refund, GError **error)
{
  Refund r = { session_id, now_ms, refund };

  return ppm_sqlite_run((PpmSqlite *)store, refund_job, &r, error);
}

static const char *const verify_checks[] = {
  "SELECT 'transaction ' || transaction_id || ' does not sum to zero' FROM entries"
  " GROUP BY transaction_id HAVING SUM (amount_minor) != 0 LIMIT 1",
  "SELECT 'wallet ' || w.name || ' balance ' || w.balance_minor || ' != entries '"
  " || COALESCE (SUM (e.amount_minor), 0) FROM wallets w LEFT JOIN entries e"
  " ON e.wallet_id = w.id GROUP BY w.id"
  " HAVING w.balance_minor != COALESCE (SUM (e.amount_minor), 0) LIMIT 1",
  "SELECT 'wallet ' || name || ' is below zero' FROM wallets"
  " WHERE user_id IS NOT NULL AND balance_minor < 0 LIMIT 1",
  "SELECT 'member ' || w.user_id || ' holds more than its balance' FROM wallets w"
  " WHERE w.user_id IS NOT NULL AND w.balance_minor < (SELECT COALESCE (SUM (hold_minor), 0)"
  " FROM sessions s WHERE s.member_id = w.user_id AND s.state = 'open') LIMIT 1",
  "SELECT 'charge ' || c.id || ' has no matching transaction' FROM charges c"
  " LEFT JOIN transactions t ON t.id = c.transaction_id"
  " WHERE t.id IS NULL OR t.kind != 'charge' LIMIT 1",
};

static gboolean
verify_job(PpmSqlite *s, gpointer data, GError **error)
{
  char **problem = data;

  for (gsize i = 0; i < G_N_ELEMENTS(verify_checks); i++)
    {
      sqlite3_stmt *stmt;
      int rc = ppm_sql_row(s, &stmt, error, verify_checks[i], "");

      if (rc < 0)
        return FALSE;
      if (rc == 1)
        {
          *problem = ppm_sql_text(stmt, 0);
          sqlite3_reset(stmt);
          return TRUE;
        }
    }
  return TRUE;
}

static gboolean
sqlite_verify(PpmStore *store, char **problem, GError **error)
{
  *problem = NULL;
  return ppm_sqlite_run((PpmSqlite *)store, verify_job, problem, error);
}

/* The online backup API, on a connection of its own so that the writer is
 * never blocked. */
static gboolean
sqlite_backup(PpmStore *store, const char *path, GError **error)
{
  PpmSqlite *s = (PpmSqlite *)store;
  sqlite3 *source = NULL, *target = NULL;
  sqlite3_backup *backup;
  gboolean ok = FALSE;
  /* Created here at mode 0600 (a umask only takes bits away): it holds
   * password hashes. */
  int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0 && errno == EEXIST)
    return ppm_sql_fail(error, PPM_STORE_ERROR_INVALID, "%s already exists", path);
  if (fd < 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "cannot create %s: %s", path,
                        g_strerror(errno));
  close(fd);
  if (sqlite3_open_v2(s->path, &source, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_open_v2(path, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
             != SQLITE_OK)
    {
      ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "cannot open %s: %s", path,
                   sqlite3_errmsg(target ? target : source));
      goto out;
    }
  sqlite3_busy_timeout(source, 5000);
  backup = sqlite3_backup_init(target, "main", source, "main");
  if (backup == NULL)
    {
      ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "backup: %s", sqlite3_errmsg(target));
      goto out;
    }
  while (TRUE)
    {
      int rc = sqlite3_backup_step(backup, 256);
      if (rc == SQLITE_DONE)
        break;
      if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
        break;
      if (rc != SQLITE_OK)
        sqlite3_sleep(20);
    }
  ok = sqlite3_backup_finish(backup) == SQLITE_OK;
  if (!ok)
    ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "backup: %s", sqlite3_errmsg(target));
out:
  sqlite3_close(source);
  sqlite3_close(target);
  if (!ok)
    g_unlink(path);
  return ok;
}

typedef struct
{
  PpmStoreRowFunc func;
  gpointer user_data;
} Export;

static gboolean
export_job(PpmSqlite *s, gpointer data, GError **error)
{
  Export *x = data;

  for (const PpmStoreTable *table = ppm_store_tables; table->name; table++)
    {
      g_autofree char *columns = g_strjoinv(", ", (char **)table->columns);
      g_autofree char *sql = g_strdup_printf("SELECT %s FROM %s ORDER BY 1", columns, table->name);
      guint n = g_strv_length((char **)table->columns);
      g_autofree const char **values = g_new0(const char *, n + 1);
      sqlite3_stmt *stmt;
      int rc;

      /* Table names come from the fixed list above, never from input. */
      if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return ppm_sql_internal(s, error);
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        {
          for (guint i = 0; i < n; i++)
            values[i] = (const char *)sqlite3_column_text(stmt, i);
          if (!x->func(table->name, values, x->user_data, error))
            {
              sqlite3_finalize(stmt);
              return FALSE;
            }
        }
      sqlite3_finalize(stmt);
      if (rc != SQLITE_DONE)
        return ppm_sql_internal(s, error);
    }
  return TRUE;
}

static gboolean
sqlite_export_rows(PpmStore *store, PpmStoreRowFunc func, gpointer user_data, GError **error)
{
  Export x = { func, user_data };
  return ppm_sqlite_run((PpmSqlite *)store, export_job, &x, error);
}

typedef struct
{
  PpmStore *source;
} Import;

static gboolean
import_row(const char *table, const char *const *values, gpointer user_data, GError **error)
{
  PpmSqlite *s = user_data;
  const PpmStoreTable *t = ppm_store_tables;
  g_autoptr(GString) sql = g_string_new(NULL);
  g_autofree char *columns = NULL;
  sqlite3_stmt *stmt;
  guint n;

  while (!g_str_equal(t->name, table))
    t++;
  n = g_strv_length((char **)t->columns);
  columns = g_strjoinv(", ", (char **)t->columns);
  g_string_append_printf(sql, "INSERT INTO %s (%s) VALUES (", t->name, columns);
  for (guint i = 0; i < n; i++)
    g_string_append(sql, i ? ", ?" : "?");
  g_string_append(sql, ")");
  stmt = ppm_sql_query(s, error, g_intern_string(sql->str), "");
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if ((values[i] ? sqlite3_bind_text(stmt, i + 1, values[i], -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(stmt, i + 1))
        != SQLITE_OK)
      return ppm_sql_internal(s, error);
  return ppm_sql_step(s, stmt, error) == 0;
}

static gboolean
import_job(PpmSqlite *s, gpointer data, GError **error)
{
  Import *im = data;
  gint64 used;

  if (!ppm_sql_int(s, &used, error,
                   "SELECT (SELECT COUNT (*) FROM users) + (SELECT COUNT (*) FROM entries)", ""))
    return FALSE;
  if (used > 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_INVALID, "the target database is not empty");
  return ppm_sql_exec(s, error, "DELETE FROM wallets", "")
         && ppm_store_export_rows(im->source, import_row, s, error);
}

static gboolean
sqlite_import_rows(PpmStore *store, PpmStore *source, GError **error)
{
  Import im = { source };
  return ppm_sqlite_run((PpmSqlite *)store, import_job, &im, error);
}

void
ppm_sqlite_admin_ops(PpmStoreOps *ops)
{
  ops->sessions_page = sqlite_sessions_page;
  ops->transactions_page = sqlite_transactions_page;
  ops->fund = sqlite_fund;
  ops->payout = sqlite_payout;
  ops->refund_session = sqlite_refund_session;
  ops->verify = sqlite_verify;
  ops->backup = sqlite_backup;
  ops->export_rows = sqlite_export_rows;
  ops->import_rows = sqlite_import_rows;
}
