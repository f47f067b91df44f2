#include "pg-test-psql.h"

char *
ppm_pg_test_psql(PpmTestServer *server, const char *sql)
{
  const char *argv[] = { "psql", "-qAt", "-v", "ON_ERROR_STOP=1", server->db_uri, "-c", sql, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                             &status, &error));
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, &error));
  g_assert_no_error(error);
  return g_strdup(g_strchomp(out));
}
