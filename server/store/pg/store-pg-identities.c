/* The PostgreSQL engine's side of ppm_store_normalize_identities(). */
#include "ppm-pg.h"

/* Taken by the rewrite so that servers starting together respell in turn;
 * the second finds the first's work done.  (0x70706e: the migration's key,
 * ppm-pg-migrate.c, plus one.) */
#define IDENTITIES_LOCK "SELECT pg_advisory_xact_lock(7368814)"

static gboolean
pg_fail(const PGresult *result, GError **error)
{
  g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s",
              PQresultErrorMessage(result));
  return FALSE;
}

static gboolean
identities_list_on(PGconn *conn, GPtrArray *identities, GError **error)
{
  g_autoptr(PGresult) result = PQexec(conn, "SELECT id, NULL, email FROM users UNION ALL "
                                            "SELECT user_id, protocol, handle FROM handles");

  if (PQresultStatus(result) != PGRES_TUPLES_OK)
    return pg_fail(result, error);
  for (int row = 0; row < PQntuples(result); row++)
    {
      PpmStoreIdentity *identity = g_new0(PpmStoreIdentity, 1);

      identity->user_id = ppm_pg_int(result, row, 0);
      identity->protocol
          = ppm_pg_is_null(result, row, 1) ? NULL : g_strdup(ppm_pg_text(result, row, 1));
      identity->name = g_strdup(ppm_pg_text(result, row, 2));
      g_ptr_array_add(identities, identity);
    }
  return TRUE;
}

gboolean
ppm_pg_identities_list(PpmStore *store, GPtrArray *identities, GError **error)
{
  PGconn *conn = ppm_pg_pool_acquire(PPM_PG_POOL(store), error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  ok = identities_list_on(conn, identities, error);
  ppm_pg_pool_release(PPM_PG_POOL(store), conn);
  return ok;
}

static gboolean
identity_change(PGconn *conn, const PpmStoreIdentityChange *c, GError **error)
{
  g_autofree char *user = g_strdup_printf("%" G_GINT64_FORMAT, c->from->user_id);
  g_autoptr(PGresult) result = NULL;

  if (c->from->protocol == NULL)
    {
      const char *values[] = { c->to->name, user, c->from->name };
      result = PQexecParams(conn, "UPDATE users SET email = $1 WHERE id = $2 AND email = $3", 3,
                            NULL, values, NULL, NULL, 0);
    }
  else if (c->to == NULL)
    {
      const char *values[] = { user, c->from->protocol, c->from->name };
      result = PQexecParams(conn,
                            "DELETE FROM handles WHERE user_id = $1 AND protocol = $2 "
                            "AND handle = $3",
                            3, NULL, values, NULL, NULL, 0);
    }
  else
    {
      const char *values[]
          = { c->to->protocol, c->to->name, user, c->from->protocol, c->from->name };
      result = PQexecParams(conn,
                            "UPDATE handles SET protocol = $1, handle = $2 "
                            "WHERE user_id = $3 AND protocol = $4 AND handle = $5",
                            5, NULL, values, NULL, NULL, 0);
    }
  return PQresultStatus(result) == PGRES_COMMAND_OK || pg_fail(result, error);
}

gboolean
ppm_pg_identities_rewrite(PpmStore *store, GArray *changes, GError **error)
{
  PGconn *conn = ppm_pg_pool_acquire(PPM_PG_POOL(store), error);
  gboolean ok;

  if (conn == NULL)
    return FALSE;
  ok = ppm_pg_exec(conn, "BEGIN", error) && ppm_pg_exec(conn, IDENTITIES_LOCK, error);
  for (guint i = 0; ok && i < changes->len; i++)
    ok = identity_change(conn, &g_array_index(changes, PpmStoreIdentityChange, i), error);
  ok = ok && ppm_pg_exec(conn, "COMMIT", error);
  if (!ok)
    ppm_pg_exec(conn, "ROLLBACK", NULL);
  ppm_pg_pool_release(PPM_PG_POOL(store), conn);
  return ok;
}
