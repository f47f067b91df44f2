/* The SQLite engine's side of ppm_store_normalize_identities(). */
#include "ppm-sqlite.h"

static gboolean
identities_list_job(PpmSqlite *s, gpointer data, GError **error)
{
  GPtrArray *identities = data;
  sqlite3_stmt *stmt = ppm_sql_query(s, error,
                                     "SELECT id, NULL, email FROM users UNION ALL"
                                     " SELECT user_id, protocol, handle FROM handles",
                                     "");
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = ppm_sql_step(s, stmt, error)) == 1)
    {
      PpmStoreIdentity *identity = g_new0(PpmStoreIdentity, 1);

      identity->user_id = sqlite3_column_int64(stmt, 0);
      identity->protocol = ppm_sql_text(stmt, 1);
      identity->name = ppm_sql_text(stmt, 2);
      g_ptr_array_add(identities, identity);
    }
  return rc == 0;
}

static gboolean
sqlite_identities_list(PpmStore *store, GPtrArray *identities, GError **error)
{
  return ppm_sqlite_read((PpmSqlite *)store, identities_list_job, identities, error);
}

static gboolean
identity_change(PpmSqlite *s, const PpmStoreIdentityChange *c, GError **error)
{
  if (c->from->protocol == NULL)
    return ppm_sql_exec(s, error, "UPDATE users SET email = ? WHERE id = ? AND email = ?", "sis",
                        c->to->name, c->from->user_id, c->from->name);
  if (c->to == NULL)
    return ppm_sql_exec(s, error,
                        "DELETE FROM handles WHERE user_id = ? AND protocol = ? AND handle = ?",
                        "iss", c->from->user_id, c->from->protocol, c->from->name);
  return ppm_sql_exec(s, error,
                      "UPDATE handles SET protocol = ?, handle = ?"
                      " WHERE user_id = ? AND protocol = ? AND handle = ?",
                      "ssiss", c->to->protocol, c->to->name, c->from->user_id, c->from->protocol,
                      c->from->name);
}

static gboolean
identities_rewrite_job(PpmSqlite *s, gpointer data, GError **error)
{
  GArray *changes = data;

  for (guint i = 0; i < changes->len; i++)
    if (!identity_change(s, &g_array_index(changes, PpmStoreIdentityChange, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
sqlite_identities_rewrite(PpmStore *store, GArray *changes, GError **error)
{
  return ppm_sqlite_run((PpmSqlite *)store, identities_rewrite_job, changes, error);
}

void
ppm_sqlite_identities_ops(PpmStoreOps *ops)
{
  ops->identities_list = sqlite_identities_list;
  ops->identities_rewrite = sqlite_identities_rewrite;
}
