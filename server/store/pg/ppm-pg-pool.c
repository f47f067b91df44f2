#include "ppm-pg.h"

#include <string.h>

struct _PpmPgPool
{
  char *conninfo;
  GMutex lock;
  GCond released;
  GQueue idle; /* of PGconn, ready with every statement prepared */
  guint open;  /* idle and lent out */
  guint max;
};

static void
ignore_notice(void *data, const char *message)
{
  /* "relation ... already exists, skipping" and the like: nothing to act on. */
}

static PGconn *
connect_quiet(const char *conninfo, GError **error)
{
  PGconn *conn = PQconnectdb(conninfo);

  if (PQstatus(conn) != CONNECTION_OK)
    {
      /* libpq's message may span lines; ppm-server reports one. */
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s",
                  g_strdelimit(g_strchomp(PQerrorMessage(conn)), "\n", ' '));
      PQfinish(conn);
      return NULL;
    }
  PQsetNoticeProcessor(conn, ignore_notice, NULL);
  return conn;
}

static PGconn *
pool_connect(PpmPgPool *pool, GError **error)
{
  PGconn *conn = connect_quiet(pool->conninfo, error);

  if (conn == NULL)
    return NULL;
  for (int i = 0; i < PPM_PG_N_STATEMENTS; i++)
    {
      g_autofree char *name = g_strdup_printf("s%d", i);
      g_autoptr(PGresult) result = PQprepare(conn, name, ppm_pg_statements[i], 0, NULL);

      if (PQresultStatus(result) != PGRES_COMMAND_OK)
        {
          g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL,
                      "PostgreSQL: preparing statement %d: %s", i, PQresultErrorMessage(result));
          PQfinish(conn);
          return NULL;
        }
    }
  return conn;
}

PpmPgPool *
ppm_pg_pool_new(const char *conninfo, guint max_connections, PpmStoreMigration *migration,
                GError **error)
{
  PpmPgPool *pool = g_new0(PpmPgPool, 1);
  PGconn *conn;

  pool->conninfo = g_strdup(conninfo);
  pool->max = MAX(max_connections, 1);
  g_mutex_init(&pool->lock);
  g_cond_init(&pool->released);
  g_queue_init(&pool->idle);

  /* The schema first: statements can only be prepared against it. */
  conn = connect_quiet(conninfo, error);
  if (conn == NULL || !ppm_pg_migrate(conn, migration, error))
    {
      if (conn != NULL)
        PQfinish(conn);
      ppm_pg_pool_free(pool);
      return NULL;
    }
  PQfinish(conn);

  conn = pool_connect(pool, error);
  if (conn == NULL)
    {
      ppm_pg_pool_free(pool);
      return NULL;
    }
  pool->open = 1;
  g_queue_push_head(&pool->idle, conn);
  return pool;
}

void
ppm_pg_pool_free(PpmPgPool *pool)
{
  PGconn *conn;

  if (pool == NULL)
    return;
  while ((conn = g_queue_pop_head(&pool->idle)) != NULL)
    PQfinish(conn);
  g_mutex_clear(&pool->lock);
  g_cond_clear(&pool->released);
  g_free(pool->conninfo);
  g_free(pool);
}

PGconn *
ppm_pg_pool_acquire(PpmPgPool *pool, GError **error)
{
  PGconn *conn;

  for (;;)
    {
      g_mutex_lock(&pool->lock);
      while (g_queue_is_empty(&pool->idle) && pool->open >= pool->max)
        g_cond_wait(&pool->released, &pool->lock);
      conn = g_queue_pop_head(&pool->idle);
      if (conn == NULL)
        pool->open++; /* reserved: connect outside the lock */
      g_mutex_unlock(&pool->lock);
      if (conn == NULL)
        break;
      /* A connection the server closed while it was idle (a restart, an
       * administrator) shows it here, without a round trip: the first read
       * takes the server's farewell message (libpq hands it to the notice
       * processor), the second meets the end of the stream.  On a healthy
       * connection both find nothing to read. */
      if (PQconsumeInput(conn) && PQconsumeInput(conn) && PQstatus(conn) == CONNECTION_OK)
        return conn;
      PQfinish(conn);
      g_mutex_lock(&pool->lock);
      pool->open--;
      g_mutex_unlock(&pool->lock);
    }

  conn = pool_connect(pool, error);
  if (conn == NULL)
    {
      g_mutex_lock(&pool->lock);
      pool->open--;
      g_cond_signal(&pool->released);
      g_mutex_unlock(&pool->lock);
    }
  return conn;
}

