/* The SQLite engine's internals: one connection owned by one writer thread
 * that runs every operation as a job and commits the jobs queued at the same
 * moment in one transaction (group commit). */
#pragma once

#include <sqlite3.h>

#include "ppm-store.h"

G_BEGIN_DECLS

typedef struct _PpmSqlite PpmSqlite;

/* Runs inside the writer's transaction, in a savepoint of its own: returning
 * FALSE rolls the job's changes back unless it set s->keep_changes. */
typedef gboolean (*PpmSqliteJob)(PpmSqlite *s, gpointer data, GError **error);

struct _PpmSqlite
{
  PpmStore parent;
  char *path;
  sqlite3 *db;
  GHashTable *statements; /* SQL literal (by address) → sqlite3_stmt* */
  gboolean keep_changes;  /* set by a failing job whose changes must stay */
  gint64 fees_wallet;     /* the id of platform:fees */

  GAsyncQueue *readers; /* idle read-only connections (PpmSqlite with db, statements) */

  GThread *writer;
  GMutex lock;
  GCond cond;
  GQueue queue;
  gboolean stopping;
};

/* Queues a job and waits until its transaction is committed (or failed). */
gboolean ppm_sqlite_run(PpmSqlite *s, PpmSqliteJob job, gpointer data, GError **error);

/* Called on the writer thread once the job's transaction is committed (or
 * failed); takes `error` (NULL when ok). */
typedef void (*PpmSqliteDone)(gboolean ok, GError *error, gpointer data);

/* Queues a job and returns at once; `done` follows the commit. */
void ppm_sqlite_submit(PpmSqlite *s, PpmSqliteJob job, PpmSqliteDone done, gpointer data);

/* Runs a job that only reads on a read-only connection of its own, at once
 * and outside the writer: it sees every committed transaction (WAL). */
gboolean ppm_sqlite_read(PpmSqlite *s, PpmSqliteJob job, gpointer data, GError **error);

/* Statement shortcuts for jobs.  `sql` is a string literal: its prepared
 * statement is cached by the literal's address.  `types` has one letter per
 * parameter: 'i' gint64, 'n' int, 's' const char * (NULL binds NULL). */
sqlite3_stmt *ppm_sql_query(PpmSqlite *s, GError **error, const char *sql, const char *types, ...);
/* 1 a row, 0 done, -1 error. */
int ppm_sql_step(PpmSqlite *s, sqlite3_stmt *stmt, GError **error);
gboolean ppm_sql_exec(PpmSqlite *s, GError **error, const char *sql, const char *types, ...);
/* The first row: 1, 0 none, -1 error; read its columns from *stmt. */
int ppm_sql_row(PpmSqlite *s, sqlite3_stmt **stmt, GError **error, const char *sql,
                const char *types, ...);
/* The first column of the first row as int64 (NULL → 0); no row → 0. */
gboolean ppm_sql_int(PpmSqlite *s, gint64 *value, GError **error, const char *sql,
                     const char *types, ...);
char *ppm_sql_text(sqlite3_stmt *stmt, int column);
gboolean ppm_sql_fail(GError **error, PpmStoreError code, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
gboolean ppm_sql_internal(PpmSqlite *s, GError **error);

gboolean ppm_sqlite_migrate(PpmSqlite *s, const char *currency, PpmStoreMigration *migration,
                            GError **error);

/* Ledger (ppm-sqlite-ledger.c). */
gboolean ppm_ledger_wallet(PpmSqlite *s, gint64 user_id, gint64 *wallet_id, GError **error);
gboolean ppm_ledger_system_wallet(PpmSqlite *s, const char *name, gint64 *wallet_id,
                                  GError **error);
gboolean ppm_ledger_begin(PpmSqlite *s, const char *kind, gint64 session_row, gint64 now_ms,
                          gint64 *transaction_id, GError **error);
/* Adds amount to a wallet (one conditional update: a user wallet stays within
 * 0..10^15, else INSUFFICIENT_FUNDS / INVALID) and records the entry. */
gboolean ppm_ledger_post(PpmSqlite *s, gint64 transaction_id, gint64 wallet_id, gint64 amount,
                         GError **error);
/* A member's balance minus the holds of its open sessions. */
gboolean ppm_ledger_available(PpmSqlite *s, gint64 member_id, gint64 *available, GError **error);
/* Reverses one charge (docs/billing-rules.md#close); *reversed FALSE when the model's
 * earnings no longer cover it (then nothing changes). */
gboolean ppm_ledger_reverse_charge(PpmSqlite *s, gint64 charge_id, gint64 now_ms,
                                   gboolean *reversed, gint64 *amount, GError **error);
/* How many of a session's charges stand (are not reversed), and their sum. */
gboolean ppm_ledger_standing(PpmSqlite *s, gint64 session_row, gint64 *count, gint64 *sum,
                             GError **error);
/* Reverses every standing charge of a session (ppm-admin refund). */
gboolean ppm_sqlite_reverse_all(PpmSqlite *s, gint64 session_row, gint64 now_ms, gint64 *reversed,
                                GError **error);
/* Closes every open session whose deadline passed, as "expired", each
 * settled at `now_ms` (ppm-sqlite-sessions.c). */
gboolean ppm_sessions_expire_due(PpmSqlite *s, gint64 now_ms, GError **error);

/* Whether the member lets the model bill it: its allow-list is off, or the
 * model is on it (ppm-sqlite-allow.c). */
gboolean ppm_allow_list_permits(PpmSqlite *s, gint64 member_id, gint64 model_id, gboolean *allowed,
                                GError **error);

/* The op tables are filled in by each part of the engine. */
void ppm_sqlite_users_ops(PpmStoreOps *ops);
void ppm_sqlite_sessions_ops(PpmStoreOps *ops);
void ppm_sqlite_admin_ops(PpmStoreOps *ops);
void ppm_sqlite_identities_ops(PpmStoreOps *ops);
void ppm_sqlite_allow_ops(PpmStoreOps *ops);

G_END_DECLS
