/* The PostgreSQL engine: opens counted as lookups, and a member's
 * allow-list. */
#include "ppm-pg.h"

gboolean
ppm_pg_session_open_count(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *open,
                          gint64 now_ms, gint64 *retry_after_s, GError **error)
{
  PpmPgParams params = { 0 };
  g_autoptr(PGresult) result = NULL;

  ppm_pg_params_int(&params, model_id);
  ppm_pg_params_text(&params, open->client_session_id);
  ppm_pg_params_text(&params, open->protocol);
  ppm_pg_params_text(&params, open->model_handle);
  ppm_pg_params_text(&params, open->member_handle);
  ppm_pg_params_int(&params, now_ms);
  result = ppm_pg_query(PPM_PG_POOL(store), PPM_PG_OPEN_COUNT, &params, retry_after_s, error);
  return result != NULL;
}

/* Appends the rows (id, display_name, protocol, handle) of `statement`. */
static gboolean
append_models(PGconn *conn, PpmPgStatement statement, const PpmPgParams *params, GPtrArray *to,
              GError **error)
{
  g_autoptr(PGresult) result = ppm_pg_run(conn, statement, params, NULL, error);

  if (result == NULL)
    return FALSE;
  for (int row = 0; row < PQntuples(result); row++)
    {
      PpmStoreAllowedModel *model = g_new0(PpmStoreAllowedModel, 1);

      model->id = ppm_pg_int(result, row, 0);
      model->display_name = g_strdup(ppm_pg_text(result, row, 1));
      model->protocol = g_strdup(ppm_pg_text(result, row, 2));
      model->handle = g_strdup(ppm_pg_text(result, row, 3));
      g_ptr_array_add(to, model);
    }
  return TRUE;
}

gboolean
ppm_pg_allow_list_get(PpmStore *store, gint64 member_id, PpmStoreAllowList *list, GError **error)
{
  PGconn *conn = ppm_pg_pool_acquire(PPM_PG_POOL(store), error);
  PpmPgParams member = { 0 }, suggest = { 0 };
  g_autoptr(PGresult) only = NULL;
  gboolean ok;

  ppm_allow_list_init(list);
  if (conn == NULL)
    return FALSE;
  ppm_pg_params_int(&member, member_id);
  ppm_pg_params_int(&suggest, member_id);
  ppm_pg_params_int(&suggest, PPM_ALLOWED_SUGGESTIONS);
  /* One snapshot for the switch and both lists. */
  ok = ppm_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error)
       && (only = ppm_pg_run(conn, PPM_PG_ALLOW_LIST_ONLY, &member, NULL, error)) != NULL
       && append_models(conn, PPM_PG_ALLOW_LIST_ALLOWED, &member, list->allowed, error)
       && append_models(conn, PPM_PG_ALLOW_LIST_SUGGESTED, &suggest, list->suggested, error)
       && ppm_pg_exec(conn, "COMMIT", error);
  if (!ok)
    ppm_pg_exec(conn, "ROLLBACK", NULL);
  else
    list->only = ppm_pg_int(only, 0, 0) != 0;
  ppm_pg_pool_release(PPM_PG_POOL(store), conn);
  return ok;
}

gboolean
ppm_pg_allow_list_set_only(PpmStore *store, gint64 member_id, gboolean only, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, member_id);
  ppm_pg_params_int(&params, only ? 1 : 0);
  return ppm_pg_store_run(store, PPM_PG_ALLOW_LIST_SET_ONLY, &params, error);
}

gboolean
ppm_pg_allow_list_add(PpmStore *store, gint64 member_id, gint64 model_id, const char *protocol,
                      const char *handle, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, member_id);
  ppm_pg_params_int(&params, model_id);
  ppm_pg_params_text(&params, protocol);
  ppm_pg_params_text(&params, handle);
  return ppm_pg_store_run_found(store, PPM_PG_ALLOW_LIST_ADD, &params,
                                "no model has that email or handle", error);
}

gboolean
ppm_pg_allow_list_remove(PpmStore *store, gint64 member_id, gint64 model_id, GError **error)
{
  PpmPgParams params = { 0 };

  ppm_pg_params_int(&params, member_id);
  ppm_pg_params_int(&params, model_id);
  return ppm_pg_store_run_found(store, PPM_PG_ALLOW_LIST_REMOVE, &params,
                                "that model is not on the list", error);
}
