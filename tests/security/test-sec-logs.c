/* Secrets never reach a log or the database in clear: after logins (good
 * and bad), refreshes, a billed call through the client core and a web
 * sign-up, sign-in and password change with known values, neither the
 * server's stderr, the client's GLib log nor the SQLite files hold any
 * password, token or cookie value. */
#include <string.h>

#include "ppm-api.h"
#include "ppm-test-api.h"
#include "sec-async.h"
#include "sec-browser.h"
#include "sec-server.h"

/* Everything logged in this process, any domain and level, all fields. */
static GString *client_log;

static GLogWriterOutput
capture_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append(client_log, fields[i].value);
      else
        g_string_append_len(client_log, fields[i].value, fields[i].length);
      g_string_append_c(client_log, '\n');
    }
  /* Only what goes to stderr: stdout carries TAP. */
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default(level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
remember(GPtrArray *secrets, const char *secret)
{
  g_assert_nonnull(secret);
  g_assert_cmpuint(strlen(secret), >=, 8);
  g_ptr_array_add(secrets, g_strdup(secret));
}

static void
on_refresh_token_changed(PpmApi *api, const char *token, gpointer user_data)
{
  if (token != NULL)
    remember(user_data, token);
}

static void
on_open(const PpmOutcome *outcome, const PpmOpenAnswer *answer, gpointer user_data)
{
  g_assert_cmpint(outcome->kind, ==, PPM_OUTCOME_OK);
  *(char **)user_data = g_strdup(answer->session_id);
}

static void
on_charge(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  g_assert_cmpint(outcome->kind, ==, PPM_OUTCOME_OK);
  *(gboolean *)user_data = TRUE;
}

static void
on_close(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer user_data)
{
  g_assert_cmpint(outcome->kind, ==, PPM_OUTCOME_OK);
  *(gboolean *)user_data = TRUE;
}

static void
iterate_until(gboolean *done)
{
  while (!*done)
    g_main_context_iteration(NULL, TRUE);
}

/* The model's client: sign in, a wrong password, a refresh, /v1/me, and a
 * billed call of two charges. */
static void
client_session(PpmTestServer *server, PpmTestPair *pair, GPtrArray *secrets)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmApi) api = ppm_api_new(server->url, NULL);
  g_autoptr(PpmApi) wrong = ppm_api_new(server->url, NULL);
  g_autoptr(GAsyncResult) bad = NULL, login = NULL, renewed = NULL, me = NULL;
  g_autoptr(PpmLogin) bad_login = NULL, first = NULL, second = NULL;
  g_autoptr(PpmMe) me_answer = NULL;
  g_autofree char *model_password = g_strconcat("password-", pair->model_email, NULL);
  g_autofree char *client_session_id = g_uuid_string_random();
  g_autofree char *session = NULL;
  PpmOpenRequest open
      = { client_session_id, "prpl-jabber", pair->model_handle, pair->member_handle, 300000 };
  gboolean charged = FALSE, closed = FALSE;

  g_assert_nonnull(api);
  g_assert_nonnull(wrong);
  g_signal_connect(api, "refresh-token-changed", G_CALLBACK(on_refresh_token_changed), secrets);
  /* A mistyped password is as secret as the right one. */
  remember(secrets, "Wrong-Zebra-Quartz-981");
  ppm_api_login(wrong, pair->model_email, "Wrong-Zebra-Quartz-981", NULL, sec_async_store, &bad);
  bad_login = ppm_api_login_finish(wrong, sec_async_wait(&bad), &error);
  g_assert_null(bad_login);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_UNAUTHORIZED);
  g_clear_error(&error);

  ppm_api_login(api, pair->model_email, model_password, NULL, sec_async_store, &login);
  first = ppm_api_login_finish(api, sec_async_wait(&login), &error);
  g_assert_no_error(error);
  remember(secrets, first->access_token);
  remember(secrets, first->refresh_token);
  ppm_api_refresh(api, NULL, sec_async_store, &renewed);
  second = ppm_api_refresh_finish(api, sec_async_wait(&renewed), &error);
  g_assert_no_error(error);
  remember(secrets, second->access_token);
  remember(secrets, second->refresh_token);
  ppm_api_me(api, NULL, sec_async_store, &me);
  me_answer = ppm_api_me_finish(api, sec_async_wait(&me), &error);
  g_assert_no_error(error);

  ppm_api_open(api, &open, NULL, on_open, &session);
  while (session == NULL)
    g_main_context_iteration(NULL, TRUE);
  for (gint64 seq = 0; seq < 2; seq++)
    {
      charged = FALSE;
      ppm_api_charge(api, session, seq, 61000 * seq, NULL, on_charge, &charged);
      iterate_until(&charged);
    }
  ppm_api_close(api, session, "local_hangup", 62000, NULL, on_close, &closed);
  iterate_until(&closed);
}

/* A member signs up, changes the password and signs in again in the
 * pages. */
