/* The store's errors, the values it hands out, and opening an engine;
 * the operations themselves are in ppm-store-calls.c. */
#include "ppm-store.h"
#include "ppm-store-schema.h"

#include <string.h>

GQuark
ppm_store_error_quark(void)
{
  return g_quark_from_static_string("ppm-store-error-quark");
}

static const struct
{
  guint status;
  const char *code;
} error_table[] = {
  [PPM_STORE_ERROR_INTERNAL] = { 500, "internal" },
  [PPM_STORE_ERROR_BAD_REQUEST] = { 400, "bad_request" },
  [PPM_STORE_ERROR_UNAUTHORIZED] = { 401, "unauthorized" },
  [PPM_STORE_ERROR_INSUFFICIENT_FUNDS] = { 402, "insufficient_funds" },
  [PPM_STORE_ERROR_FORBIDDEN] = { 403, "forbidden" },
  [PPM_STORE_ERROR_RATE_NOT_ACCEPTED] = { 403, "rate_not_accepted" },
  [PPM_STORE_ERROR_MODEL_NOT_ALLOWED] = { 403, "model_not_allowed" },
  [PPM_STORE_ERROR_NOT_FOUND] = { 404, "not_found" },
  [PPM_STORE_ERROR_SESSION_CLOSED] = { 409, "session_closed" },
  [PPM_STORE_ERROR_IDEMPOTENCY_MISMATCH] = { 409, "idempotency_mismatch" },
  [PPM_STORE_ERROR_HANDLE_TAKEN] = { 409, "handle_taken" },
  [PPM_STORE_ERROR_TOO_MANY_SESSIONS] = { 409, "too_many_sessions" },
  [PPM_STORE_ERROR_ALREADY_RATED] = { 409, "already_rated" },
  [PPM_STORE_ERROR_EMAIL_TAKEN] = { 409, "email_taken" },
  [PPM_STORE_ERROR_SESSION_EXPIRED] = { 410, "session_expired" },
  [PPM_STORE_ERROR_INVALID] = { 422, "invalid" },
  [PPM_STORE_ERROR_SEQ_GAP] = { 422, "seq_gap" },
  [PPM_STORE_ERROR_TOO_EARLY] = { 425, "too_early" },
  [PPM_STORE_ERROR_RATE_LIMITED] = { 429, "rate_limited" },
  [PPM_STORE_ERROR_BUSY] = { 503, "busy" },
};

static int
error_index(const GError *error)
{
  if (error == NULL || error->domain != PPM_STORE_ERROR || error->code < 0
      || error->code >= (int)G_N_ELEMENTS(error_table))
    return PPM_STORE_ERROR_INTERNAL;
  return error->code;
}

guint
ppm_store_error_status(const GError *error)
{
  return error_table[error_index(error)].status;
}

const char *
ppm_store_error_code(const GError *error)
{
  return error_table[error_index(error)].code;
}

const char *
ppm_role_to_string(PpmRole role)
{
  return role == PPM_ROLE_MODEL ? "model" : "member";
}

gboolean
ppm_role_from_string(const char *text, PpmRole *role)
{
  if (g_strcmp0(text, "model") == 0)
    *role = PPM_ROLE_MODEL;
  else if (g_strcmp0(text, "member") == 0)
    *role = PPM_ROLE_MEMBER;
  else
    return FALSE;
  return TRUE;
}

void
ppm_store_user_free(PpmStoreUser *user)
{
  if (user == NULL)
    return;
  g_free(user->email);
  g_free(user->display_name);
  g_free(user->password_hash);
  g_free(user);
}

void
ppm_store_handle_free(PpmStoreHandle *handle)
{
  g_free(handle->protocol);
  g_free(handle->handle);
  g_free(handle);
}

void
ppm_store_account_free(PpmStoreAccount *account)
{
  if (account == NULL)
    return;
  ppm_store_user_free(account->user);
  g_clear_pointer(&account->handles, g_ptr_array_unref);
  g_free(account);
}

void
ppm_store_lookup_free(PpmStoreLookup *lookup)
{
  if (lookup == NULL)
    return;
  g_free(lookup->display_name);
  g_free(lookup);
}

static void
allowed_model_free(gpointer data)
{
  PpmStoreAllowedModel *model = data;

  g_free(model->display_name);
  g_free(model->protocol);
  g_free(model->handle);
  g_free(model);
}

void
ppm_allow_list_init(PpmStoreAllowList *list)
{
  list->only = FALSE;
  list->allowed = g_ptr_array_new_with_free_func(allowed_model_free);
  list->suggested = g_ptr_array_new_with_free_func(allowed_model_free);
}

void
ppm_allow_list_clear(PpmStoreAllowList *list)
{
  g_clear_pointer(&list->allowed, g_ptr_array_unref);
  g_clear_pointer(&list->suggested, g_ptr_array_unref);
}

