/* The SQLite engine's connection, writer thread and statement shortcuts. */
#include "ppm-sqlite.h"

#include <gio/gio.h>
#include <stdarg.h>

#include "ppm-amount.h"
#include "ppm-store-schema.h"

typedef struct
{
  PpmSqliteJob func;
  gpointer data;
  GError *error;
  gboolean ok;
  PpmSqliteDone done_func; /* NULL: a thread waits in ppm_sqlite_run() */
  gboolean done;
  GCond done_cond; /* its own: a commit wakes only the thread it answers */
} Job;

gboolean
ppm_sql_fail(GError **error, PpmStoreError code, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  if (error != NULL)
    *error = g_error_new_valist(PPM_STORE_ERROR, code, format, args);
  va_end(args);
  return FALSE;
}

gboolean
ppm_sql_internal(PpmSqlite *s, GError **error)
{
  return ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "database: %s", sqlite3_errmsg(s->db));
}

/* Parameters beyond the statement's own are read and ignored, so that one
 * argument list can serve several statements. */
static gboolean
bind_args(PpmSqlite *s, sqlite3_stmt *stmt, const char *types, va_list args, GError **error)
{
  int count = sqlite3_bind_parameter_count(stmt);

  for (int i = 0; types[i] != '\0'; i++)
    {
      int rc = SQLITE_OK;
      const char *text;

      switch (types[i])
        {
          case 'i':
            rc = sqlite3_bind_int64(stmt, i + 1, va_arg(args, gint64));
            break;
          case 'n':
            rc = sqlite3_bind_int(stmt, i + 1, va_arg(args, int));
            break;
          case 's':
            text = va_arg(args, const char *);
            rc = text ? sqlite3_bind_text(stmt, i + 1, text, -1, SQLITE_TRANSIENT)
                      : sqlite3_bind_null(stmt, i + 1);
            break;
          default:
            g_assert_not_reached();
        }
      if (rc != SQLITE_OK && !(rc == SQLITE_RANGE && i >= count))
        return ppm_sql_internal(s, error);
    }
  return TRUE;
}

static sqlite3_stmt *
query_valist(PpmSqlite *s, GError **error, const char *sql, const char *types, va_list args)
{
  sqlite3_stmt *stmt = g_hash_table_lookup(s->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        {
          ppm_sql_internal(s, error);
          return NULL;
        }
      g_hash_table_insert(s->statements, (gpointer)sql, stmt);
    }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (!bind_args(s, stmt, types, args, error))
    return NULL;
  return stmt;
}

sqlite3_stmt *
ppm_sql_query(PpmSqlite *s, GError **error, const char *sql, const char *types, ...)
{
  va_list args;
  sqlite3_stmt *stmt;

  va_start(args, types);
  stmt = query_valist(s, error, sql, types, args);
  va_end(args);
  return stmt;
}

int
ppm_sql_step(PpmSqlite *s, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step(stmt);

  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  if (rc == SQLITE_CONSTRAINT)
    ppm_sql_fail(error, PPM_STORE_ERROR_INVALID, "constraint: %s", sqlite3_errmsg(s->db));
  else
    ppm_sql_internal(s, error);
  return -1;
}

gboolean
ppm_sql_exec(PpmSqlite *s, GError **error, const char *sql, const char *types, ...)
{
  va_list args;
  sqlite3_stmt *stmt;

  va_start(args, types);
  stmt = query_valist(s, error, sql, types, args);
  va_end(args);
  if (stmt == NULL)
    return FALSE;
  while (TRUE)
    {
      int rc = ppm_sql_step(s, stmt, error);
      if (rc <= 0)
        return rc == 0;
    }
}

int
ppm_sql_row(PpmSqlite *s, sqlite3_stmt **stmt, GError **error, const char *sql, const char *types,
            ...)
{
  va_list args;

  va_start(args, types);
  *stmt = query_valist(s, error, sql, types, args);
  va_end(args);
  if (*stmt == NULL)
    return -1;
  return ppm_sql_step(s, *stmt, error);
}

gboolean
ppm_sql_int(PpmSqlite *s, gint64 *value, GError **error, const char *sql, const char *types, ...)
{
  va_list args;
  sqlite3_stmt *stmt;
  int rc;

  va_start(args, types);
  stmt = query_valist(s, error, sql, types, args);
  va_end(args);
  if (stmt == NULL)
    return FALSE;
  rc = ppm_sql_step(s, stmt, error);
  if (rc < 0)
    return FALSE;
  *value = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_reset(stmt);
  return TRUE;
}

