/* A member's allow-list: which models may bill it (SQLite). */
#include "ppm-sqlite.h"

gboolean
ppm_allow_list_permits(PpmSqlite *s, gint64 member_id, gint64 model_id, gboolean *allowed,
                       GError **error)
{
  gint64 refused;

  if (!ppm_sql_int(s, &refused, error,
                   "SELECT allowed_models_only AND NOT EXISTS (SELECT 1 FROM allowed_models"
                   " WHERE member_id = ?1 AND model_id = ?2) FROM users WHERE id = ?1",
                   "ii", member_id, model_id))
    return FALSE;
  *allowed = !refused;
  return TRUE;
}

typedef struct
{
  gint64 member_id;
  PpmStoreAllowList *list;
} ListQuery;

/* Appends the rows of `stmt` (id, display_name, protocol, handle) to `to`. */
static gboolean
append_models(PpmSqlite *s, sqlite3_stmt *stmt, GPtrArray *to, GError **error)
{
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = ppm_sql_step(s, stmt, error)) == 1)
    {
      PpmStoreAllowedModel *model = g_new0(PpmStoreAllowedModel, 1);

      model->id = sqlite3_column_int64(stmt, 0);
      model->display_name = ppm_sql_text(stmt, 1);
      model->protocol = ppm_sql_text(stmt, 2);
      model->handle = ppm_sql_text(stmt, 3);
      g_ptr_array_add(to, model);
    }
  return rc == 0;
}

static gboolean
list_job(PpmSqlite *s, gpointer data, GError **error)
{
  ListQuery *q = data;
  gint64 only;

  if (!ppm_sql_int(s, &only, error, "SELECT allowed_models_only FROM users WHERE id = ?", "i",
                   q->member_id))
    return FALSE;
  q->list->only = only != 0;
  return append_models(s,
                       ppm_sql_query(s, error,
                                     "SELECT u.id, u.display_name, NULL, NULL FROM allowed_models a"
                                     " JOIN users u ON u.id = a.model_id WHERE a.member_id = ?"
                                     " ORDER BY u.display_name, u.id",
                                     "i", q->member_id),
                       q->list->allowed, error)
         && append_models(
             s,
             ppm_sql_query(s, error,
                           "SELECT u.id, u.display_name, s.protocol, s.model_handle"
                           " FROM (SELECT model_id, MAX (id) AS latest FROM sessions"
                           " WHERE member_id = ?1 GROUP BY model_id) m"
                           " JOIN sessions s ON s.id = m.latest JOIN users u ON u.id = m.model_id"
                           " WHERE NOT EXISTS (SELECT 1 FROM allowed_models a"
                           " WHERE a.member_id = ?1 AND a.model_id = m.model_id)"
                           " ORDER BY m.latest DESC LIMIT ?2",
                           "in", q->member_id, PPM_ALLOWED_SUGGESTIONS),
             q->list->suggested, error);
}

static gboolean
sqlite_allow_list_get(PpmStore *store, gint64 member_id, PpmStoreAllowList *list, GError **error)
{
  ListQuery q = { member_id, list };

  ppm_allow_list_init(list);
  return ppm_sqlite_read((PpmSqlite *)store, list_job, &q, error);
}

typedef struct
{
  gint64 member_id;
  gboolean only;
  gint64 model_id;
  const char *protocol;
  const char *handle;
} Change;

static gboolean
only_job(PpmSqlite *s, gpointer data, GError **error)
{
  Change *c = data;

  return ppm_sql_exec(s, error, "UPDATE users SET allowed_models_only = ? WHERE id = ?", "ni",
                      c->only ? 1 : 0, c->member_id);
}

static gboolean
sqlite_allow_list_set_only(PpmStore *store, gint64 member_id, gboolean only, GError **error)
{
  Change c = { .member_id = member_id, .only = only };
  return ppm_sqlite_run((PpmSqlite *)store, only_job, &c, error);
}

static gboolean
add_job(PpmSqlite *s, gpointer data, GError **error)
{
  Change *c = data;
  gint64 model_id;

  if (!ppm_sql_int(s, &model_id, error,
                   "SELECT id FROM users WHERE role = 'model' AND id = CASE WHEN ?1 > 0 THEN ?1"
                   " ELSE (SELECT user_id FROM handles WHERE protocol = ?2 AND handle = ?3) END",
                   "iss", c->model_id, c->protocol, c->handle))
    return FALSE;
  if (model_id == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "no model has that email or handle");
  return ppm_sql_exec(s, error,
                      "INSERT INTO allowed_models (member_id, model_id) VALUES (?, ?)"
                      " ON CONFLICT DO NOTHING",
                      "ii", c->member_id, model_id);
}

static gboolean
sqlite_allow_list_add(PpmStore *store, gint64 member_id, gint64 model_id, const char *protocol,
                      const char *handle, GError **error)
{
  Change c
      = { .member_id = member_id, .model_id = model_id, .protocol = protocol, .handle = handle };
  return ppm_sqlite_run((PpmSqlite *)store, add_job, &c, error);
}

static gboolean
remove_job(PpmSqlite *s, gpointer data, GError **error)
{
  Change *c = data;

  if (!ppm_sql_exec(s, error, "DELETE FROM allowed_models WHERE member_id = ? AND model_id = ?",
                    "ii", c->member_id, c->model_id))
    return FALSE;
  if (sqlite3_changes(s->db) == 0)
    return ppm_sql_fail(error, PPM_STORE_ERROR_NOT_FOUND, "that model is not on the list");
  return TRUE;
}

static gboolean
sqlite_allow_list_remove(PpmStore *store, gint64 member_id, gint64 model_id, GError **error)
{
  Change c = { .member_id = member_id, .model_id = model_id };
  return ppm_sqlite_run((PpmSqlite *)store, remove_job, &c, error);
}

void
ppm_sqlite_allow_ops(PpmStoreOps *ops)
{
  ops->allow_list_get = sqlite_allow_list_get;
  ops->allow_list_set_only = sqlite_allow_list_set_only;
  ops->allow_list_add = sqlite_allow_list_add;
  ops->allow_list_remove = sqlite_allow_list_remove;
}
