/* The PostgreSQL engine: sessions, ratings and history pages.  Platform time
 * is the database's clock_timestamp() (docs/billing-rules.md#platform-time), so the billing
 * functions get NULL for now_ms. */
#include "ppm-amount.h"
#include "ppm-answers.h"
#include "ppm-auth.h"
#include "ppm-pg.h"

/* Inside the caller's transaction: runs ppm_open() and, for a new session,
 * stores the body built the way every engine builds it. */
static gboolean
session_open_in(PpmStore *store, PGconn *conn, gint64 model_id, const PpmStoreOpenParams *open,
                const PpmBillingConfig *config, PpmStoredAnswer *answer, GError **error)
{
  g_autofree char *public_id = ppm_token_new_id();
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(PGresult) stored = NULL;
  char *body;

  ppm_pg_params_int(&params, model_id);
  ppm_pg_params_text(&params, public_id);
  ppm_pg_params_text(&params, open->client_session_id);
  ppm_pg_params_text(&params, open->protocol);
  ppm_pg_params_text(&params, open->model_handle);
  ppm_pg_params_text(&params, open->member_handle);
  ppm_pg_params_int(&params, open->elapsed_ms);
  ppm_pg_params_int(&params, config->period_seconds);
  ppm_pg_params_int(&params, config->fee_bps);
  ppm_pg_params_int(&params, config->hold_periods);
  ppm_pg_params_int(&params, config->max_rate_minor);
  ppm_pg_params_int(&params, ppm_store_default_max_rate(store));
  ppm_pg_params_int(&params, config->max_backdate_seconds);
  ppm_pg_params_text(&params, NULL);
  result = ppm_pg_run(conn, PPM_PG_OPEN, &params, NULL, error);
  if (result == NULL)
    return FALSE;
  if (!ppm_pg_is_null(result, 0, 0))
    {
      answer->body = g_strdup(ppm_pg_text(result, 0, 0));
      answer->replayed = TRUE;
      return TRUE;
    }
  body = ppm_answer_open(public_id, ppm_pg_int(result, 0, 1), store->currency,
                         config->period_seconds, ppm_pg_int(result, 0, 4), config->fee_bps,
                         ppm_pg_text(result, 0, 2), ppm_pg_int(result, 0, 3));
  params.n = 0;
  ppm_pg_params_text(&params, public_id);
  ppm_pg_params_text(&params, body);
  stored = ppm_pg_run(conn, PPM_PG_OPEN_BODY, &params, NULL, error);
  if (stored == NULL)
    {
      g_free(body);
      return FALSE;
    }
  answer->body = body;
  answer->replayed = FALSE;
  return TRUE;
}

gboolean
ppm_pg_session_open(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                    const PpmBillingConfig *config, gint64 now_ms, PpmStoredAnswer *answer,
                    GError **error)
{
  PGconn *conn = ppm_pg_pool_acquire(PPM_PG_POOL(store), error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  ok = ppm_pg_exec(conn, "BEGIN", error)
       && session_open_in(store, conn, model_id, params, config, answer, error)
       && ppm_pg_exec(conn, "COMMIT", error);
  if (!ok)
    {
      ppm_stored_answer_clear(answer);
      ppm_pg_exec(conn, "ROLLBACK", NULL);
    }
  ppm_pg_pool_release(PPM_PG_POOL(store), conn);
  return ok;
}

/* The (body, replayed, error) row of ppm_close(). */
static gboolean
stored_answer_from(PGresult *result, PpmStoredAnswer *answer, GError **error)
{
  if (result == NULL)
    return FALSE;
  if (!ppm_pg_is_null(result, 0, 2))
    {
      /* The only error it returns rather than raises: an expiry it made. */
      g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_SESSION_EXPIRED,
                          "the session expired");
      return FALSE;
    }
  answer->body = g_strdup(ppm_pg_text(result, 0, 0));
  answer->replayed = g_strcmp0(ppm_pg_text(result, 0, 1), "t") == 0;
  return TRUE;
}

void
ppm_pg_session_charge_submit(PpmStore *store, const char *access_hash, const char *session_id,
                             gint64 seq, gint64 elapsed_ms, gint64 now_ms, PpmStoreChargeDone done,
                             gpointer user_data)
{
  ppm_pg_charger_submit(((PpmPgStore *)store)->charger, access_hash, session_id, seq, now_ms, done,
                        user_data);
}

gboolean
ppm_pg_session_close(PpmStore *store, gint64 model_id, const char *session_id, const char *reason,
                     gint64 elapsed_ms, const char *rate_url, gint64 now_ms,
                     PpmStoredAnswer *answer, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;

  ppm_pg_params_int(&params, model_id);
  ppm_pg_params_text(&params, session_id);
  ppm_pg_params_text(&params, reason);
  ppm_pg_params_int(&params, elapsed_ms);
  ppm_pg_params_text(&params, rate_url);
  ppm_pg_params_text(&params, store->currency);
  ppm_pg_params_text(&params, NULL);
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_CLOSE, &params, NULL, error);
  return stored_answer_from(result, answer, error);
}

gboolean
ppm_pg_sessions_tick(PpmStore *store, gint64 now_ms, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_text(&params, NULL);
  return ppm_pg_store_run(store, PPM_PG_TICK, &params, error);
}