void
ppm_pg_pool_release(PpmPgPool *pool, PGconn *conn)
{
  gboolean healthy = PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;

  if (!healthy)
    PQfinish(conn);
  g_mutex_lock(&pool->lock);
  if (healthy)
    g_queue_push_head(&pool->idle, conn);
  else
    pool->open--;
  g_cond_signal(&pool->released);
  g_mutex_unlock(&pool->lock);
}

void
ppm_pg_params_text(PpmPgParams *params, const char *value)
{
  g_return_if_fail(params->n < PPM_PG_MAX_PARAMS);
  params->values[params->n++] = value;
}

void
ppm_pg_params_int(PpmPgParams *params, gint64 value)
{
  g_return_if_fail(params->n < PPM_PG_MAX_PARAMS);
  g_snprintf(params->numbers[params->n], sizeof params->numbers[0], "%" G_GINT64_FORMAT, value);
  params->values[params->n] = params->numbers[params->n];
  params->n++;
}

int
ppm_pg_store_error_from_code(const char *code)
{
  for (int i = 0; i <= PPM_STORE_ERROR_RATE_LIMITED; i++)
    {
      GError probe = { PPM_STORE_ERROR, i, NULL };

      if (g_strcmp0(ppm_store_error_code(&probe), code) == 0)
        return i;
    }
  return PPM_STORE_ERROR_INTERNAL;
}

/* Sets `error` from a failed result. */
static void
set_result_error(const PGresult *result, PGconn *conn, gint64 *retry_after_s, GError **error)
{
  const char *state = result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
  g_autofree char *message = NULL;

  if (g_strcmp0(state, "PP001") == 0)
    {
      const char *code = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
      const char *words = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT);
      const char *detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);

      if (retry_after_s != NULL && detail != NULL && *detail != '\0')
        *retry_after_s = g_ascii_strtoll(detail, NULL, 10);
      g_set_error_literal(error, PPM_STORE_ERROR, ppm_pg_store_error_from_code(code),
                          words != NULL ? words : code);
      return;
    }
  message = g_strdup(result != NULL ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s",
              g_strchomp(message));
}

static gboolean
result_ok(const PGresult *result)
{
  ExecStatusType status = PQresultStatus(result);

  return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

PGresult *
ppm_pg_run(PGconn *conn, PpmPgStatement statement, const PpmPgParams *params, gint64 *retry_after_s,
           GError **error)
{
  char name[16];
  PGresult *result;

  g_snprintf(name, sizeof name, "s%d", (int)statement);
  result = PQexecPrepared(conn, name, params != NULL ? params->n : 0,
                          params != NULL ? params->values : NULL, NULL, NULL, 0);
  if (result != NULL && result_ok(result))
    return result;
  set_result_error(result, conn, retry_after_s, error);
  PQclear(result);
  return NULL;
}

gboolean
ppm_pg_exec(PGconn *conn, const char *sql, GError **error)
{
  g_autoptr(PGresult) result = PQexec(conn, sql);

  if (result != NULL && result_ok(result))
    return TRUE;
  set_result_error(result, conn, NULL, error);
  return FALSE;
}

PGresult *
ppm_pg_query(PpmPgPool *pool, PpmPgStatement statement, const PpmPgParams *params,
             gint64 *retry_after_s, GError **error)
{
  PGconn *conn = ppm_pg_pool_acquire(pool, error);
  PGresult *result;

  if (conn == NULL)
    return NULL;
  result = ppm_pg_run(conn, statement, params, retry_after_s, error);
  ppm_pg_pool_release(pool, conn);
  return result;
}

const char *
ppm_pg_text(const PGresult *result, int row, int column)
{
  return PQgetisnull(result, row, column) ? NULL : PQgetvalue(result, row, column);
}

gint64
ppm_pg_int(const PGresult *result, int row, int column)
{
  return PQgetisnull(result, row, column)
             ? 0
             : g_ascii_strtoll(PQgetvalue(result, row, column), NULL, 10);
}

gboolean
ppm_pg_is_null(const PGresult *result, int row, int column)
{
  return PQgetisnull(result, row, column);
}
