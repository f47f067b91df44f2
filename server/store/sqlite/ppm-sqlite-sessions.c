/* Sessions of the SQLite engine: open, charge, close, expiry, ratings
 * (docs/billing-rules.md: Guards, Holds, Idempotency, Ending). */
#include "ppm-sqlite.h"

#include "ppm-amount.h"
#include "ppm-answers.h"
#include "ppm-auth.h"
#include "ppm-store-schema.h"

typedef struct
{
  gint64 row;
  gint64 model_id;
  gint64 member_id;
  gboolean open;
  char *reason;
  gint64 rate;
  gint64 period_ms;
  int fee_bps;
  gint64 hold_periods;
  gint64 hold;
  gint64 t0_ms;
  gint64 offset_ms;
  gint64 deadline_ms;
  gint64 timeout_ms;
  char *close_body;
  gint64 member_wallet;
  gint64 model_wallet;
} Session;

static void
session_clear(Session *session)
{
  g_clear_pointer(&session->reason, g_free);
  g_clear_pointer(&session->close_body, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Session, session_clear)

/* Loads the session `public_id` of model `model_id`; NOT_FOUND for another
 * model's. */
static gboolean
session_load(PpmSqlite *s, const char *public_id, gint64 model_id, Session *session, GError **error)
{
  sqlite3_stmt *stmt;
  int rc = ppm_sql_row(s, &stmt, error,
                       "SELECT id, model_id, member_id, state = 'open', reason, rate_minor,"
                       " period_seconds * 1000, fee_bps, hold_periods, hold_minor, t0_ms,"
                       " deadline_ms, timeout_ms, close_body,"
                       " (SELECT id FROM wallets WHERE user_id = member_id),"
                       " (SELECT id FROM wallets WHERE user_id = model_id), offset_ms"
                       " FROM sessions WHERE public_id = ?",
                       "s", public_id);

  if (rc < 0)
    return FALSE;
  if (rc == 0 || sqlite3_column_int64(stmt, 1) != model_id)
    {
      sqlite3_reset(stmt);
      return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "no such session");
    }
  session->row = sqlite3_column_int64(stmt, 0);
  session->model_id = model_id;
  session->member_id = sqlite3_column_int64(stmt, 2);
  session->open = sqlite3_column_int(stmt, 3);
  session->reason = ppm_sql_text(stmt, 4);
  session->rate = sqlite3_column_int64(stmt, 5);
  session->period_ms = sqlite3_column_int64(stmt, 6);
  session->fee_bps = sqlite3_column_int(stmt, 7);
  session->hold_periods = sqlite3_column_int64(stmt, 8);
  session->hold = sqlite3_column_int64(stmt, 9);
  session->t0_ms = sqlite3_column_int64(stmt, 10);
  session->deadline_ms = sqlite3_column_int64(stmt, 11);
  session->timeout_ms = sqlite3_column_int64(stmt, 12);
  session->close_body = ppm_sql_text(stmt, 13);
  session->member_wallet = sqlite3_column_int64(stmt, 14);
  session->model_wallet = sqlite3_column_int64(stmt, 15);
  session->offset_ms = sqlite3_column_int64(stmt, 16);
  sqlite3_reset(stmt);
  return TRUE;
}

/* Appends the first column of every row of `stmt` (NULL: its query failed)
 * to `to`. */
static gboolean
append_ints(PpmSqlite *s, sqlite3_stmt *stmt, GArray *to, GError **error)
{
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = ppm_sql_step(s, stmt, error)) == 1)
    {
      gint64 value = sqlite3_column_int64(stmt, 0);

      g_array_append_val(to, value);
    }
  return rc == 0;
}

/* Reverses the session's standing charges due (offset + seq·period after t0)
 * after `elapsed_ms` (all of them when elapsed_ms < 0); adds the amount returned to *reversed. */
