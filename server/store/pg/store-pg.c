/* The PostgreSQL engine: opening, users, tokens, accounts and lookups.
 * Sessions are in store-pg-sessions.c, the ledger's admin side in
 * store-pg-admin.c. */
#include "ppm-amount.h"
#include "ppm-pg.h"

#include <json-glib/json-glib.h>

/* Connections per process.  A charge spends most of its time waiting for
 * its commit's WAL flush; more connections committing at once share each
 * flush (group commit).  16 still lets several servers share PostgreSQL's
 * default max_connections (100). */
#define POOL_SIZE 16

gboolean
ppm_pg_store_run(PpmStore *store, PpmPgStatement statement, const PpmPgParams *params,
                 GError **error)
{
  g_autoptr(PGresult) result = ppm_pg_query(PPM_PG_POOL(store), statement, params, NULL, error);

  return result != NULL;
}

gboolean
ppm_pg_store_run_found(PpmStore *store, PpmPgStatement statement, const PpmPgParams *params,
                       const char *missing, GError **error)
{
  g_autoptr(PGresult) result = ppm_pg_query(PPM_PG_POOL(store), statement, params, NULL, error);

  if (result == NULL)
    return FALSE;
  if (PQntuples(result) == 0)
    {
      g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND, missing);
      return FALSE;
    }
  return TRUE;
}

PpmStoreUser *
ppm_pg_user_from_row(const PGresult *result, int row)
{
  PpmStoreUser *user = g_new0(PpmStoreUser, 1);

  user->id = ppm_pg_int(result, row, 0);
  user->email = g_strdup(ppm_pg_text(result, row, 1));
  ppm_role_from_string(ppm_pg_text(result, row, 2), &user->role);
  user->display_name = g_strdup(ppm_pg_text(result, row, 3));
  user->password_hash = g_strdup(ppm_pg_text(result, row, 4));
  user->disabled = ppm_pg_int(result, row, 5) != 0;
  return user;
}

/* The user a statement returns; `missing` when it returns none. */
static PpmStoreUser *
query_user(PpmStore *store, PpmPgStatement statement, const PpmPgParams *params,
           PpmStoreError missing, GError **error)
{
  g_autoptr(PGresult) result = ppm_pg_query(PPM_PG_POOL(store), statement, params, NULL, error);

  if (result == NULL)
    return NULL;
  if (PQntuples(result) == 0)
    {
      g_set_error_literal(error, PPM_STORE_ERROR, missing,
                          missing == PPM_STORE_ERROR_NOT_FOUND ? "no such user"
                                                               : "invalid or expired token");
      return NULL;
    }
  return ppm_pg_user_from_row(result, 0);
}

static void
pg_close(PpmStore *store)
{
  ppm_pg_charger_free(((PpmPgStore *)store)->charger);
  ppm_pg_pool_free(PPM_PG_POOL(store));
  g_free(store->currency);
  g_free(store);
}

static gboolean
pg_create_user(PpmStore *store, const char *email, PpmRole role, const char *display_name,
               const char *password_hash, gint64 *user_id, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;

  ppm_pg_params_text(&params, email);
  ppm_pg_params_text(&params, ppm_role_to_string(role));
  ppm_pg_params_text(&params, display_name);
  ppm_pg_params_text(&params, password_hash);
  ppm_pg_params_int(&params, g_get_real_time() / 1000);
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_CREATE_USER, &params, NULL, error);
  if (result == NULL)
    return FALSE;
  if (user_id != NULL)
    *user_id = ppm_pg_int(result, 0, 0);
  return TRUE;
}

static PpmStoreUser *
pg_get_user_by_email(PpmStore *store, const char *email, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_text(&params, email);
  return query_user(store, PPM_PG_USER_BY_EMAIL, &params, PPM_STORE_ERROR_NOT_FOUND, error);
}

static PpmStoreUser *
pg_get_user_by_id(PpmStore *store, gint64 user_id, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, user_id);
  return query_user(store, PPM_PG_USER_BY_ID, &params, PPM_STORE_ERROR_NOT_FOUND, error);
}

