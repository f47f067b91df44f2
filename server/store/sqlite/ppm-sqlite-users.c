/* Users, tokens, login throttling, accounts, handles and lookups (SQLite). */
#include "ppm-sqlite.h"

#include "ppm-amount.h"

#define USER_COLUMNS "u.id, u.email, u.role, u.display_name, u.password_hash, u.disabled"

static PpmStoreUser *
user_from_row(sqlite3_stmt *stmt)
{
  PpmStoreUser *user = g_new0(PpmStoreUser, 1);

  user->id = sqlite3_column_int64(stmt, 0);
  user->email = ppm_sql_text(stmt, 1);
  ppm_role_from_string((const char *)sqlite3_column_text(stmt, 2), &user->role);
  user->display_name = ppm_sql_text(stmt, 3);
  user->password_hash = ppm_sql_text(stmt, 4);
  user->disabled = sqlite3_column_int(stmt, 5) != 0;
  sqlite3_reset(stmt);
  return user;
}

/* A job that fills `result` with one user found by `sql` bound to one value. */
typedef struct
{
  const char *sql;
  const char *text;
  gint64 number;
  gint64 now_ms;
  PpmStoreUser *result;
} UserQuery;

static gboolean
user_query_job(PpmSqlite *s, gpointer data, GError **error)
{
  UserQuery *q = data;
  sqlite3_stmt *stmt;
  int rc = q->text ? ppm_sql_row(s, &stmt, error, q->sql, "si", q->text, q->now_ms)
                   : ppm_sql_row(s, &stmt, error, q->sql, "ii", q->number, q->now_ms);

  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "no such user");
  q->result = user_from_row(stmt);
  return TRUE;
}

static PpmStoreUser *
user_query(PpmStore *store, UserQuery *q, GError **error)
{
  ppm_sqlite_read((PpmSqlite *)store, user_query_job, q, error);
  return q->result;
}

static PpmStoreUser *
sqlite_get_user_by_email(PpmStore *store, const char *email, GError **error)
{
  UserQuery q = { .sql = "SELECT " USER_COLUMNS " FROM users u WHERE email = ?", .text = email };
  return user_query(store, &q, error);
}

static PpmStoreUser *
sqlite_get_user_by_id(PpmStore *store, gint64 user_id, GError **error)
{
  UserQuery q = { .sql = "SELECT " USER_COLUMNS " FROM users u WHERE id = ?", .number = user_id };
  return user_query(store, &q, error);
}