static void
web_session(PpmTestServer *server, GPtrArray *secrets)
{
  const char *password = "Signup-Walrus-Lantern-42", *new_password = "Changed-Otter-Violin-77";
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/signup");
  g_autofree char *signup_form = NULL, *change_form = NULL, *login_form = NULL, *rest = NULL;
  g_autofree char *logout_form = NULL;
  g_autofree char *password_token = NULL, *login_token = NULL;
  g_autoptr(SecResponse) signup = NULL, changed = NULL, login = NULL, out = NULL;

  remember(secrets, g_hash_table_lookup(browser->cookies, "ppm_form"));
  remember(secrets, password);
  remember(secrets, new_password);
  rest = g_strdup_printf("email=zoe%%40example.com&display_name=Zoe&password=%s", password);
  signup_form = sec_form(token, rest);
  signup = sec_browser_visit(browser, "/account/signup", signup_form);
  g_assert_cmpint(signup->status, ==, 303);
  remember(secrets, g_hash_table_lookup(browser->cookies, "ppm_session"));

  password_token = sec_browser_form_token(browser, "/account/password");
  g_free(rest);
  rest = g_strdup_printf("current_password=%s&new_password=%s", password, new_password);
  change_form = sec_form(password_token, rest);
  changed = sec_browser_visit(browser, "/account/password", change_form);
  g_assert_cmpint(changed->status, ==, 200);

  logout_form = sec_form(password_token, "");
  out = sec_browser_visit(browser, "/account/logout", logout_form);
  g_assert_cmpint(out->status, ==, 303);
  login_token = sec_browser_form_token(browser, "/account/login");
  g_free(rest);
  rest = g_strdup_printf("email=zoe%%40example.com&password=%s", new_password);
  login_form = sec_form(login_token, rest);
  login = sec_browser_visit(browser, "/account/login", login_form);
  g_assert_cmpint(login->status, ==, 303);
  remember(secrets, g_hash_table_lookup(browser->cookies, "ppm_session"));
}

static gboolean
contains(const char *data, gsize length, const char *needle)
{
  gsize size = strlen(needle);

  for (const char *p = data; p + size <= data + length; p++)
    {
      p = memchr(p, needle[0], (gsize)(data + length - p));
      if (p == NULL || p + size > data + length)
        return FALSE;
      if (memcmp(p, needle, size) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
assert_absent(const char *data, gsize length, const char *what, GPtrArray *secrets)
{
  for (guint i = 0; i < secrets->len; i++)
    if (contains(data, length, secrets->pdata[i]))
      g_error("%s holds the secret \"%s\"", what, (char *)secrets->pdata[i]);
}

/* Every kind of request that handles a secret, then the server stopped
 * (which flushes its log and database). */
static void
run_sequence(SecServer *server, GPtrArray *secrets)
{
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) forged = NULL;

  ppm_test_pair_init(&pair, server, "amy", "mia", "20.00");
  remember(secrets, pair.model_token);
  remember(secrets, pair.member_token);
  g_ptr_array_add(secrets, g_strconcat("password-", pair.model_email, NULL));
  g_ptr_array_add(secrets, g_strconcat("password-", pair.member_email, NULL));
  remember(secrets, "Forged-Token-Pelican-5150");
  forged = ppm_test_call(server, "GET", "/v1/me", "Forged-Token-Pelican-5150", NULL);
  ppm_assert_answer(forged, 401, "unauthorized");
  client_session(server, &pair, secrets);
  web_session(server, secrets);
  ppm_test_server_stop(server);
}

static void
test_no_secret_in_logs(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func(g_free);
  g_autofree char *server_log = NULL;
  const char *const expected_lines[] = { "POST /v1/auth/login 401",
                                         "POST /v1/auth/login 200",
                                         "POST /v1/auth/refresh 200",
                                         "GET /v1/me 401",
                                         "/charges 201",
                                         "POST /account/signup 303",
                                         "POST /account/password 200",
                                         NULL };

  run_sequence(server, secrets);
  /* The log shows the requests were made... */
  g_assert_true(g_file_get_contents(server->log_path, &server_log, NULL, NULL));
  for (guint i = 0; expected_lines[i]; i++)
    if (strstr(server_log, expected_lines[i]) == NULL)
      g_error("no \"%s\" in the server log:\n%s", expected_lines[i], server_log);
  /* ...and none of their secrets. */
  assert_absent(server_log, strlen(server_log), "the server log", secrets);

  g_log_structured("sec", G_LOG_LEVEL_DEBUG, "MESSAGE", "capture check");
  g_assert_nonnull(strstr(client_log->str, "capture check"));
  assert_absent(client_log->str, client_log->len, "the client log", secrets);
}

/* Passwords are stored as argon2id and tokens as hashes: no secret is in
 * the SQLite files, byte for byte. */
static void
test_no_secret_in_database(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func(g_free);
  const char *const suffixes[] = { "", "-wal", "-journal" };
  const char *path;
  guint files = 0;

  if (!g_str_has_prefix(server->db_uri, "sqlite:"))
    {
      g_test_skip("only for SQLite databases");
      return;
    }
  path = server->db_uri + strlen("sqlite:");
  run_sequence(server, secrets);
  for (gsize i = 0; i < G_N_ELEMENTS(suffixes); i++)
    {
      g_autofree char *file = g_strconcat(path, suffixes[i], NULL);
      g_autofree char *data = NULL;
      gsize length;

      if (!g_file_get_contents(file, &data, &length, NULL))
        continue;
      files++;
      /* Not vacuous: the database holds the users' emails. */
      if (i == 0)
        g_assert_true(contains(data, length, "amy@example.com"));
      assert_absent(data, length, file, secrets);
    }
  g_assert_cmpuint(files, >=, 1);
}

int
main(int argc, char **argv)
{
  /* Debug messages are formatted only when asked for. */
  g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
  client_log = g_string_new(NULL);
  g_log_set_writer_func(capture_log, NULL, NULL);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/logs/no-secret-in-logs", test_no_secret_in_logs);
  g_test_add_func("/security/logs/no-secret-in-database", test_no_secret_in_database);
  return g_test_run();
}