/* New password hash (or NULL), disabling, and which token pair survives. */
static gboolean
user_update(PpmStore *store, gint64 user_id, const char *password_hash, gboolean disable,
            const char *keep_access_hash, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, user_id);
  ppm_pg_params_text(&params, password_hash);
  ppm_pg_params_text(&params, disable ? "true" : "false");
  ppm_pg_params_text(&params, keep_access_hash);
  return ppm_pg_store_run(store, PPM_PG_USER_UPDATE, &params, error);
}

static gboolean
pg_set_password(PpmStore *store, gint64 user_id, const char *password_hash,
                const char *keep_access_hash, GError **error)
{
  return user_update(store, user_id, password_hash, FALSE, keep_access_hash, error);
}

static gboolean
pg_disable_user(PpmStore *store, gint64 user_id, GError **error)
{
  return user_update(store, user_id, NULL, TRUE, NULL, error);
}

static gboolean
pg_revoke_tokens(PpmStore *store, gint64 user_id, GError **error)
{
  return user_update(store, user_id, NULL, FALSE, NULL, error);
}

static gboolean
pg_login_attempt(PpmStore *store, const char *email, const char *address, gint64 now_ms,
                 gint64 *retry_after_s, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;

  ppm_pg_params_text(&params, email);
  ppm_pg_params_text(&params, address);
  ppm_pg_params_int(&params, now_ms);
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_LOGIN_ATTEMPT, &params, retry_after_s, error);
  return result != NULL;
}

static gboolean
pg_login_forget(PpmStore *store, const char *email, const char *address, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_text(&params, email);
  ppm_pg_params_text(&params, address);
  return ppm_pg_store_run(store, PPM_PG_LOGIN_FORGET, &params, error);
}

static gboolean
pg_tokens_issue(PpmStore *store, gint64 user_id, const char *access_hash, const char *refresh_hash,
                gint64 now_ms, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, user_id);
  ppm_pg_params_text(&params, access_hash);
  ppm_pg_params_text(&params, refresh_hash);
  ppm_pg_params_int(&params, now_ms);
  return ppm_pg_store_run(store, PPM_PG_TOKENS_ISSUE, &params, error);
}

static PpmStoreUser *
pg_tokens_refresh(PpmStore *store, const char *old_refresh_hash, const char *access_hash,
                  const char *refresh_hash, gint64 now_ms, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_text(&params, old_refresh_hash);
  ppm_pg_params_text(&params, access_hash);
  ppm_pg_params_text(&params, refresh_hash);
  ppm_pg_params_int(&params, now_ms);
  return query_user(store, PPM_PG_TOKENS_REFRESH, &params, PPM_STORE_ERROR_UNAUTHORIZED, error);
}

static PpmStoreUser *
pg_tokens_authenticate(PpmStore *store, const char *access_hash, gint64 now_ms, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_text(&params, access_hash);
  ppm_pg_params_int(&params, now_ms);
  return query_user(store, PPM_PG_TOKENS_AUTH, &params, PPM_STORE_ERROR_UNAUTHORIZED, error);
}

static gboolean
pg_tokens_revoke_pair(PpmStore *store, const char *access_hash, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(GError) local = NULL;

  ppm_pg_params_text(&params, access_hash);
  if (ppm_pg_store_run_found(store, PPM_PG_TOKENS_REVOKE_PAIR, &params, "unknown token", &local))
    return TRUE;
  if (g_error_matches(local, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
    local->code = PPM_STORE_ERROR_UNAUTHORIZED;
  g_propagate_error(error, g_steal_pointer(&local));
  return FALSE;
}

/* The handles column of PPM_PG_ACCOUNT_GET: [[protocol, handle], ...]. */
static GPtrArray *
handles_from_json(const char *json)
{
  GPtrArray *handles = g_ptr_array_new_with_free_func((GDestroyNotify)ppm_store_handle_free);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonArray *array;

  if (json == NULL || !json_parser_load_from_data(parser, json, -1, NULL)
      || !JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser)))
    return handles;
  array = json_node_get_array(json_parser_get_root(parser));
  for (guint i = 0; i < json_array_get_length(array); i++)
    {
      JsonArray *pair = json_array_get_array_element(array, i);
      PpmStoreHandle *handle = g_new0(PpmStoreHandle, 1);

      handle->protocol = g_strdup(json_array_get_string_element(pair, 0));
      handle->handle = g_strdup(json_array_get_string_element(pair, 1));
      g_ptr_array_add(handles, handle);
    }
  return handles;
}

