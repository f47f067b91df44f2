/* Spellings stored before normalization, on PostgreSQL: two accounts whose
 * emails become one stop the start and ppm-admin with both listed and
 * nothing merged; one account's spelling is respelled at start, once.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include <string.h>

#include "ppm-test-api.h"

#define EMAILS_SQL "SELECT string_agg(email, ';' ORDER BY id) FROM users"

static void
test_stored_spellings(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autofree char *out = NULL;
  g_autoptr(PpmTestResponse) login = NULL;

  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(server->db_uri, "postgresql:"));
  ppm_test_user(server, "ann1@example.com", "member");
  ppm_test_user(server, "ann2@example.com", "member");
  ppm_test_server_stop(server);
  /* As an older version stored them. */
  g_free(ppm_test_server_sql(server, "UPDATE users SET email = 'Ann@Example.com' WHERE id = 1;"
                                     "UPDATE users SET email = 'ann@example.com' WHERE id = 2"));

  g_assert_false(ppm_test_server_restart(server, &error));
  g_assert_nonnull(strstr(error->message, "email ann@example.com:"));
  g_assert_nonnull(strstr(error->message, "user 1 as Ann@Example.com"));
  g_assert_nonnull(strstr(error->message, "user 2 as ann@example.com"));
  g_clear_error(&error);
  out = ppm_test_admin(server, NULL, &error, "balance", "--email", "ann@example.com", NULL);
  g_assert_null(out);
  g_assert_nonnull(strstr(error->message, "user 2 as ann@example.com"));
  g_clear_error(&error);
  ppm_test_server_assert_sql(server, EMAILS_SQL, "Ann@Example.com;ann@example.com");

  /* Only one account: respelled at start, and then found by any spelling. */
  g_free(ppm_test_server_sql(server, "UPDATE users SET email = 'ann2@example.com' WHERE id = 2"));
  ppm_test_server_restart(server, &error);
  g_assert_no_error(error);
  ppm_test_server_assert_sql(server, EMAILS_SQL, "ann@example.com;ann2@example.com");
  login = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                        "{\"email\": \"ANN@example.com\", \"password\": "
                        "\"password-ann1@example.com\"}");
  ppm_assert_answer(login, 200, NULL);
  g_assert_cmpint(ppm_test_int(login, "user.id"), ==, 1);

  /* Normalized: the next start writes nothing. */
  ppm_test_server_stop(server);
  ppm_test_server_restart(server, &error);
  g_assert_no_error(error);
  ppm_test_server_stop(server);
  g_assert_cmpuint(ppm_test_server_log_count(server, "respelled 1 stored emails and handles"), ==,
                   1);
  g_assert_cmpuint(ppm_test_server_log_count(server, "respelled"), ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/identities/stored-spellings", test_stored_spellings);
  return g_test_run();
}