static PpmStoreUser *
sqlite_tokens_authenticate(PpmStore *store, const char *access_hash, gint64 now_ms, GError **error)
{
  g_autoptr(GError) local = NULL;
  PpmStoreUser *user;
  UserQuery q = { .sql = "SELECT " USER_COLUMNS " FROM tokens t JOIN users u ON u.id = t.user_id"
                         " WHERE t.access_hash = ? AND t.revoked = 0 AND t.access_expires_ms > ?"
                         " AND u.disabled = 0",
                  .text = access_hash,
                  .now_ms = now_ms };

  user = user_query(store, &q, &local);
  if (user == NULL)
    {
      if (g_error_matches(local, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
        ppm_sql_fail(error, PPM_STORE_ERROR_UNAUTHORIZED, "invalid or expired token");
      else
        g_propagate_error(error, g_steal_pointer(&local));
    }
  return user;
}

typedef struct
{
  const char *email;
  PpmRole role;
  const char *display_name;
  const char *password_hash;
  gint64 now_ms;
  gint64 user_id;
} CreateUser;

static gboolean
create_user_job(PpmSqlite *s, gpointer data, GError **error)
{
  CreateUser *c = data;
  g_autofree char *wallet = NULL;
  gint64 existing;

  if (!ppm_sql_int(s, &existing, error, "SELECT id FROM users WHERE email = ?", "s", c->email))
    return FALSE;
  if (existing != 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_EMAIL_TAKEN, "this email is already used");
  if (!ppm_sql_exec(s, error,
                    "INSERT INTO users (email, role, display_name, password_hash, created_ms)"
                    " VALUES (?, ?, ?, ?, ?)",
                    "ssssi", c->email, ppm_role_to_string(c->role), c->display_name,
                    c->password_hash, c->now_ms))
    return FALSE;
  c->user_id = sqlite3_last_insert_rowid(s->db);
  wallet = g_strdup_printf("user:%" G_GINT64_FORMAT, c->user_id);
  return ppm_sql_exec(s, error,
                      "INSERT INTO wallets (user_id, name, balance_minor)"
                      " VALUES (?, ?, 0)",
                      "is", c->user_id, wallet);
}

static gboolean
sqlite_create_user(PpmStore *store, const char *email, PpmRole role, const char *display_name,
                   const char *password_hash, gint64 *user_id, GError **error)
{
  CreateUser c = { email, role, display_name, password_hash, g_get_real_time() / 1000, 0 };

  if (!ppm_sqlite_run((PpmSqlite *)store, create_user_job, &c, error))
    return FALSE;
  if (user_id)
    *user_id = c.user_id;
  return TRUE;
}

/* A job that runs up to two statements bound to (?1 text, ?2 text2, ?3
 * number, ?4 number2) and fails with NOT_FOUND when the first one changes nothing. */
typedef struct
{
  const char *sql[2];
  const char *text;
  const char *text2;
  gint64 number;
  const char *not_found;
  gint64 number2;
} Update;

static gboolean
update_job(PpmSqlite *s, gpointer data, GError **error)
{
  Update *u = data;

  for (int i = 0; i < 2 && u->sql[i]; i++)
    {
      if (!ppm_sql_exec(s, error, u->sql[i], "ssii", u->text, u->text2, u->number, u->number2))
        return FALSE;
      if (i == 0 && sqlite3_changes(s->db) == 0)
        return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "%s", u->not_found);
    }
  return TRUE;
}

static gboolean
run_update(PpmStore *store, Update *u, GError **error)
{
  return ppm_sqlite_run((PpmSqlite *)store, update_job, u, error);
}

static gboolean
sqlite_set_password(PpmStore *store, gint64 user_id, const char *password_hash,
                    const char *keep_access_hash, GError **error)
{
  Update u = { { "UPDATE users SET password_hash = ?1 WHERE id = ?3",
                 "UPDATE tokens SET revoked = 1 WHERE user_id = ?3"
                 " AND (?2 IS NULL OR access_hash != ?2)" },
               password_hash,
               keep_access_hash,
               user_id,
               "no such user",
               0 };
  return run_update(store, &u, error);
}

static gboolean
sqlite_disable_user(PpmStore *store, gint64 user_id, GError **error)
{
  Update u = { { "UPDATE users SET disabled = 1 WHERE id = ?3",
                 "UPDATE tokens SET revoked = 1 WHERE user_id = ?3" },
               NULL,
               NULL,
               user_id,
               "no such user",
               0 };
  return run_update(store, &u, error);
}

static gboolean
sqlite_revoke_tokens(PpmStore *store, gint64 user_id, GError **error)
{
  /* The first statement only proves the user exists. */
  Update u = { { "UPDATE users SET disabled = disabled WHERE id = ?3",
                 "UPDATE tokens SET revoked = 1 WHERE user_id = ?3" },
               NULL,
               NULL,
               user_id,
               "no such user",
               0 };
  return run_update(store, &u, error);
}

static gboolean
sqlite_set_rate(PpmStore *store, gint64 user_id, gint64 rate_minor, GError **error)
{
  Update u = { { "UPDATE users SET rate_minor = ?4 WHERE id = ?3" },
               NULL,
               NULL,
               user_id,
               "no such user",
               rate_minor };
  return run_update(store, &u, error);
}

static gboolean
sqlite_set_max_rate(PpmStore *store, gint64 user_id, gint64 max_rate_minor, GError **error)
{
  Update u = { { "UPDATE users SET max_rate_minor = ?4 WHERE id = ?3" },
               NULL,
               NULL,
               user_id,
               "no such user",
               max_rate_minor };
  return run_update(store, &u, error);
}

static gboolean
sqlite_tokens_revoke_pair(PpmStore *store, const char *access_hash, GError **error)
{
  g_autoptr(GError) local = NULL;
  Update u = { { "UPDATE tokens SET revoked = 1 WHERE access_hash = ?1" },
               access_hash,
               NULL,
               0,
               "unknown token",
               0 };

  if (run_update(store, &u, &local))
    return TRUE;
  if (g_error_matches(local, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
    return ppm_sql_fail(error, PPM_STORE_ERROR_UNAUTHORIZED, "unknown token");
  g_propagate_error(error, g_steal_pointer(&local));
  return FALSE;
}

typedef struct
{
  const char *email;
  const char *address;
  gint64 now_ms;
  gint64 retry_after_s;
} Login;

/* The check and the failure it reserves are one job, so one transaction:
 * concurrent guesses are counted one after the other. */
static gboolean
login_attempt_job(PpmSqlite *s, gpointer data, GError **error)
{
  Login *l = data;
  sqlite3_stmt *stmt;
  gint64 failures, oldest, window_start = l->now_ms - PPM_LOGIN_WINDOW_SECONDS * 1000;

  if (!ppm_sql_exec(s, error, "DELETE FROM login_failures WHERE time_ms <= ?", "i", window_start))
    return FALSE;
  if (ppm_sql_row(s, &stmt, error,
                  "SELECT COUNT (*), MIN (time_ms) FROM login_failures"
                  " WHERE email = ? AND address = ? AND time_ms > ?",
                  "ssi", l->email, l->address, window_start)
      != 1)
    return FALSE;
  failures = sqlite3_column_int64(stmt, 0);
  oldest = sqlite3_column_int64(stmt, 1);
  sqlite3_reset(stmt);
  if (failures >= PPM_LOGIN_MAX_FAILURES)
    {
      l->retry_after_s
          = MAX(1, (oldest + PPM_LOGIN_WINDOW_SECONDS * 1000 - l->now_ms + 999) / 1000);
      return ppm_sql_fail(error, PPM_STORE_ERROR_RATE_LIMITED, "too many failed logins");
    }
  return ppm_sql_exec(s, error,
                      "INSERT INTO login_failures (email, address, time_ms) VALUES (?, ?, ?)",
                      "ssi", l->email, l->address, l->now_ms);
}

static gboolean
login_forget_job(PpmSqlite *s, gpointer data, GError **error)
{
  Login *l = data;

  return ppm_sql_exec(s, error, "DELETE FROM login_failures WHERE email = ? AND address = ?", "ss",
                      l->email, l->address);
}

static gboolean
sqlite_login_attempt(PpmStore *store, const char *email, const char *address, gint64 now_ms,
                     gint64 *retry_after_s, GError **error)
{
  Login l = { email, address, now_ms, 0 };
  gboolean ok = ppm_sqlite_run((PpmSqlite *)store, login_attempt_job, &l, error);

  if (retry_after_s)
    *retry_after_s = l.retry_after_s;
  return ok;
}

static gboolean
sqlite_login_forget(PpmStore *store, const char *email, const char *address, GError **error)
{
  Login l = { email, address, 0, 0 };
  return ppm_sqlite_run((PpmSqlite *)store, login_forget_job, &l, error);
}

typedef struct
{
  gint64 user_id;
  const char *old_refresh_hash;
  const char *access_hash;
  const char *refresh_hash;
  gint64 now_ms;
  PpmStoreUser *user;
} Tokens;

static gboolean
insert_pair(PpmSqlite *s, Tokens *t, GError **error)
{
  return ppm_sql_exec(s, error,
                      "INSERT INTO tokens (user_id, access_hash, refresh_hash,"
                      " access_expires_ms, refresh_expires_ms) VALUES (?, ?, ?, ?, ?)",
                      "issii", t->user_id, t->access_hash, t->refresh_hash,
                      t->now_ms + PPM_ACCESS_TOKEN_SECONDS * G_GINT64_CONSTANT(1000),
                      t->now_ms + PPM_REFRESH_TOKEN_SECONDS * G_GINT64_CONSTANT(1000));
}

static gboolean
tokens_issue_job(PpmSqlite *s, gpointer data, GError **error)
{
  return insert_pair(s, data, error);
}

static gboolean
sqlite_tokens_issue(PpmStore *store, gint64 user_id, const char *access_hash,
                    const char *refresh_hash, gint64 now_ms, GError **error)
{
  Tokens t = { user_id, NULL, access_hash, refresh_hash, now_ms, NULL };
  return ppm_sqlite_run((PpmSqlite *)store, tokens_issue_job, &t, error);
}

static gboolean
tokens_refresh_job(PpmSqlite *s, gpointer data, GError **error)
{
  Tokens *t = data;
  sqlite3_stmt *stmt;
  gint64 token_id;
  int rc;

  rc = ppm_sql_row(s, &stmt, error,
                   "SELECT " USER_COLUMNS ", t.id FROM tokens t JOIN users u ON u.id = t.user_id"
                   " WHERE t.refresh_hash = ?1 AND t.revoked = 0 AND t.refresh_expires_ms > ?2"
                   " AND u.disabled = 0 AND (t.rotated_ms IS NULL OR t.rotated_ms > ?2 - ?3)",
                   "sii", t->old_refresh_hash, t->now_ms, (gint64)PPM_REFRESH_GRACE_SECONDS * 1000);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_UNAUTHORIZED, "invalid or expired token");
  token_id = sqlite3_column_int64(stmt, 6);
  t->user = user_from_row(stmt);
  t->user_id = t->user->id;
  return ppm_sql_exec(s, error,
                      "UPDATE tokens SET rotated_ms = COALESCE (rotated_ms, ?) WHERE id = ?", "ii",
                      t->now_ms, token_id)
         && insert_pair(s, t, error);
}

static PpmStoreUser *
sqlite_tokens_refresh(PpmStore *store, const char *old_refresh_hash, const char *access_hash,
                      const char *refresh_hash, gint64 now_ms, GError **error)
{
  Tokens t = { 0, old_refresh_hash, access_hash, refresh_hash, now_ms, NULL };

  if (!ppm_sqlite_run((PpmSqlite *)store, tokens_refresh_job, &t, error))
    g_clear_pointer(&t.user, ppm_store_user_free);
  return t.user;
}

typedef struct
{
  gint64 user_id;
  gint64 now_ms;
  PpmStoreAccount *account;
} AccountQuery;

static gboolean
account_job(PpmSqlite *s, gpointer data, GError **error)
{
  AccountQuery *q = data;
  g_autoptr(PpmStoreAccount) account = g_new0(PpmStoreAccount, 1);
  sqlite3_stmt *stmt;
  int rc;

  if (!ppm_sessions_expire_due(s, q->now_ms, error))
    return FALSE;
  rc = ppm_sql_row(s, &stmt, error,
                   "SELECT " USER_COLUMNS ", w.balance_minor, COALESCE (u.rate_minor, 0),"
                   " COALESCE (u.max_rate_minor, ?) FROM users u JOIN wallets w"
                   " ON w.user_id = u.id WHERE u.id = ?",
                   "ii", ppm_store_default_max_rate(&s->parent), q->user_id);
  if (rc < 0)
    return FALSE;
  if (rc == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "no such user");
  account->balance_minor = sqlite3_column_int64(stmt, 6);
  account->rate_minor = sqlite3_column_int64(stmt, 7);
  account->max_rate_minor = sqlite3_column_int64(stmt, 8);
  account->user = user_from_row(stmt);
  if (!ppm_ledger_available(s, q->user_id, &account->available_minor, error))
    return FALSE;
  account->handles = g_ptr_array_new_with_free_func((GDestroyNotify)ppm_store_handle_free);
  stmt = ppm_sql_query(s, error,
                       "SELECT protocol, handle FROM handles WHERE user_id = ?"
                       " ORDER BY protocol, handle",
                       "i", q->user_id);
  if (stmt == NULL)
    return FALSE;
  while ((rc = ppm_sql_step(s, stmt, error)) == 1)
    {
      PpmStoreHandle *handle = g_new0(PpmStoreHandle, 1);
      handle->protocol = ppm_sql_text(stmt, 0);
      handle->handle = ppm_sql_text(stmt, 1);
      g_ptr_array_add(account->handles, handle);
    }
  if (rc < 0)
    return FALSE;
  q->account = g_steal_pointer(&account);
  return TRUE;
}

static PpmStoreAccount *
sqlite_account_get(PpmStore *store, gint64 user_id, GError **error)
{
  AccountQuery q = { user_id, g_get_real_time() / 1000, NULL };

  ppm_sqlite_run((PpmSqlite *)store, account_job, &q, error);
  return q.account;
}

typedef struct
{
  gint64 user_id;
  const char *protocol;
  const char *handle;
  gboolean link;
} HandleChange;

static gboolean
handle_job(PpmSqlite *s, gpointer data, GError **error)
{
  HandleChange *h = data;
  gint64 owner, linked;

  if (!ppm_sql_int(s, &owner, error,
                   "SELECT user_id FROM handles WHERE protocol = ? AND handle = ?", "ss",
                   h->protocol, h->handle))
    return FALSE;
  if (!h->link)
    {
      if (owner != h->user_id)
        return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "this handle is not linked");
      return ppm_sql_exec(s, error, "DELETE FROM handles WHERE protocol = ? AND handle = ?", "ss",
                          h->protocol, h->handle);
    }
  if (owner == h->user_id)
    return TRUE;
  if (owner != 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_HANDLE_TAKEN,
                        "this handle is linked to another account");
  if (!ppm_sql_int(s, &linked, error, "SELECT COUNT (*) FROM handles WHERE user_id = ?", "i",
                   h->user_id))
    return FALSE;
  if (linked >= PPM_MAX_HANDLES)
    return ppm_sql_fail(error, PPM_STORE_ERROR_INVALID,
                        "an account links at most %d handles: unlink one first", PPM_MAX_HANDLES);
  return ppm_sql_exec(s, error, "INSERT INTO handles (protocol, handle, user_id) VALUES (?, ?, ?)",
                      "ssi", h->protocol, h->handle, h->user_id);
}

static gboolean
sqlite_handle_link(PpmStore *store, gint64 user_id, const char *protocol, const char *handle,
                   GError **error)
{
  HandleChange h = { user_id, protocol, handle, TRUE };
  return ppm_sqlite_run((PpmSqlite *)store, handle_job, &h, error);
}

static gboolean
sqlite_handle_unlink(PpmStore *store, gint64 user_id, const char *protocol, const char *handle,
                     GError **error)
{
  HandleChange h = { user_id, protocol, handle, FALSE };
  return ppm_sqlite_run((PpmSqlite *)store, handle_job, &h, error);
}

typedef struct
{
  gint64 model_id;
  const char *protocol;
  const char *handle;
  gint64 now_ms;
  gint64 retry_after_s;
  PpmStoreLookup *result;
} LookupQuery;

/* Counts a lookup of (protocol, handle) by the model against its limit and
 * records it; RATE_LIMITED (nothing recorded) over the limit.  Rows older
 * than any question asked of them go. */
static gboolean
lookup_count(PpmSqlite *s, gint64 model_id, const char *protocol, const char *handle, gint64 now_ms,
             gint64 *retry_after_s, GError **error)
{
  gint64 window_start = now_ms - 60000;
  gint64 count, oldest;
  sqlite3_stmt *stmt;

  if (ppm_sql_row(s, &stmt, error,
                  "SELECT COUNT (*), MIN (time_ms) FROM lookups WHERE model_id = ? AND time_ms > ?",
                  "ii", model_id, window_start)
      != 1)
    return FALSE;
  count = sqlite3_column_int64(stmt, 0);
  oldest = sqlite3_column_int64(stmt, 1);
  sqlite3_reset(stmt);
  if (count >= PPM_LOOKUPS_PER_MINUTE)
    {
      *retry_after_s = MAX(1, (oldest + 60000 - now_ms + 999) / 1000);
      return ppm_sql_fail(error, PPM_STORE_ERROR_RATE_LIMITED, "too many lookups");
    }
  return ppm_sql_exec(s, error, "DELETE FROM lookups WHERE model_id = ? AND time_ms <= ?", "ii",
                      model_id,
                      now_ms - PPM_STORE_LOOKUP_REMEMBER_SECONDS * G_GINT64_CONSTANT(1000))
         && ppm_sql_exec(s, error,
                         "INSERT INTO lookups (model_id, time_ms, protocol, handle)"
                         " VALUES (?, ?, ?, ?)",
                         "iiss", model_id, now_ms, protocol, handle);
}

static gboolean
lookup_job(PpmSqlite *s, gpointer data, GError **error)
{
  LookupQuery *q = data;
  g_autoptr(PpmStoreLookup) result = g_new0(PpmStoreLookup, 1);
  gint64 unit = ppm_money_unit(s->parent.digits);
  gint64 rate, member_id, available;
  sqlite3_stmt *stmt;
  int rc;

  if (!lookup_count(s, q->model_id, q->protocol, q->handle, q->now_ms, &q->retry_after_s, error)
      || !ppm_sessions_expire_due(s, q->now_ms, error)
      || !ppm_sql_int(s, &rate, error, "SELECT COALESCE (rate_minor, ?) FROM users WHERE id = ?",
                      "ii", unit, q->model_id))
    return FALSE;
  rc = ppm_sql_row(s, &stmt, error,
                   "SELECT u.id, u.display_name FROM handles h JOIN users u ON u.id = h.user_id"
                   " WHERE h.protocol = ? AND h.handle = ? AND u.role = 'member'"
                   " AND u.disabled = 0",
                   "ss", q->protocol, q->handle);
  if (rc < 0)
    return FALSE;
  if (rc == 1)
    {
      member_id = sqlite3_column_int64(stmt, 0);
      result->display_name = ppm_sql_text(stmt, 1);
      sqlite3_reset(stmt);
      if (!ppm_ledger_available(s, member_id, &available, error)
          || !ppm_allow_list_permits(s, member_id, q->model_id, &result->billing_allowed, error))
        return FALSE;
      result->status = available >= rate ? PPM_STORE_LOOKUP_FUNDED : PPM_STORE_LOOKUP_UNFUNDED;
      if (result->status == PPM_STORE_LOOKUP_FUNDED)
        result->minutes_affordable
            = CLAMP(available / MAX(rate, unit), 1, PPM_STORE_LOOKUP_MAX_MINUTES);
    }
  q->result = g_steal_pointer(&result);
  return TRUE;
}

static PpmStoreLookup *
sqlite_lookup(PpmStore *store, gint64 model_id, const char *protocol, const char *handle,
              gint64 now_ms, gint64 *retry_after_s, GError **error)
{
  LookupQuery q = { model_id, protocol, handle, now_ms, 0, NULL };

  ppm_sqlite_run((PpmSqlite *)store, lookup_job, &q, error);
  if (retry_after_s)
    *retry_after_s = q.retry_after_s;
  return q.result;
}

typedef struct
{
  gint64 model_id;
  const PpmStoreOpenParams *params;
  gint64 now_ms;
  gint64 retry_after_s;
} OpenCount;

static gboolean
open_count_job(PpmSqlite *s, gpointer data, GError **error)
{
  OpenCount *c = data;
  const PpmStoreOpenParams *p = c->params;
  gint64 skip;

  if (!ppm_sql_int(s, &skip, error,
                   "SELECT EXISTS (SELECT 1 FROM sessions WHERE model_id = ?1"
                   " AND client_session_id = ?2)"
                   " OR NOT EXISTS (SELECT 1 FROM handles WHERE protocol = ?3 AND handle = ?4"
                   " AND user_id = ?1)"
                   " OR EXISTS (SELECT 1 FROM lookups WHERE model_id = ?1 AND protocol = ?3"
                   " AND handle = ?5 AND time_ms > ?6)",
                   "issssi", c->model_id, p->client_session_id, p->protocol, p->model_handle,
                   p->member_handle,
                   c->now_ms - PPM_STORE_LOOKUP_REMEMBER_SECONDS * G_GINT64_CONSTANT(1000)))
    return FALSE;
  if (skip)
    return TRUE;
  return lookup_count(s, c->model_id, p->protocol, p->member_handle, c->now_ms, &c->retry_after_s,
                      error);
}

static gboolean
sqlite_session_open_count(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                          gint64 now_ms, gint64 *retry_after_s, GError **error)
{
  OpenCount c = { model_id, params, now_ms, 0 };
  gboolean ok = ppm_sqlite_run((PpmSqlite *)store, open_count_job, &c, error);

  *retry_after_s = c.retry_after_s;
  return ok;
}

void
ppm_sqlite_users_ops(PpmStoreOps *ops)
{
  ops->create_user = sqlite_create_user;
  ops->get_user_by_email = sqlite_get_user_by_email;
  ops->get_user_by_id = sqlite_get_user_by_id;
  ops->set_password = sqlite_set_password;
  ops->disable_user = sqlite_disable_user;
  ops->revoke_tokens = sqlite_revoke_tokens;
  ops->login_attempt = sqlite_login_attempt;
  ops->login_forget = sqlite_login_forget;
  ops->tokens_issue = sqlite_tokens_issue;
  ops->tokens_refresh = sqlite_tokens_refresh;
  ops->tokens_authenticate = sqlite_tokens_authenticate;
  ops->tokens_revoke_pair = sqlite_tokens_revoke_pair;
  ops->account_get = sqlite_account_get;
  ops->set_rate = sqlite_set_rate;
  ops->set_max_rate = sqlite_set_max_rate;
  ops->handle_link = sqlite_handle_link;
  ops->handle_unlink = sqlite_handle_unlink;
  ops->lookup = sqlite_lookup;
  ops->session_open_count = sqlite_session_open_count;
}