static PpmStoreAccount *
pg_account_get(PpmStore *store, gint64 user_id, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;
  PpmStoreAccount *account;
  const int c = PPM_PG_N_USER_COLUMNS;

  ppm_pg_params_int(&params, user_id);
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_ACCOUNT_GET, &params, NULL, error);
  if (result == NULL)
    return NULL;
  if (PQntuples(result) == 0)
    {
      g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND, "no such user");
      return NULL;
    }
  account = g_new0(PpmStoreAccount, 1);
  account->user = ppm_pg_user_from_row(result, 0);
  account->balance_minor = ppm_pg_int(result, 0, c);
  account->available_minor = ppm_pg_int(result, 0, c + 1);
  account->max_rate_minor = ppm_pg_is_null(result, 0, c + 2) ? ppm_store_default_max_rate(store)
                                                             : ppm_pg_int(result, 0, c + 2);
  account->rate_minor = ppm_pg_int(result, 0, c + 3);
  account->handles = handles_from_json(ppm_pg_text(result, 0, c + 4));
  return account;
}

/* Sets one of the user's amounts (rate or max rate). */
static gboolean
set_amount(PpmStore *store, PpmPgStatement statement, gint64 user_id, gint64 minor, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, user_id);
  ppm_pg_params_int(&params, minor);
  return ppm_pg_store_run_found(store, statement, &params, "no such user", error);
}

static gboolean
pg_set_rate(PpmStore *store, gint64 user_id, gint64 rate_minor, GError **error)
{
  return set_amount(store, PPM_PG_SET_RATE, user_id, rate_minor, error);
}

static gboolean
pg_set_max_rate(PpmStore *store, gint64 user_id, gint64 max_rate_minor, GError **error)
{
  return set_amount(store, PPM_PG_SET_MAX_RATE, user_id, max_rate_minor, error);
}

/* Link or unlink: the same three parameters. */
static gboolean
handle_change(PpmStore *store, PpmPgStatement statement, gint64 user_id, const char *protocol,
              const char *handle, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, user_id);
  ppm_pg_params_text(&params, protocol);
  ppm_pg_params_text(&params, handle);
  return ppm_pg_store_run_found(store, statement, &params, "this handle is not linked", error);
}

static gboolean
pg_handle_link(PpmStore *store, gint64 user_id, const char *protocol, const char *handle,
               GError **error)
{
  return handle_change(store, PPM_PG_HANDLE_LINK, user_id, protocol, handle, error);
}

static gboolean
pg_handle_unlink(PpmStore *store, gint64 user_id, const char *protocol, const char *handle,
                 GError **error)
{
  return handle_change(store, PPM_PG_HANDLE_UNLINK, user_id, protocol, handle, error);
}

static PpmStoreLookup *
pg_lookup(PpmStore *store, gint64 model_id, const char *protocol, const char *handle, gint64 now_ms,
          gint64 *retry_after_s, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;
  PpmStoreLookup *lookup;
  const char *status;

  ppm_pg_params_int(&params, model_id);
  ppm_pg_params_text(&params, protocol);
  ppm_pg_params_text(&params, handle);
  ppm_pg_params_int(&params, now_ms);
  ppm_pg_params_int(&params, ppm_money_unit(store->digits));
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_LOOKUP, &params, retry_after_s, error);
  if (result == NULL)
    return NULL;
  lookup = g_new0(PpmStoreLookup, 1);
  status = ppm_pg_text(result, 0, 0);
  if (g_strcmp0(status, "funded") == 0)
    lookup->status = PPM_STORE_LOOKUP_FUNDED;
  else if (g_strcmp0(status, "unfunded") == 0)
    lookup->status = PPM_STORE_LOOKUP_UNFUNDED;
  else
    lookup->status = PPM_STORE_LOOKUP_NOT_MEMBER;
  lookup->display_name = g_strdup(ppm_pg_text(result, 0, 1));
  lookup->minutes_affordable = ppm_pg_int(result, 0, 2);
  lookup->billing_allowed = g_strcmp0(ppm_pg_text(result, 0, 3), "t") == 0;
  return lookup;
}