char *
ppm_sql_text(sqlite3_stmt *stmt, int column)
{
  return g_strdup((const char *)sqlite3_column_text(stmt, column));
}

static gboolean
exec_plain(PpmSqlite *s, const char *sql, GError **error)
{
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return ppm_sql_internal(s, error);
  return TRUE;
}

static void
statement_reset(gpointer key, gpointer value, gpointer user_data)
{
  sqlite3_reset(value);
}

static void
run_batch(PpmSqlite *s, GPtrArray *batch)
{
  g_autoptr(GError) error = NULL;

  if (!exec_plain(s, "BEGIN IMMEDIATE", &error))
    {
      for (guint i = 0; i < batch->len; i++)
        {
          Job *job = batch->pdata[i];
          job->ok = FALSE;
          job->error = g_error_copy(error);
        }
      return;
    }
  for (guint i = 0; i < batch->len; i++)
    {
      Job *job = batch->pdata[i];

      /* Prepared once, like every other statement of the writer. */
      ppm_sql_exec(s, NULL, "SAVEPOINT job", "");
      s->keep_changes = FALSE;
      job->ok = job->func(s, job->data, &job->error);
      if (!job->ok && !s->keep_changes)
        ppm_sql_exec(s, NULL, "ROLLBACK TO job", "");
      ppm_sql_exec(s, NULL, "RELEASE job", "");
    }
  /* A statement left on a row would keep its read snapshot past the commit,
   * and a later BEGIN IMMEDIATE would then fail at once after another
   * process wrote. */
  g_hash_table_foreach(s->statements, statement_reset, NULL);
  /* Nobody hears of a change before it is durable: a failed commit fails
   * every job of the batch. */
  if (!exec_plain(s, "COMMIT", &error))
    {
      exec_plain(s, "ROLLBACK", NULL);
      for (guint i = 0; i < batch->len; i++)
        {
          Job *job = batch->pdata[i];
          job->ok = FALSE;
          g_clear_error(&job->error);
          job->error = g_error_copy(error);
        }
    }
}

/* The job's failure, never NULL when it failed. */
static GError *
job_steal_error(Job *job)
{
  if (!job->ok && job->error == NULL)
    return g_error_new(PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "operation failed");
  return g_steal_pointer(&job->error);
}

static gpointer
writer_main(gpointer data)
{
  PpmSqlite *s = data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new();
  g_autoptr(GPtrArray) submitted = g_ptr_array_new();

  g_mutex_lock(&s->lock);
  while (TRUE)
    {
      while (g_queue_is_empty(&s->queue) && !s->stopping)
        g_cond_wait(&s->cond, &s->lock);
      if (g_queue_is_empty(&s->queue))
        break;
      while (!g_queue_is_empty(&s->queue))
        g_ptr_array_add(batch, g_queue_pop_head(&s->queue));
      g_mutex_unlock(&s->lock);

      run_batch(s, batch);

      g_mutex_lock(&s->lock);
      for (guint i = 0; i < batch->len; i++)
        {
          Job *job = batch->pdata[i];

          if (job->done_func != NULL)
            g_ptr_array_add(submitted, job);
          else
            {
              job->done = TRUE;
              g_cond_signal(&job->done_cond);
            }
        }
      g_ptr_array_set_size(batch, 0);
      g_mutex_unlock(&s->lock);
      /* Outside the lock, so that callbacks may queue further jobs. */
      for (guint i = 0; i < submitted->len; i++)
        {
          Job *job = submitted->pdata[i];

          job->done_func(job->ok, job_steal_error(job), job->data);
          g_free(job);
        }
      g_ptr_array_set_size(submitted, 0);
      g_mutex_lock(&s->lock);
    }
  g_mutex_unlock(&s->lock);
  return NULL;
}

static void
queue_job(PpmSqlite *s, Job *job)
{
  g_queue_push_tail(&s->queue, job);
  g_cond_signal(&s->cond);
}

gboolean
ppm_sqlite_run(PpmSqlite *s, PpmSqliteJob func, gpointer data, GError **error)
{
  Job job = { func, data, NULL, FALSE, NULL, FALSE, { 0 } };
  GError *failure;

  g_cond_init(&job.done_cond);
  g_mutex_lock(&s->lock);
  queue_job(s, &job);
  while (!job.done)
    g_cond_wait(&job.done_cond, &s->lock);
  g_mutex_unlock(&s->lock);
  g_cond_clear(&job.done_cond);
  failure = job_steal_error(&job);
  if (failure != NULL)
    g_propagate_error(error, failure);
  return job.ok;
}

