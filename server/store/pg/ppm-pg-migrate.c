#include "ppm-pg.h"

#include <gio/gio.h>

/* Generated from ppm-pg.gresource.xml.  Looked up through this function, not
 * the global registry: a static library would drop the unreferenced
 * constructor that registers it. */
GResource *ppm_pg_get_resource(void);

#define RESOURCE_DIR "/org/purple-ppm/pg/"

/* Schema versions in order: migration i (from 0) brings the schema to
 * version i + 1.  A change to the tables is a new file here, never an edit
 * of one that shipped. */
static const char *const migrations[] = {
  "schema-1.sql", "schema-2.sql", "schema-3.sql", "schema-4.sql", "schema-5.sql",
};

/* Any number, as long as every ppm-server and ppm-admin uses the same one:
 * it serializes concurrent starts on one database. */
#define MIGRATION_LOCK_KEY 0x70706d

static gboolean
exec_resource(PGconn *conn, const char *name, GError **error)
{
  g_autofree char *path = g_strconcat(RESOURCE_DIR, name, NULL);
  g_autoptr(GBytes) sql
      = g_resource_lookup_data(ppm_pg_get_resource(), path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  /* GResource data is always NUL-terminated. */
  return sql != NULL && ppm_pg_exec(conn, g_bytes_get_data(sql, NULL), error);
}

/* ppm_schema_version keeps one row per migration applied. */
static gboolean
migrate_locked(PGconn *conn, PpmStoreMigration *migration, GError **error)
{
  g_autoptr(PGresult) result = NULL;
  int version;

  if (!ppm_pg_exec(conn, "CREATE TABLE IF NOT EXISTS ppm_schema_version (version integer NOT NULL)",
                   error))
    return FALSE;
  result = PQexec(conn, "SELECT coalesce(max(version), 0) FROM ppm_schema_version");
  if (PQresultStatus(result) != PGRES_TUPLES_OK)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "PostgreSQL: %s",
                  PQresultErrorMessage(result));
      return FALSE;
    }
  version = (int)ppm_pg_int(result, 0, 0);
  if (!ppm_store_migration_check(migration, version, G_N_ELEMENTS(migrations), error))
    return FALSE;
  for (int i = version; i < (int)G_N_ELEMENTS(migrations); i++)
    {
      g_autofree char *record
          = g_strdup_printf("INSERT INTO ppm_schema_version VALUES (%d)", i + 1);

      if (!exec_resource(conn, migrations[i], error) || !ppm_pg_exec(conn, record, error))
        return FALSE;
    }
  return exec_resource(conn, "functions.sql", error);
}

gboolean
ppm_pg_migrate(PGconn *conn, PpmStoreMigration *migration, GError **error)
{
  g_autofree char *lock
      = g_strdup_printf("BEGIN; SELECT pg_advisory_xact_lock(%d)", MIGRATION_LOCK_KEY);

  if (!ppm_pg_exec(conn, lock, error))
    return FALSE;
  if (!migrate_locked(conn, migration, error))
    {
      ppm_pg_exec(conn, "ROLLBACK", NULL);
      return FALSE;
    }
  return ppm_pg_exec(conn, "COMMIT", error);
}
