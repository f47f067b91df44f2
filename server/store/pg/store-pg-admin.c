/* The PostgreSQL engine: deposits, payouts, refunds, ledger checks and the
 * rows `ppm-admin copy` moves between engines. */
#include "ppm-amount.h"
#include "ppm-pg.h"
#include "ppm-store-schema.h"

/* A deposit (amount > 0, to a member) or a payout (amount < 0, from a model). */
static gboolean
move_funds(PpmStore *store, gint64 user_id, gint64 amount_minor, const char *role, gint64 now_ms,
           gint64 *balance_minor, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;

  ppm_pg_params_int(&params, user_id);
  ppm_pg_params_int(&params, amount_minor);
  ppm_pg_params_text(&params, role);
  ppm_pg_params_int(&params, PPM_MAX_BALANCE_MINOR);
  ppm_pg_params_int(&params, now_ms);
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_MOVE_FUNDS, &params, NULL, error);
  if (result == NULL)
    return FALSE;
  if (balance_minor != NULL)
    *balance_minor = ppm_pg_int(result, 0, 0);
  return TRUE;
}

gboolean
ppm_pg_fund(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
            gint64 *balance_minor, GError **error)
{
  return move_funds(store, user_id, amount_minor, "member", now_ms, balance_minor, error);
}

gboolean
ppm_pg_payout(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
              gint64 *balance_minor, GError **error)
{
  return move_funds(store, user_id, -amount_minor, "model", now_ms, balance_minor, error);
}

gboolean
ppm_pg_refund_session(PpmStore *store, const char *session_id, gint64 now_ms,
                      PpmStoreRefund *refund, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;

  ppm_pg_params_text(&params, session_id);
  ppm_pg_params_int(&params, now_ms);
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_REFUND, &params, NULL, error);
  if (result == NULL)
    return FALSE;
  refund->refunded_minor = ppm_pg_int(result, 0, 0);
  refund->stood_charges = ppm_pg_int(result, 0, 1);
  refund->stood_minor = ppm_pg_int(result, 0, 2);
  return TRUE;
}

gboolean
ppm_pg_verify(PpmStore *store, char **problem, GError **error)
{
  g_autoptr(PGresult) result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_VERIFY, NULL, NULL, error);

  if (result == NULL)
    return FALSE;
  *problem = g_strdup(ppm_pg_text(result, 0, 0));
  return TRUE;
}

/* "SELECT a::text, b::text FROM t ORDER BY 1, 2" for a table of the schema:
 * its first columns are its key (id, or e.g. protocol and handle). */
static char *
export_sql(const PpmStoreTable *table)
{
  GString *sql = g_string_new("SELECT ");

  for (int i = 0; table->columns[i] != NULL; i++)
    g_string_append_printf(sql, "%s%s::text", i > 0 ? ", " : "", table->columns[i]);
  g_string_append_printf(sql, " FROM %s ORDER BY 1, 2", table->name);
  return g_string_free(sql, FALSE);
}

