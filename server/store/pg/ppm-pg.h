/* The PostgreSQL engine's internals: a pool of libpq connections, each with
 * the engine's statements prepared, and helpers to run them. */
#pragma once

#include <libpq-fe.h>

#include "ppm-store.h"

G_BEGIN_DECLS

/* Every prepared statement; ppm-pg-statements.c has their SQL. */
typedef enum
{
  PPM_PG_USER_BY_EMAIL,
  PPM_PG_USER_BY_ID,
  PPM_PG_CREATE_USER,
  PPM_PG_USER_UPDATE,
  PPM_PG_LOGIN_ATTEMPT,
  PPM_PG_LOGIN_FORGET,
  PPM_PG_TOKENS_ISSUE,
  PPM_PG_TOKENS_REFRESH,
  PPM_PG_TOKENS_AUTH,
  PPM_PG_TOKENS_REVOKE_PAIR,
  PPM_PG_ACCOUNT_GET,
  PPM_PG_SET_RATE,
  PPM_PG_SET_MAX_RATE,
  PPM_PG_HANDLE_LINK,
  PPM_PG_HANDLE_UNLINK,
  PPM_PG_LOOKUP,
  PPM_PG_OPEN_COUNT,
  PPM_PG_ALLOW_LIST_ONLY,
  PPM_PG_ALLOW_LIST_ALLOWED,
  PPM_PG_ALLOW_LIST_SUGGESTED,
  PPM_PG_ALLOW_LIST_SET_ONLY,
  PPM_PG_ALLOW_LIST_ADD,
  PPM_PG_ALLOW_LIST_REMOVE,
  PPM_PG_OPEN,
  PPM_PG_OPEN_BODY,
  PPM_PG_CHARGE_BATCH,
  PPM_PG_CLOSE,
  PPM_PG_TICK,
  PPM_PG_RESUME,
  PPM_PG_SESSION_RATE,
  PPM_PG_APP_RATE,
  PPM_PG_SESSIONS_PAGE,
  PPM_PG_TRANSACTIONS_PAGE,
  PPM_PG_MOVE_FUNDS,
  PPM_PG_REFUND,
  PPM_PG_VERIFY,
  PPM_PG_N_STATEMENTS
} PpmPgStatement;

extern const char *const ppm_pg_statements[PPM_PG_N_STATEMENTS];

/* The columns PPM_PG_USER_* and PPM_PG_TOKENS_* return first, in this order. */
#define PPM_PG_USER_COLUMNS "u.id, u.email, u.role, u.display_name, u.password_hash, u.disabled"
#define PPM_PG_N_USER_COLUMNS 6

typedef struct _PpmPgPool PpmPgPool;

/* Connects once (so that a bad conninfo fails here), migrates the schema. */
PpmPgPool *ppm_pg_pool_new(const char *conninfo, guint max_connections,
                           PpmStoreMigration *migration, GError **error);
void ppm_pg_pool_free(PpmPgPool *pool);
/* A connection for this thread alone until released; waits while all
 * `max_connections` are busy. */
PGconn *ppm_pg_pool_acquire(PpmPgPool *pool, GError **error);
/* Gives the connection back, or drops it when it is broken or left inside a
 * transaction. */
void ppm_pg_pool_release(PpmPgPool *pool, PGconn *conn);

/* Creates or migrates the schema, as `migration` says, and (re)defines the
 * functions, under an advisory lock every process on the database takes. */
gboolean ppm_pg_migrate(PGconn *conn, PpmStoreMigration *migration, GError **error);

/* Statement parameters as text; integers are formatted into the struct. */
#define PPM_PG_MAX_PARAMS 16
typedef struct
{
  const char *values[PPM_PG_MAX_PARAMS];
  char numbers[PPM_PG_MAX_PARAMS][24];
  int n;
} PpmPgParams;

void ppm_pg_params_text(PpmPgParams *params, const char *value); /* NULL: SQL NULL */
void ppm_pg_params_int(PpmPgParams *params, gint64 value);

/* Runs a prepared statement on `conn`.  A result that is not an error (free
 * with PQclear), else NULL and `error` set: the function's PpmStoreError for
 * a raised PP001 (with *retry_after_s from its detail, when asked), else
 * PPM_STORE_ERROR_INTERNAL. */
PGresult *ppm_pg_run(PGconn *conn, PpmPgStatement statement, const PpmPgParams *params,
                     gint64 *retry_after_s, GError **error);
/* Runs plain SQL without parameters (BEGIN, COMMIT, ...). */
gboolean ppm_pg_exec(PGconn *conn, const char *sql, GError **error);
/* ppm_pg_run() on a connection from the pool. */
PGresult *ppm_pg_query(PpmPgPool *pool, PpmPgStatement statement, const PpmPgParams *params,
                       gint64 *retry_after_s, GError **error);

/* The PpmStoreError whose API error code is `code` (INTERNAL when none is). */
int ppm_pg_store_error_from_code(const char *code);