/* The value under `key` in meta, `value` when it had none. */
static char *
meta_claim(PpmPgPool *pool, const char *key, const char *value, GError **error)
{
  PGconn *conn = ppm_pg_pool_acquire(pool, error);
  const char *values[] = { key, value };
  g_autoptr(PGresult) result = NULL;
  char *stored = NULL;

  if (conn == NULL)
    return NULL;
  result = PQexecParams(conn,
                        "WITH new AS (INSERT INTO meta (key, value) VALUES ($1, $2) "
                        "ON CONFLICT (key) DO NOTHING RETURNING value) "
                        "SELECT value FROM new UNION ALL "
                        "SELECT value FROM meta WHERE key = $1",
                        2, NULL, values, NULL, NULL, 0);
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0)
    stored = g_strdup(PQgetvalue(result, 0, 0));
  else
    g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s",
                PQresultErrorMessage(result));
  ppm_pg_pool_release(pool, conn);
  return stored;
}

static char *
pg_meta_claim(PpmStore *store, const char *key, const char *value, GError **error)
{
  return meta_claim(PPM_PG_POOL(store), key, value, error);
}

static const PpmStoreOps pg_ops = {
  .close = pg_close,
  .create_user = pg_create_user,
  .get_user_by_email = pg_get_user_by_email,
  .get_user_by_id = pg_get_user_by_id,
  .set_password = pg_set_password,
  .disable_user = pg_disable_user,
  .revoke_tokens = pg_revoke_tokens,
  .login_attempt = pg_login_attempt,
  .login_forget = pg_login_forget,
  .tokens_issue = pg_tokens_issue,
  .tokens_refresh = pg_tokens_refresh,
  .tokens_authenticate = pg_tokens_authenticate,
  .tokens_revoke_pair = pg_tokens_revoke_pair,
  .account_get = pg_account_get,
  .set_rate = pg_set_rate,
  .set_max_rate = pg_set_max_rate,
  .handle_link = pg_handle_link,
  .handle_unlink = pg_handle_unlink,
  .lookup = pg_lookup,
  .session_open_count = ppm_pg_session_open_count,
  .allow_list_get = ppm_pg_allow_list_get,
  .allow_list_set_only = ppm_pg_allow_list_set_only,
  .allow_list_add = ppm_pg_allow_list_add,
  .allow_list_remove = ppm_pg_allow_list_remove,
  .session_open = ppm_pg_session_open,
  .session_charge_submit = ppm_pg_session_charge_submit,
  .session_close = ppm_pg_session_close,
  .sessions_tick = ppm_pg_sessions_tick,
  .sessions_resume = ppm_pg_sessions_resume,
  .session_rate = ppm_pg_session_rate,
  .app_rate = ppm_pg_app_rate,
  .sessions_page = ppm_pg_sessions_page,
  .transactions_page = ppm_pg_transactions_page,
  .fund = ppm_pg_fund,
  .payout = ppm_pg_payout,
  .refund_session = ppm_pg_refund_session,
  .verify = ppm_pg_verify,
  .backup = NULL, /* no file: pg_dump, or copy --to sqlite:FILE */
  .meta_claim = pg_meta_claim,
  .export_rows = ppm_pg_export_rows,
  .import_rows = ppm_pg_import_rows,
  .identities_list = ppm_pg_identities_list,
  .identities_rewrite = ppm_pg_identities_rewrite,
};

PpmStore *
ppm_store_pg_open(const char *conninfo, const char *currency, PpmStoreMigration *migration,
                  GError **error)
{
  PpmPgStore *self;
  PpmPgPool *pool = ppm_pg_pool_new(conninfo, POOL_SIZE, migration, error);
  char *fixed;

  if (pool == NULL)
    return NULL;
  fixed = meta_claim(pool, "currency", currency, error);
  if (fixed == NULL)
    {
      ppm_pg_pool_free(pool);
      return NULL;
    }
  self = g_new0(PpmPgStore, 1);
  self->parent.ops = &pg_ops;
  self->parent.currency = fixed;
  self->parent.digits = ppm_currency_digits(fixed);
  self->pool = pool;
  self->charger = ppm_pg_charger_new(pool, self->parent.currency);
  return &self->parent;
}