void
ppm_stored_answer_clear(PpmStoredAnswer *answer)
{
  g_clear_pointer(&answer->body, g_free);
  answer->replayed = FALSE;
}

void
ppm_page_clear(PpmStorePage *page)
{
  g_clear_pointer(&page->items, g_ptr_array_unref);
  page->next_before = 0;
}

#define COLUMNS(...) ((const char *const[]){ __VA_ARGS__, NULL })

const PpmStoreTable ppm_store_tables[] = {
  { "users", COLUMNS("id", "email", "role", "display_name", "password_hash", "disabled",
                     "rate_minor", "max_rate_minor", "created_ms", "allowed_models_only") },
  { "wallets", COLUMNS("id", "user_id", "name", "balance_minor") },
  { "handles", COLUMNS("protocol", "handle", "user_id") },
  { "tokens", COLUMNS("id", "user_id", "access_hash", "refresh_hash", "access_expires_ms",
                      "refresh_expires_ms", "rotated_ms", "revoked") },
  { "login_failures", COLUMNS("id", "email", "address", "time_ms") },
  { "lookups", COLUMNS("id", "model_id", "time_ms", "protocol", "handle") },
  { "allowed_models", COLUMNS("member_id", "model_id") },
  { "sessions", COLUMNS("id", "public_id", "model_id", "member_id", "client_session_id", "protocol",
                        "model_handle", "member_handle", "rate_minor", "period_seconds", "fee_bps",
                        "hold_periods", "hold_minor", "t0_ms", "opened_ms", "deadline_ms",
                        "timeout_ms", "state", "reason", "ended_ms", "close_elapsed_ms",
                        "open_body", "close_body", "offset_ms") },
  { "transactions", COLUMNS("id", "time_ms", "kind", "session_id") },
  { "entries",
    COLUMNS("id", "transaction_id", "wallet_id", "amount_minor", "balance_after_minor") },
  { "charges", COLUMNS("id", "session_id", "seq", "amount_minor", "fee_minor", "time_ms",
                       "transaction_id", "reversal_id", "body") },
  { "ratings", COLUMNS("id", "session_id", "user_id", "stars", "comment", "time_ms") },
  { "app_ratings", COLUMNS("id", "user_id", "session_id", "stars", "comment", "time_ms") },
  { NULL, NULL },
};

static gboolean
is_postgresql(const char *uri)
{
  return g_str_has_prefix(uri, "postgresql://") || g_str_has_prefix(uri, "postgres://");
}

/* The file an SQLite URI names. */
static const char *
sqlite_path(const char *uri)
{
  return g_str_has_prefix(uri, "sqlite:") ? uri + strlen("sqlite:") : uri;
}

static PpmStore *
engine_open(const char *uri, const char *currency, PpmStoreMigration *migration, GError **error)
{
  if (is_postgresql(uri))
    {
#ifdef PPM_WITH_POSTGRESQL
      return ppm_store_pg_open(uri, currency, migration, error);
#else
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL support not built");
      return NULL;
#endif
    }
  if (*sqlite_path(uri) == '\0')
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "empty database path");
      return NULL;
    }
  return ppm_store_sqlite_open(sqlite_path(uri), currency, migration, error);
}

PpmStore *
ppm_store_open_migrating(const char *uri, const char *currency, gboolean create,
                         PpmStoreMigration *migration, GError **error)
{
  g_autoptr(PpmStore) store = NULL;

  if (!create && !is_postgresql(uri) && *sqlite_path(uri) != '\0'
      && !g_file_test(sqlite_path(uri), G_FILE_TEST_EXISTS))
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND, "no database at %s",
                  sqlite_path(uri));
      return NULL;
    }
  store = engine_open(uri, currency, migration, error);
  if (store == NULL || !ppm_store_normalize_identities(store, error))
    return NULL;
  return g_steal_pointer(&store);
}

PpmStore *
ppm_store_open(const char *uri, const char *currency, GError **error)
{
  PpmStoreMigration migration = { FALSE, 0, 0 };

  return ppm_store_open_migrating(uri, currency, TRUE, &migration, error);
}

gboolean
ppm_store_migration_check(PpmStoreMigration *migration, int found, int known, GError **error)
{
  migration->from = found;
  migration->to = found;
  if (found > known)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL,
                  "the database's schema version %d is newer than this program's (%d): "
                  "run a newer version",
                  found, known);
      return FALSE;
    }
  if (found < known && migration->no_migrate)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL,
                  "the database's schema version %d is older than this program's (%d) and "
                  "migrations are off: run ppm-admin migrate first",
                  found, known);
      return FALSE;
    }
  migration->to = known;
  return TRUE;
}

void
ppm_store_free(PpmStore *store)
{
  if (store != NULL)
    store->ops->close(store);
}