void
ppm_sqlite_submit(PpmSqlite *s, PpmSqliteJob func, PpmSqliteDone done, gpointer data)
{
  Job *job = g_new0(Job, 1);

  job->func = func;
  job->data = data;
  job->done_func = done;
  g_mutex_lock(&s->lock);
  queue_job(s, job);
  g_mutex_unlock(&s->lock);
}

static void
statement_free(gpointer stmt)
{
  sqlite3_finalize(stmt);
}

static void
reader_free(gpointer data)
{
  PpmSqlite *reader = data;

  g_hash_table_destroy(reader->statements);
  sqlite3_close_v2(reader->db);
  g_free(reader);
}

static PpmSqlite *
reader_open(PpmSqlite *s, GError **error)
{
  PpmSqlite *reader = g_new0(PpmSqlite, 1);

  reader->statements = g_hash_table_new_full(NULL, NULL, NULL, statement_free);
  if (sqlite3_open_v2(s->path, &reader->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)
      != SQLITE_OK)
    {
      ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "cannot open database %s: %s", s->path,
                   reader->db ? sqlite3_errmsg(reader->db) : "out of memory");
      reader_free(reader);
      return NULL;
    }
  sqlite3_extended_result_codes(reader->db, 0);
  sqlite3_busy_timeout(reader->db, 5000);
  return reader;
}

gboolean
ppm_sqlite_read(PpmSqlite *s, PpmSqliteJob func, gpointer data, GError **error)
{
  PpmSqlite *reader = g_async_queue_try_pop(s->readers);
  gboolean ok;

  if (reader == NULL && (reader = reader_open(s, error)) == NULL)
    return FALSE;
  ok = func(reader, data, error);
  /* No statement may keep its snapshot while the connection is idle. */
  g_hash_table_foreach(reader->statements, statement_reset, NULL);
  g_async_queue_push(s->readers, reader);
  return ok;
}

/* Generated from ppm-sqlite.gresource.xml; called, as ppm_pg_get_resource()
 * is, because a static library drops the constructor that would register it. */
GResource *ppm_sqlite_get_resource(void);

/* Schema versions in order: migration i (from 0) brings the schema to
 * version i + 1.  A change to the tables is a new file here, never an edit
 * of one that shipped. */
static const char *const migrations[] = {
  "schema-1.sql",
  "schema-2.sql",
  "schema-3.sql",
  "schema-4.sql",
};