static gboolean
reverse_after(PpmSqlite *s, gint64 session_row, gint64 elapsed_ms, gint64 now_ms, gint64 *reversed,
              GError **error)
{
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *stmt;

  stmt = ppm_sql_query(s, error,
                       "SELECT c.id FROM charges c JOIN sessions s ON s.id = c.session_id"
                       " WHERE c.session_id = ? AND c.reversal_id IS NULL"
                       " AND (? < 0 OR s.offset_ms + c.seq * s.period_seconds * 1000 > ?)"
                       " ORDER BY c.seq",
                       "iii", session_row, elapsed_ms, elapsed_ms);
  if (!append_ints(s, stmt, ids, error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      gboolean done;
      gint64 amount;

      if (!ppm_ledger_reverse_charge(s, g_array_index(ids, gint64, i), now_ms, &done, &amount,
                                     error))
        return FALSE;
      if (done)
        *reversed += amount;
    }
  return TRUE;
}

/* A session the platform ends (superseded, expired) is settled as a close at
 * `instant` would be, but never before its last charge: the charges whose
 * interval had not begun are reversed. */
static gboolean
session_settle(PpmSqlite *s, gint64 session_row, gint64 instant, GError **error)
{
  gint64 elapsed_ms, reversed = 0;

  if (!ppm_sql_int(s, &elapsed_ms, error,
                   "SELECT MAX (?1, COALESCE ((SELECT MAX (time_ms) FROM charges"
                   " WHERE session_id = ?2), 0)) - t0_ms FROM sessions WHERE id = ?2",
                   "ii", instant, session_row))
    return FALSE;
  return reverse_after(s, session_row, elapsed_ms, instant, &reversed, error);
}

gboolean
ppm_sessions_expire_due(PpmSqlite *s, gint64 now_ms, GError **error)
{
  g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *stmt;

  stmt = ppm_sql_query(
      s, error, "SELECT id FROM sessions WHERE state = 'open' AND deadline_ms <= ?", "i", now_ms);
  if (!append_ints(s, stmt, rows, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    if (!session_settle(s, g_array_index(rows, gint64, i), now_ms, error)
        || !ppm_sql_exec(s, error,
                         "UPDATE sessions SET state = 'closed', reason = 'expired',"
                         " ended_ms = deadline_ms, hold_minor = 0 WHERE id = ?",
                         "i", g_array_index(rows, gint64, i)))
      return FALSE;
  return TRUE;
}

/* The state check of charge and close: a session past its deadline is
 * expired now, and that change stays although the request fails. */
static gboolean
session_check_open(PpmSqlite *s, Session *session, gint64 now_ms, GError **error)
{
  if (session->open && session->deadline_ms <= now_ms)
    {
      if (!ppm_sessions_expire_due(s, now_ms, error))
        return FALSE;
      s->keep_changes = TRUE;
      return ppm_sql_fail(error, PPM_STORE_ERROR_SESSION_EXPIRED, "the session expired");
    }
  if (session->open)
    return TRUE;
  if (g_strcmp0(session->reason, "expired") == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_SESSION_EXPIRED, "the session expired");
  return ppm_sql_fail(error, PPM_STORE_ERROR_SESSION_CLOSED, "the session is closed");
}

typedef struct
{
  gint64 model_id;
  const PpmStoreOpenParams *params;
  const PpmBillingConfig *config;
  gint64 now_ms;
  PpmStoredAnswer *answer;
} Open;

static gboolean
open_replay(PpmSqlite *s, Open *o, gboolean *found, GError **error)
{
  sqlite3_stmt *stmt;
  int rc = ppm_sql_row(s, &stmt, error,
                       "SELECT protocol = ? AND model_handle = ? AND member_handle = ?,"
                       " open_body FROM sessions WHERE model_id = ? AND client_session_id = ?",
                       "sssis", o->params->protocol, o->params->model_handle,
                       o->params->member_handle, o->model_id, o->params->client_session_id);
  gboolean same;

  if (rc < 0)
    return FALSE;
  *found = rc == 1;
  if (rc == 0)
    return TRUE;
  same = sqlite3_column_int(stmt, 0);
  if (same)
    {
      o->answer->body = ppm_sql_text(stmt, 1);
      o->answer->replayed = TRUE;
    }
  sqlite3_reset(stmt);
  if (!same)
    return ppm_sql_fail(error, PPM_STORE_ERROR_IDEMPOTENCY_MISMATCH,
                        "client_session_id was used with other handles");
  return TRUE;
}

/* Step 5: the pair's open session, if any, settled and closed as superseded. */
static gboolean
open_supersede(PpmSqlite *s, Open *o, gint64 member_id, GError **error)
{
  gint64 previous;

  if (!ppm_sql_int(s, &previous, error,
                   "SELECT id FROM sessions WHERE model_id = ? AND member_id = ?"
                   " AND state = 'open'",
                   "ii", o->model_id, member_id))
    return FALSE;
  return previous == 0
         || (session_settle(s, previous, o->now_ms, error)
             && ppm_sql_exec(s, error,
                             "UPDATE sessions SET state = 'closed', reason = 'superseded',"
                             " ended_ms = ?, hold_minor = 0 WHERE id = ?",
                             "ii", o->now_ms, previous));
}

/* A standing charge's interval begins at most period/2 (the clock guard's
 * tolerance) after the charge, so it ends at most 1.5 periods after its
 * session ended, and a period is at most an hour: sessions of the pair that
 * ended longer ago than this cannot reach past a new t0. */
#define PAIR_REACH_MS (2 * 3600 * G_GINT64_CONSTANT(1000))

/* The shift (docs/billing-rules.md#money-moves-no-faster-than-time): how far past t0 the pair's
 * standing charges already pay, once its previous session is settled (none of its sessions is
 * open). */
static gboolean
open_shift(PpmSqlite *s, Open *o, gint64 member_id, gint64 t0_ms, gint64 *shift_ms, GError **error)
{
  gint64 paid_up_to;

  if (!ppm_sql_int(s, &paid_up_to, error,
                   "SELECT MAX (s.t0_ms + s.offset_ms - ?4 + (c.seq + 1) * s.period_seconds * 1000)"
                   " FROM sessions s JOIN charges c ON c.session_id = s.id"
                   " WHERE s.model_id = ?1 AND s.member_id = ?2 AND s.ended_ms > ?3"
                   " AND c.reversal_id IS NULL",
                   "iiii", o->model_id, member_id, t0_ms - PAIR_REACH_MS, (gint64)PPM_OFFSET_MS))
    return FALSE;
  *shift_ms = MAX(0, paid_up_to - t0_ms);
  return TRUE;
}

static gboolean
open_job(PpmSqlite *s, gpointer data, GError **error)
{
  Open *o = data;
  const PpmStoreOpenParams *p = o->params;
  const PpmBillingConfig *c = o->config;
  gint64 owner, member_id = 0, rate, max_rate, open_count, available, periods, hold;
  g_autofree char *member_name = NULL, *public_id = NULL, *body = NULL;
  gint64 timeout_ms
      = MAX(c->max_backdate_seconds, 2 * c->period_seconds + 60) * G_GINT64_CONSTANT(1000);
  gint64 t0_ms, shift_ms;
  gboolean found, allowed;
  sqlite3_stmt *stmt;
  int rc;

  /* The platform's instant, read on the writer: every earlier write is
   * committed or in this transaction, no later one can come between. */
  o->now_ms = g_get_real_time() / 1000;
  if (!open_replay(s, o, &found, error))
    return FALSE;
  if (found)
    return TRUE;
  if (!ppm_sql_int(s, &owner, error,
                   "SELECT user_id FROM handles WHERE protocol = ? AND handle = ?", "ss",
                   p->protocol, p->model_handle))
    return FALSE;
  if (owner != o->model_id)
    return ppm_sql_fail(error, PPM_STORE_ERROR_FORBIDDEN,
                        "model_handle is not linked to this account");
  rc = ppm_sql_row(s, &stmt, error,
                   "SELECT u.id, u.display_name, COALESCE (u.max_rate_minor, ?) FROM handles h"
                   " JOIN users u ON u.id = h.user_id WHERE h.protocol = ? AND h.handle = ?"
                   " AND u.role = 'member' AND u.disabled = 0",
                   "iss", ppm_store_default_max_rate(&s->parent), p->protocol, p->member_handle);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "member_handle is not a member");
  member_id = sqlite3_column_int64(stmt, 0);
  member_name = ppm_sql_text(stmt, 1);
  max_rate = sqlite3_column_int64(stmt, 2);
  sqlite3_reset(stmt);
  if (!ppm_allow_list_permits(s, member_id, o->model_id, &allowed, error))
    return FALSE;
  if (!allowed)
    return ppm_sql_fail(error, PPM_STORE_ERROR_MODEL_NOT_ALLOWED,
                        "the member does not accept billing from this model");
  if (!ppm_sql_int(s, &rate, error, "SELECT COALESCE (rate_minor, 0) FROM users WHERE id = ?", "i",
                   o->model_id))
    return FALSE;
  if (rate <= 0 || rate > max_rate || rate > c->max_rate_minor)
    return ppm_sql_fail(error, PPM_STORE_ERROR_RATE_NOT_ACCEPTED,
                        "the rate is not set or above the member's or the platform's cap");
  if (!ppm_sessions_expire_due(s, o->now_ms, error) || !open_supersede(s, o, member_id, error)
      || !ppm_sql_int(s, &open_count, error,
                      "SELECT COUNT (*) FROM sessions WHERE member_id = ? AND state = 'open'", "i",
                      member_id))
    return FALSE;
  if (open_count >= PPM_MAX_OPEN_SESSIONS)
    return ppm_sql_fail(error, PPM_STORE_ERROR_TOO_MANY_SESSIONS,
                        "the member has too many open sessions");
  if (!ppm_ledger_available(s, member_id, &available, error))
    return FALSE;
  periods = MIN(c->hold_periods, available / rate);
  if (periods < 1)
    return ppm_sql_fail(error, PPM_STORE_ERROR_INSUFFICIENT_FUNDS,
                        "the member cannot pay one period");
  hold = periods * rate;
  t0_ms = o->now_ms - MIN(p->elapsed_ms, c->max_backdate_seconds * G_GINT64_CONSTANT(1000));
  if (!open_shift(s, o, member_id, t0_ms, &shift_ms, error))
    return FALSE;
  public_id = ppm_token_new_id();
  body = ppm_answer_open(public_id, rate, s->parent.currency, c->period_seconds,
                         PPM_OFFSET_MS + shift_ms, c->fee_bps, member_name, periods);
  if (!ppm_sql_exec(s, error,
                    "INSERT INTO sessions (public_id, model_id, member_id, client_session_id,"
                    " protocol, model_handle, member_handle, rate_minor, period_seconds, fee_bps,"
                    " hold_periods, hold_minor, t0_ms, opened_ms, deadline_ms, timeout_ms, state,"
                    " open_body, offset_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                    " ?12, ?13, ?14, ?14 + ?15, ?15, 'open', ?16, ?17)",
                    "siissssinnniiiisi", public_id, o->model_id, member_id, p->client_session_id,
                    p->protocol, p->model_handle, p->member_handle, rate, c->period_seconds,
                    c->fee_bps, c->hold_periods, hold, t0_ms, o->now_ms, timeout_ms, body,
                    PPM_OFFSET_MS + shift_ms))
    return FALSE;
  o->answer->body = g_steal_pointer(&body);
  o->answer->replayed = FALSE;
  return TRUE;
}

static gboolean
sqlite_session_open(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                    const PpmBillingConfig *config, gint64 now_ms, PpmStoredAnswer *answer,
                    GError **error)
{
  Open o = { model_id, params, config, now_ms, answer };
  return ppm_sqlite_run((PpmSqlite *)store, open_job, &o, error);
}

typedef struct
{
  gint64 model_id;
  const char *session_id;
  gint64 seq;
  gint64 now_ms;
  PpmStoredAnswer *answer;
  gint64 retry_after_s;
} Charge;

static gboolean
charge_replay(PpmSqlite *s, Session *session, Charge *c, gboolean *found, GError **error)
{
  sqlite3_stmt *stmt;
  int rc = ppm_sql_row(s, &stmt, error, "SELECT body FROM charges WHERE session_id = ? AND seq = ?",
                       "ii", session->row, c->seq);

  if (rc < 0)
    return FALSE;
  *found = rc == 1;
  if (rc == 1)
    {
      c->answer->body = ppm_sql_text(stmt, 0);
      c->answer->replayed = TRUE;
      sqlite3_reset(stmt);
    }
  return TRUE;
}

/* docs/billing-rules.md#clock-guard: charge k not before its interval's start, t0 +
 * (offset − PPM_OFFSET_MS) + k·period, − min(max(5 s, 0.5 % of k·period),
 * period/2). */
static gboolean
charge_check_clock(Session *session, Charge *c, GError **error)
{
  gint64 since_start, tolerance, earliest;

  if (!ppm_int64_mul_checked(c->seq, session->period_ms, &since_start))
    return ppm_sql_fail(error, PPM_STORE_ERROR_INVALID, "seq out of range");
  tolerance = MIN(MAX(5000, since_start / 200), session->period_ms / 2);
  earliest = session->t0_ms + session->offset_ms - PPM_OFFSET_MS + since_start - tolerance;
  if (c->now_ms >= earliest)
    return TRUE;
  c->retry_after_s = MAX(1, (earliest - c->now_ms + 999) / 1000);
  return ppm_sql_fail(error, PPM_STORE_ERROR_TOO_EARLY,
                      "charge %" G_GINT64_FORMAT " is not due yet", c->seq);
}

/* Moves the charge's money (member −rate, model +(rate − fee), fees +fee)
 * and records the charge with its answer. */
static gboolean
charge_post(PpmSqlite *s, Session *session, Charge *c, gint64 fee, const char *body, GError **error)
{
  gint64 tx;

  return ppm_ledger_begin(s, "charge", session->row, c->now_ms, &tx, error)
         && ppm_ledger_post(s, tx, session->member_wallet, -session->rate, error)
         && ppm_ledger_post(s, tx, session->model_wallet, session->rate - fee, error)
         && ppm_ledger_post(s, tx, s->fees_wallet, fee, error)
         && ppm_sql_exec(s, error,
                         "INSERT INTO charges (session_id, seq, amount_minor, fee_minor, time_ms,"
                         " transaction_id, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         "iiiiiis", session->row, c->seq, session->rate, fee, c->now_ms, tx, body);
}

/* The next seq and how many of the session's charges were reversed.  Seqs
 * are recorded without gaps from 0 and charges are never deleted, so the
 * next one is MAX + 1: both are index lookups, not scans of the session's
 * charges. */
static gboolean
charge_counts(PpmSqlite *s, Session *session, gint64 *next, gint64 *reversed, GError **error)
{
  sqlite3_stmt *stmt;

  if (ppm_sql_row(s, &stmt, error,
                  "SELECT (SELECT COALESCE (MAX (seq) + 1, 0) FROM charges WHERE session_id = ?1),"
                  " (SELECT COUNT (*) FROM charges WHERE session_id = ?1"
                  " AND reversal_id IS NOT NULL)",
                  "i", session->row)
      != 1)
    return FALSE;
  *next = sqlite3_column_int64(stmt, 0);
  *reversed = sqlite3_column_int64(stmt, 1);
  sqlite3_reset(stmt);
  return TRUE;
}

static gboolean
charge_job(PpmSqlite *s, gpointer data, GError **error)
{
  Charge *c = data;
  g_auto(Session) session = { 0 };
  gint64 next, reversed, available, fee, hold, top_up, total;
  gboolean found;
  g_autofree char *body = NULL;

  if (!session_load(s, c->session_id, c->model_id, &session, error)
      || !charge_replay(s, &session, c, &found, error))
    return FALSE;
  if (found)
    return TRUE;
  if (!session_check_open(s, &session, c->now_ms, error)
      || !charge_counts(s, &session, &next, &reversed, error))
    return FALSE;
  if (c->seq > next)
    return ppm_sql_fail(error, PPM_STORE_ERROR_SEQ_GAP,
                        "seq %" G_GINT64_FORMAT " expected, got %" G_GINT64_FORMAT, next, c->seq);
  if (!charge_check_clock(&session, c, error)
      || !ppm_ledger_available(s, session.member_id, &available, error))
    return FALSE;
  /* Taken from the hold first; the rest must be available. */
  hold = MAX(0, session.hold - session.rate);
  if (available < session.rate - (session.hold - hold))
    return ppm_sql_fail(error, PPM_STORE_ERROR_INSUFFICIENT_FUNDS, "not enough funds");
  fee = ppm_money_fee(session.rate, session.fee_bps);
  /* After the debit: the balance lost the rate, the holds what this session's
   * hold gave. */
  available -= session.rate - (session.hold - hold);
  /* Top the hold up again, in whole periods. */
  top_up = MIN(session.hold_periods * session.rate - hold, available / session.rate * session.rate);
  hold += MAX(0, top_up);
  available -= MAX(0, top_up);
  /* Every charge of a session is of its rate. */
  total = (next + 1 - reversed) * session.rate;
  body = ppm_answer_charge(c->seq, session.rate, total, s->parent.currency, hold / session.rate,
                           MIN((available + hold) / session.rate, PPM_STORE_LOOKUP_MAX_MINUTES));
  if (!ppm_sql_exec(s, error,
                    "UPDATE sessions SET hold_minor = ?, deadline_ms = ? + timeout_ms"
                    " WHERE id = ?",
                    "iii", hold, c->now_ms, session.row)
      || !charge_post(s, &session, c, fee, body, error))
    return FALSE;
  c->answer->body = g_steal_pointer(&body);
  c->answer->replayed = FALSE;
  return TRUE;
}

/* A charge submitted without waiting: it owns its copy of the session id
 * and the result its callback reads. */
typedef struct
{
  Charge charge;
  char *session_id;
  PpmStoreChargeResult result;
  PpmStoreChargeDone done;
  gpointer user_data;
} ChargeSubmitted;

static void
charge_submitted_done(gboolean ok, GError *error, gpointer data)
{
  ChargeSubmitted *cs = data;

  cs->result.error = error;
  cs->result.retry_after_s = cs->charge.retry_after_s;
  cs->done(&cs->result, cs->user_data);
  ppm_stored_answer_clear(&cs->result.answer);
  g_clear_error(&cs->result.error);
  g_free(cs->session_id);
  g_free(cs);
}

static void
sqlite_session_charge_submit(PpmStore *store, const char *access_hash, const char *session_id,
                             gint64 seq, gint64 elapsed_ms, gint64 now_ms, PpmStoreChargeDone done,
                             gpointer user_data)
{
  ChargeSubmitted *cs;
  gint64 model_id;
  GError *error = NULL;

  /* On a read-only connection, in the caller's thread: no wait for the writer. */
  if (!ppm_store_authenticate_model(store, access_hash, now_ms, &model_id, &error))
    {
      PpmStoreChargeResult refused = { { NULL, FALSE }, 0, error };

      done(&refused, user_data);
      g_error_free(error);
      return;
    }
  cs = g_new0(ChargeSubmitted, 1);
  cs->session_id = g_strdup(session_id);
  cs->charge = (Charge){ model_id, cs->session_id, seq, now_ms, &cs->result.answer, 0 };
  cs->done = done;
  cs->user_data = user_data;
  ppm_sqlite_submit((PpmSqlite *)store, charge_job, charge_submitted_done, cs);
}

typedef struct
{
  gint64 model_id;
  const char *session_id;
  const char *reason;
  gint64 elapsed_ms;
  const char *rate_url;
  gint64 now_ms;
  PpmStoredAnswer *answer;
} Close;

static gboolean
close_job(PpmSqlite *s, gpointer data, GError **error)
{
  Close *c = data;
  g_auto(Session) session = { 0 };
  gint64 reversed = 0, periods, total;
  g_autofree char *body = NULL;
  sqlite3_stmt *stmt;

  /* Read on the writer, as open does: the end is never before a charge. */
  c->now_ms = g_get_real_time() / 1000;
  if (!session_load(s, c->session_id, c->model_id, &session, error))
    return FALSE;
  if (session.close_body != NULL)
    {
      c->answer->body = g_steal_pointer(&session.close_body);
      c->answer->replayed = TRUE;
      return TRUE;
    }
  if (!session_check_open(s, &session, c->now_ms, error))
    return FALSE;
  if (!g_str_equal(c->reason, "client_restart")
      && !reverse_after(s, session.row, c->elapsed_ms, c->now_ms, &reversed, error))
    return FALSE;
  if (ppm_sql_row(s, &stmt, error,
                  "SELECT COUNT (*), COALESCE (SUM (amount_minor), 0) FROM charges"
                  " WHERE session_id = ? AND reversal_id IS NULL",
                  "i", session.row)
      != 1)
    return FALSE;
  periods = sqlite3_column_int64(stmt, 0);
  total = sqlite3_column_int64(stmt, 1);
  sqlite3_reset(stmt);
  body = ppm_answer_close(c->session_id, periods, total, reversed, s->parent.currency,
                          c->elapsed_ms, c->rate_url);
  if (!ppm_sql_exec(s, error,
                    "UPDATE sessions SET state = 'closed', reason = ?, ended_ms = ?,"
                    " close_elapsed_ms = ?, hold_minor = 0, close_body = ? WHERE id = ?",
                    "siisi", c->reason, c->now_ms, c->elapsed_ms, body, session.row))
    return FALSE;
  c->answer->body = g_steal_pointer(&body);
  c->answer->replayed = FALSE;
  return TRUE;
}

static gboolean
sqlite_session_close(PpmStore *store, gint64 model_id, const char *session_id, const char *reason,
                     gint64 elapsed_ms, const char *rate_url, gint64 now_ms,
                     PpmStoredAnswer *answer, GError **error)
{
  Close c = { model_id, session_id, reason, elapsed_ms, rate_url, now_ms, answer };
  return ppm_sqlite_run((PpmSqlite *)store, close_job, &c, error);
}

static gboolean
tick_job(PpmSqlite *s, gpointer data, GError **error)
{
  gint64 now_ms = *(gint64 *)data;

  return ppm_sessions_expire_due(s, now_ms, error)
         && ppm_sql_exec(s, error,
                         "INSERT INTO meta VALUES ('alive_ms', ?1) ON CONFLICT (key)"
                         " DO UPDATE SET value = ?1",
                         "i", now_ms);
}

static gboolean
sqlite_sessions_tick(PpmStore *store, gint64 now_ms, GError **error)
{
  return ppm_sqlite_run((PpmSqlite *)store, tick_job, &now_ms, error);
}

static gboolean
resume_job(PpmSqlite *s, gpointer data, GError **error)
{
  gint64 now_ms = *(gint64 *)data;
  gint64 alive_ms;

  if (!ppm_sql_int(s, &alive_ms, error,
                   "SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'alive_ms'", ""))
    return FALSE;
  if (alive_ms > 0 && now_ms > alive_ms
      && !ppm_sql_exec(s, error,
                       "UPDATE sessions SET deadline_ms = deadline_ms + ? WHERE state = 'open'",
                       "i", now_ms - alive_ms))
    return FALSE;
  return tick_job(s, data, error);
}

static gboolean
sqlite_sessions_resume(PpmStore *store, gint64 now_ms, GError **error)
{
  return ppm_sqlite_run((PpmSqlite *)store, resume_job, &now_ms, error);
}

typedef struct
{
  gint64 user_id;
  const char *session_id;
  int stars;
  const char *comment;
  gint64 now_ms;
} Rating;

static gboolean
rate_job(PpmSqlite *s, gpointer data, GError **error)
{
  Rating *r = data;
  gint64 row, paid, paid_minor, rated;

  if (!ppm_sql_int(
          s, &row, error,
          "SELECT id FROM sessions WHERE public_id = ? AND (member_id = ?2 OR model_id = ?2)", "si",
          r->session_id, r->user_id))
    return FALSE;
  if (row == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "no such session");
  if (!ppm_ledger_standing(s, row, &paid, &paid_minor, error))
    return FALSE;
  if (paid == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_INVALID,
                        "nothing to rate: no minute of this call stands paid");
  if (!ppm_sql_int(s, &rated, error,
                   "SELECT COUNT (*) FROM ratings WHERE session_id = ? AND user_id = ?", "ii", row,
                   r->user_id))
    return FALSE;
  if (rated > 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_ALREADY_RATED, "already rated");
  return ppm_sql_exec(s, error,
                      "INSERT INTO ratings (session_id, user_id, stars, comment, time_ms)"
                      " VALUES (?, ?, ?, ?, ?)",
                      "iinsi", row, r->user_id, r->stars, r->comment, r->now_ms);
}

static gboolean
sqlite_session_rate(PpmStore *store, gint64 user_id, const char *session_id, int stars,
                    const char *comment, gint64 now_ms, GError **error)
{
  Rating r = { user_id, session_id, stars, comment, now_ms };
  return ppm_sqlite_run((PpmSqlite *)store, rate_job, &r, error);
}

static gboolean
app_rate_job(PpmSqlite *s, gpointer data, GError **error)
{
  Rating *r = data;
  gint64 row = 0;

  if (r->session_id != NULL)
    {
      if (!ppm_sql_int(s, &row, error,
                       "SELECT id FROM sessions WHERE public_id = ?"
                       " AND (member_id = ?2 OR model_id = ?2)",
                       "si", r->session_id, r->user_id))
        return FALSE;
      if (row == 0)
        return ppm_sql_fail(error, PPM_STORE_ERROR_INVALID, "session_id: no such session");
    }
  return ppm_sql_exec(s, error,
                      "INSERT INTO app_ratings (user_id, session_id, stars, comment, time_ms)"
                      " VALUES (?, NULLIF (?, 0), ?, ?, ?)",
                      "iinsi", r->user_id, row, r->stars, r->comment, r->now_ms);
}

static gboolean
sqlite_app_rate(PpmStore *store, gint64 user_id, int stars, const char *comment,
                const char *session_id, gint64 now_ms, GError **error)
{
  Rating r = { user_id, session_id, stars, comment, now_ms };
  return ppm_sqlite_run((PpmSqlite *)store, app_rate_job, &r, error);
}

void
ppm_sqlite_sessions_ops(PpmStoreOps *ops)
{
  ops->session_open = sqlite_session_open;
  ops->session_charge_submit = sqlite_session_charge_submit;
  ops->session_close = sqlite_session_close;
  ops->sessions_tick = sqlite_sessions_tick;
  ops->sessions_resume = sqlite_sessions_resume;
  ops->session_rate = sqlite_session_rate;
  ops->app_rate = sqlite_app_rate;
}

gboolean
ppm_sqlite_reverse_all(PpmSqlite *s, gint64 session_row, gint64 now_ms, gint64 *reversed,
                       GError **error)
{
  return reverse_after(s, session_row, -1, now_ms, reversed, error);
}