/* Column helpers: NULL-safe text, integers (0 for NULL). */
const char *ppm_pg_text(const PGresult *result, int row, int column);
gint64 ppm_pg_int(const PGresult *result, int row, int column);
gboolean ppm_pg_is_null(const PGresult *result, int row, int column);

/* session_charge_submit: charges taken in batches by charger threads
 * (ppm-pg-charger.c).  `currency` must outlive the charger. */
typedef struct _PpmPgCharger PpmPgCharger;

PpmPgCharger *ppm_pg_charger_new(PpmPgPool *pool, const char *currency);
/* Answers every charge still queued, then stops the threads. */
void ppm_pg_charger_free(PpmPgCharger *charger);
void ppm_pg_charger_submit(PpmPgCharger *charger, const char *access_hash, const char *session_id,
                           gint64 seq, gint64 now_ms, PpmStoreChargeDone done, gpointer user_data);

typedef struct
{
  PpmStore parent;
  PpmPgPool *pool;
  PpmPgCharger *charger;
} PpmPgStore;

/* A PpmStoreUser from the PPM_PG_USER_COLUMNS at `row`. */
PpmStoreUser *ppm_pg_user_from_row(const PGresult *result, int row);

#define PPM_PG_POOL(store) (((PpmPgStore *)(store))->pool)

/* ppm_pg_query() for the effect only; ..._found: NOT_FOUND when the statement
 * returns no row, with the message `missing`. */
gboolean ppm_pg_store_run(PpmStore *store, PpmPgStatement statement, const PpmPgParams *params,
                          GError **error);
gboolean ppm_pg_store_run_found(PpmStore *store, PpmPgStatement statement,
                                const PpmPgParams *params, const char *missing, GError **error);

/* Operations of ppm-store.h, by file: store-pg-sessions.c. */
gboolean ppm_pg_session_open(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                             const PpmBillingConfig *config, gint64 now_ms, PpmStoredAnswer *answer,
                             GError **error);
void ppm_pg_session_charge_submit(PpmStore *store, const char *access_hash, const char *session_id,
                                  gint64 seq, gint64 elapsed_ms, gint64 now_ms,
                                  PpmStoreChargeDone done, gpointer user_data);
gboolean ppm_pg_session_close(PpmStore *store, gint64 model_id, const char *session_id,
                              const char *reason, gint64 elapsed_ms, const char *rate_url,
                              gint64 now_ms, PpmStoredAnswer *answer, GError **error);
gboolean ppm_pg_sessions_tick(PpmStore *store, gint64 now_ms, GError **error);
gboolean ppm_pg_sessions_resume(PpmStore *store, gint64 now_ms, GError **error);
gboolean ppm_pg_session_rate(PpmStore *store, gint64 user_id, const char *session_id, int stars,
                             const char *comment, gint64 now_ms, GError **error);
gboolean ppm_pg_app_rate(PpmStore *store, gint64 user_id, int stars, const char *comment,
                         const char *session_id, gint64 now_ms, GError **error);
gboolean ppm_pg_sessions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                              PpmStorePage *page, GError **error);
gboolean ppm_pg_transactions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                                  PpmStorePage *page, GError **error);

/* store-pg-allow.c */
gboolean ppm_pg_session_open_count(PpmStore *store, gint64 model_id,
                                   const PpmStoreOpenParams *params, gint64 now_ms,
                                   gint64 *retry_after_s, GError **error);
gboolean ppm_pg_allow_list_get(PpmStore *store, gint64 member_id, PpmStoreAllowList *list,
                               GError **error);
gboolean ppm_pg_allow_list_set_only(PpmStore *store, gint64 member_id, gboolean only,
                                    GError **error);
gboolean ppm_pg_allow_list_add(PpmStore *store, gint64 member_id, gint64 model_id,
                               const char *protocol, const char *handle, GError **error);
gboolean ppm_pg_allow_list_remove(PpmStore *store, gint64 member_id, gint64 model_id,
                                  GError **error);

/* store-pg-admin.c */
gboolean ppm_pg_fund(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
                     gint64 *balance_minor, GError **error);
gboolean ppm_pg_payout(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
                       gint64 *balance_minor, GError **error);
gboolean ppm_pg_refund_session(PpmStore *store, const char *session_id, gint64 now_ms,
                               PpmStoreRefund *refund, GError **error);
gboolean ppm_pg_verify(PpmStore *store, char **problem, GError **error);
gboolean ppm_pg_export_rows(PpmStore *store, PpmStoreRowFunc func, gpointer user_data,
                            GError **error);
gboolean ppm_pg_import_rows(PpmStore *store, PpmStore *source, GError **error);

/* store-pg-identities.c */
gboolean ppm_pg_identities_list(PpmStore *store, GPtrArray *identities, GError **error);
gboolean ppm_pg_identities_rewrite(PpmStore *store, GArray *changes, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PGresult, PQclear)

G_END_DECLS