gboolean
ppm_pg_sessions_resume(PpmStore *store, gint64 now_ms, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_text(&params, NULL);
  return ppm_pg_store_run(store, PPM_PG_RESUME, &params, error);
}

/* A rating of a session (PPM_PG_SESSION_RATE) or of the app (PPM_PG_APP_RATE):
 * the same values, in each function's order. */
static gboolean
rate(PpmStore *store, PpmPgStatement statement, gint64 user_id, const char *session_id, int stars,
     const char *comment, gint64 now_ms, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, user_id);
  if (statement == PPM_PG_SESSION_RATE)
    ppm_pg_params_text(&params, session_id);
  ppm_pg_params_int(&params, stars);
  ppm_pg_params_text(&params, comment);
  if (statement == PPM_PG_APP_RATE)
    ppm_pg_params_text(&params, session_id);
  ppm_pg_params_int(&params, now_ms);
  return ppm_pg_store_run(store, statement, &params, error);
}

gboolean
ppm_pg_session_rate(PpmStore *store, gint64 user_id, const char *session_id, int stars,
                    const char *comment, gint64 now_ms, GError **error)
{
  return rate(store, PPM_PG_SESSION_RATE, user_id, session_id, stars, comment, now_ms, error);
}

gboolean
ppm_pg_app_rate(PpmStore *store, gint64 user_id, int stars, const char *comment,
                const char *session_id, gint64 now_ms, GError **error)
{
  return rate(store, PPM_PG_APP_RATE, user_id, session_id, stars, comment, now_ms, error);
}

typedef gpointer (*PageItemFunc)(const PGresult *result, int row);

/* Runs a page statement for `limit` + 1 rows: the extra one only says that
 * there is a next page. */
static gboolean
page_fill(PpmStore *store, PpmPgStatement statement, gint64 user_id, gint64 before, int limit,
          PageItemFunc item, GDestroyNotify free_item, PpmStorePage *page, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;
  int rows;

  ppm_pg_params_int(&params, user_id);
  ppm_pg_params_int(&params, before);
  ppm_pg_params_int(&params, (gint64)limit + 1);
  result = ppm_pg_query(PPM_PG_POOL(store), statement, &params, NULL, error);
  if (result == NULL)
    return FALSE;
  rows = MIN(PQntuples(result), limit);
  page->items = g_ptr_array_new_with_free_func(free_item);
  for (int i = 0; i < rows; i++)
    g_ptr_array_add(page->items, item(result, i));
  page->next_before = PQntuples(result) > limit ? ppm_pg_int(result, rows - 1, 0) : 0;
  return TRUE;
}

static gpointer
session_item(const PGresult *result, int row)
{
  PpmStoreSessionItem *item = g_new0(PpmStoreSessionItem, 1);

  item->session_id = g_strdup(ppm_pg_text(result, row, 1));
  item->started_ms = ppm_pg_int(result, row, 2);
  item->ended_ms = ppm_pg_int(result, row, 3);
  item->reason = g_strdup(ppm_pg_text(result, row, 4));
  item->counterparty = g_strdup(ppm_pg_text(result, row, 5));
  item->periods_charged = ppm_pg_int(result, row, 6);
  item->total_minor = ppm_pg_int(result, row, 7);
  return item;
}

static void
session_item_free(gpointer data)
{
  PpmStoreSessionItem *item = data;

  g_free(item->session_id);
  g_free(item->reason);
  g_free(item->counterparty);
  g_free(item);
}

gboolean
ppm_pg_sessions_page(PpmStore *store, gint64 user_id, gint64 before, int limit, PpmStorePage *page,
                     GError **error)
{
  return page_fill(store, PPM_PG_SESSIONS_PAGE, user_id, before, limit, session_item,
                   session_item_free, page, error);
}

/* docs/billing-rules.md#history-kinds, from the ledger's transaction kind and the
 * sign of this user's entry. */
static const char *
history_kind(const char *kind, gint64 amount)
{
  if (g_strcmp0(kind, "charge") == 0)
    return amount < 0 ? "charge" : "earning";
  if (g_strcmp0(kind, "reversal") == 0)
    return "refund";
  if (g_strcmp0(kind, "payout") == 0)
    return "payout";
  return "deposit";
}

static gpointer
transaction_item(const PGresult *result, int row)
{
  PpmStoreTransactionItem *item = g_new0(PpmStoreTransactionItem, 1);

  item->id = ppm_pg_int(result, row, 0);
  item->time_ms = ppm_pg_int(result, row, 1);
  item->amount_minor = ppm_pg_int(result, row, 3);
  item->kind = history_kind(ppm_pg_text(result, row, 2), item->amount_minor);
  item->balance_after_minor = ppm_pg_int(result, row, 4);
  item->session_id = g_strdup(ppm_pg_text(result, row, 5));
  item->counterparty = g_strdup(ppm_pg_text(result, row, 6));
  return item;
}

static void
transaction_item_free(gpointer data)
{
  PpmStoreTransactionItem *item = data;

  g_free(item->session_id);
  g_free(item->counterparty);
  g_free(item);
}

gboolean
ppm_pg_transactions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                         PpmStorePage *page, GError **error)
{
  return page_fill(store, PPM_PG_TRANSACTIONS_PAGE, user_id, before, limit, transaction_item,
                   transaction_item_free, page, error);
}