static gboolean
exec_resource(PpmSqlite *s, const char *name, GError **error)
{
  g_autofree char *path = g_strconcat("/org/purple-ppm/sqlite/", name, NULL);
  g_autoptr(GBytes) sql = g_resource_lookup_data(ppm_sqlite_get_resource(), path,
                                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  /* GResource data is always NUL-terminated. */
  return sql != NULL && exec_plain(s, g_bytes_get_data(sql, NULL), error);
}

/* The value under `key` in meta, `value` when it had none. */
static char *
meta_claim(PpmSqlite *s, const char *key, const char *value, GError **error)
{
  sqlite3_stmt *stmt;
  char *stored;

  if (!ppm_sql_exec(s, error, "INSERT OR IGNORE INTO meta VALUES (?, ?)", "ss", key, value)
      || ppm_sql_row(s, &stmt, error, "SELECT value FROM meta WHERE key = ?", "s", key) != 1)
    return NULL;
  stored = ppm_sql_text(stmt, 0);
  sqlite3_reset(stmt);
  return stored;
}

typedef struct
{
  const char *key;
  const char *value;
  char *stored;
} MetaClaim;

static gboolean
meta_claim_job(PpmSqlite *s, gpointer data, GError **error)
{
  MetaClaim *claim = data;

  claim->stored = meta_claim(s, claim->key, claim->value, error);
  return claim->stored != NULL;
}

static char *
sqlite_meta_claim(PpmStore *store, const char *key, const char *value, GError **error)
{
  MetaClaim claim = { key, value, NULL };

  ppm_sqlite_run((PpmSqlite *)store, meta_claim_job, &claim, error);
  return claim.stored;
}

typedef struct
{
  const char *currency;
  PpmStoreMigration *migration;
} Migrate;

/* A job of the writer: inside its BEGIN IMMEDIATE, which holds every other
 * process's writer off until the schema is migrated. */
static gboolean
migrate_job(PpmSqlite *s, gpointer data, GError **error)
{
  Migrate *m = data;
  gint64 version;

  if (!exec_plain(s,
                  "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
                  " STRICT",
                  error)
      || !ppm_sql_int(s, &version, error, "SELECT MAX(version) FROM schema_version", "")
      || !ppm_store_migration_check(m->migration, (int)version, G_N_ELEMENTS(migrations), error))
    return FALSE;
  for (gsize i = version; i < G_N_ELEMENTS(migrations); i++)
    if (!exec_resource(s, migrations[i], error)
        || !ppm_sql_exec(s, error, "INSERT INTO schema_version VALUES (?)", "i", (gint64)i + 1))
      return FALSE;
  s->parent.currency = meta_claim(s, "currency", m->currency, error);
  if (s->parent.currency == NULL)
    return FALSE;
  s->parent.digits = ppm_currency_digits(s->parent.currency);
  return ppm_ledger_system_wallet(s, PPM_WALLET_FEES, &s->fees_wallet, error);
}

gboolean
ppm_sqlite_migrate(PpmSqlite *s, const char *currency, PpmStoreMigration *migration, GError **error)
{
  Migrate m = { currency, migration };

  return ppm_sqlite_run(s, migrate_job, &m, error);
}

static void
sqlite_close(PpmStore *store)
{
  PpmSqlite *s = (PpmSqlite *)store;

  if (s->writer != NULL)
    {
      g_mutex_lock(&s->lock);
      s->stopping = TRUE;
      g_cond_broadcast(&s->cond);
      g_mutex_unlock(&s->lock);
      g_thread_join(s->writer);
    }
  g_async_queue_unref(s->readers);
  g_hash_table_destroy(s->statements);
  sqlite3_close_v2(s->db);
  g_mutex_clear(&s->lock);
  g_cond_clear(&s->cond);
  g_free(s->path);
  g_free(s->parent.currency);
  g_free(s);
}

static gpointer
build_ops(gpointer data)
{
  static PpmStoreOps ops;

  ops.close = sqlite_close;
  ops.meta_claim = sqlite_meta_claim;
  ppm_sqlite_users_ops(&ops);
  ppm_sqlite_sessions_ops(&ops);
  ppm_sqlite_admin_ops(&ops);
  ppm_sqlite_identities_ops(&ops);
  ppm_sqlite_allow_ops(&ops);
  return &ops;
}

PpmStore *
ppm_store_sqlite_open(const char *path, const char *currency, PpmStoreMigration *migration,
                      GError **error)
{
  static GOnce ops_once = G_ONCE_INIT;
  PpmSqlite *s = g_new0(PpmSqlite, 1);
  g_autoptr(PpmStore) store = (PpmStore *)s;

  s->parent.ops = g_once(&ops_once, build_ops, NULL);
  s->path = g_strdup(path);
  s->statements = g_hash_table_new_full(NULL, NULL, NULL, statement_free);
  s->readers = g_async_queue_new_full(reader_free);
  g_mutex_init(&s->lock);
  g_cond_init(&s->cond);
  if (sqlite3_open_v2(path, &s->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
                          | (migration->no_migrate ? 0 : SQLITE_OPEN_CREATE),
                      NULL)
      != SQLITE_OK)
    {
      ppm_sql_fail(error, PPM_STORE_ERROR_INTERNAL, "cannot open database %s: %s", path,
                   s->db ? sqlite3_errmsg(s->db) : "out of memory");
      return NULL;
    }
  sqlite3_extended_result_codes(s->db, 0);
  sqlite3_busy_timeout(s->db, 5000);
  if (!exec_plain(s, "PRAGMA journal_mode = WAL", error)
      || !exec_plain(s, "PRAGMA synchronous = FULL", error)
      || !exec_plain(s, "PRAGMA foreign_keys = ON", error)
      /* A checkpoint makes the writer wait for two fsyncs: at most every
       * 64 MiB of WAL rather than every 4 MiB (the default). */
      || !exec_plain(s, "PRAGMA wal_autocheckpoint = 16384", error))
    {
      g_prefix_error(error, "cannot open database %s: ", path);
      return NULL;
    }
  s->writer = g_thread_new("ppm-sqlite-writer", writer_main, s);
  if (!ppm_sqlite_migrate(s, currency, migration, error))
    {
      g_prefix_error(error, "cannot open database %s: ", path);
      return NULL;
    }
  return g_steal_pointer(&store);
}