static gboolean
export_table(PGconn *conn, const PpmStoreTable *table, PpmStoreRowFunc func, gpointer user_data,
             GError **error)
{
  g_autofree char *sql = export_sql(table);
  g_autoptr(PGresult) result = PQexec(conn, sql);
  int columns;
  g_autofree const char **values = NULL;

  if (PQresultStatus(result) != PGRES_TUPLES_OK)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s",
                  PQresultErrorMessage(result));
      return FALSE;
    }
  columns = PQnfields(result);
  values = g_new0(const char *, columns + 1);
  for (int row = 0; row < PQntuples(result); row++)
    {
      for (int c = 0; c < columns; c++)
        values[c] = ppm_pg_text(result, row, c);
      if (!func(table->name, values, user_data, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
ppm_pg_export_rows(PpmStore *store, PpmStoreRowFunc func, gpointer user_data, GError **error)
{
  PGconn *conn = ppm_pg_pool_acquire(PPM_PG_POOL(store), error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  /* One snapshot for every table, so the copy is consistent. */
  ok = ppm_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error);
  for (int t = 0; ok && ppm_store_tables[t].name != NULL; t++)
    ok = export_table(conn, &ppm_store_tables[t], func, user_data, error);
  ok = ok && ppm_pg_exec(conn, "COMMIT", error);
  if (!ok)
    ppm_pg_exec(conn, "ROLLBACK", NULL);
  ppm_pg_pool_release(PPM_PG_POOL(store), conn);
  return ok;
}

typedef struct
{
  PGconn *conn;
  GHashTable *inserts; /* table name → INSERT statement */
} ImportContext;

static const PpmStoreTable *
table_named(const char *name)
{
  for (int t = 0; ppm_store_tables[t].name != NULL; t++)
    if (g_str_equal(ppm_store_tables[t].name, name))
      return &ppm_store_tables[t];
  return NULL;
}

static const char *
insert_sql(ImportContext *context, const PpmStoreTable *table, int *n_columns)
{
  GString *sql;
  int n = 0;

  while (table->columns[n] != NULL)
    n++;
  *n_columns = n;
  sql = g_hash_table_lookup(context->inserts, table->name);
  if (sql != NULL)
    return sql->str;
  sql = g_string_new(NULL);
  g_string_append_printf(sql, "INSERT INTO %s (", table->name);
  for (int i = 0; i < n; i++)
    g_string_append_printf(sql, "%s%s", i > 0 ? ", " : "", table->columns[i]);
  g_string_append(sql, ") VALUES (");
  for (int i = 0; i < n; i++)
    g_string_append_printf(sql, "%s$%d", i > 0 ? ", " : "", i + 1);
  g_string_append(sql, ")");
  g_hash_table_insert(context->inserts, (gpointer)table->name, sql);
  return sql->str;
}

static void
string_free(gpointer string)
{
  g_string_free(string, TRUE);
}

static gboolean
import_row(const char *table_name, const char *const *values, gpointer user_data, GError **error)
{
  ImportContext *context = user_data;
  const PpmStoreTable *table = table_named(table_name);
  g_autoptr(PGresult) result = NULL;
  const char *sql;
  int n_columns;

  if (table == NULL)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "unknown table %s", table_name);
      return FALSE;
    }
  sql = insert_sql(context, table, &n_columns);
  result = PQexecParams(context->conn, sql, n_columns, NULL, values, NULL, NULL, 0);
  if (PQresultStatus(result) != PGRES_COMMAND_OK)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s: %s",
                  table_name, PQresultErrorMessage(result));
      return FALSE;
    }
  return TRUE;
}

/* Identity sequences continue after the ids the copy kept. */
static gboolean
import_restart_ids(PGconn *conn, GError **error)
{
  for (int t = 0; ppm_store_tables[t].name != NULL; t++)
    {
      g_autofree char *sql = NULL;

      if (!g_str_equal(ppm_store_tables[t].columns[0], "id"))
        continue;
      sql = g_strdup_printf("SELECT setval(pg_get_serial_sequence('%s', 'id'), "
                            "coalesce((SELECT max(id) FROM %s), 0) + 1, false)",
                            ppm_store_tables[t].name, ppm_store_tables[t].name);
      if (!ppm_pg_exec(conn, sql, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
import_in(ImportContext *context, PpmStore *source, GError **error)
{
  g_autoptr(PGresult) used = PQexec(context->conn, "SELECT EXISTS (SELECT 1 FROM users) "
                                                   "OR EXISTS (SELECT 1 FROM entries)");

  if (PQresultStatus(used) != PGRES_TUPLES_OK)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s",
                  PQresultErrorMessage(used));
      return FALSE;
    }
  if (g_strcmp0(ppm_pg_text(used, 0, 0), "t") == 0)
    {
      g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID,
                          "the target database is not empty");
      return FALSE;
    }
  /* The source's system wallets replace this database's unused ones. */
  return ppm_pg_exec(context->conn, "DELETE FROM wallets", error)
         && ppm_store_export_rows(source, import_row, context, error)
         && import_restart_ids(context->conn, error);
}

gboolean
ppm_pg_import_rows(PpmStore *store, PpmStore *source, GError **error)
{
  ImportContext context = { NULL, NULL };
  gboolean ok;

  context.conn = ppm_pg_pool_acquire(PPM_PG_POOL(store), error);
  if (context.conn == NULL)
    return FALSE;
  context.inserts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, string_free);
  ok = ppm_pg_exec(context.conn, "BEGIN", error) && import_in(&context, source, error)
       && ppm_pg_exec(context.conn, "COMMIT", error);
  if (!ok)
    ppm_pg_exec(context.conn, "ROLLBACK", NULL);
  g_hash_table_unref(context.inserts);
  ppm_pg_pool_release(PPM_PG_POOL(store), context.conn);
  return ok;
}
