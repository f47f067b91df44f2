/* ppm-server's command line: flag ranges, refusals to start, the route
 * list, a clean stop, TLS and its reload on SIGHUP. */
#include <curl/curl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "ppm-test-api.h"

/* Runs ppm-server with `args`; returns its exit status and stderr. */
static int
run_server(const char *const *args, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add(argv, (gpointer)g_getenv("PPM_SERVER_BIN"));
  for (int i = 0; args[i]; i++)
    g_ptr_array_add(argv, (gpointer)args[i]);
  g_ptr_array_add(argv, NULL);
  g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, err, &status,
               &error);
  g_assert_no_error(error);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
assert_refused(const char *const *args, const char *needle)
{
  g_autofree char *err = NULL;
  int status = run_server(args, &err);

  g_assert_cmpint(status, ==, 1);
  /* Exactly one line. */
  g_assert_true(g_str_has_suffix(err, "\n"));
  g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);
  if (strstr(err, needle) == NULL)
    g_error("expected \"%s\" in: %s", needle, err);
}

static void
test_flag_ranges(void)
{
  /* A database that cannot be opened: a flag checked too late would show
   * up as a database error instead of the flag's. */
  const char *db = "--db=sqlite:/proc/no-such-dir/ppm.db";
  const struct
  {
    const char *flag;
    const char *value;
  } bad[] = {
    { "--period-seconds", "0" },
    { "--period-seconds", "3601" },
    { "--fee-bps", "-1" },
    { "--fee-bps", "10001" },
    { "--hold-periods", "0" },
    { "--hold-periods", "61" },
    { "--max-backdate-seconds", "59" },
    { "--max-backdate-seconds", "86401" },
    { "--period-seconds", "ten" },
    { "--currency", "usd" },
    { "--listen", "localhost" },
    { "--public-url", "ftp://x" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
    assert_refused((const char *[]){ db, bad[i].flag, bad[i].value, NULL }, bad[i].flag);
  assert_refused((const char *[]){ db, "--tls-cert", "cert.pem", NULL }, "--tls-key");
  assert_refused((const char *[]){ db, "--no-such-flag", NULL }, "--no-such-flag");
}

static void
test_max_rate_flag(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-cli-XXXXXX", NULL);
  g_autofree char *db = g_strdup_printf("--db=sqlite:%s/ppm.db", dir);
  const char *const files[] = { "ppm.db", "ppm.db-wal", "ppm.db-shm" };

  /* The amount is read in the database's currency, so after it opened. */
  assert_refused((const char *[]){ db, "--max-rate", "0", NULL }, "--max-rate");
  assert_refused((const char *[]){ db, "--max-rate", "1.234", NULL }, "--max-rate");
  for (gsize i = 0; i < G_N_ELEMENTS(files); i++)
    {
      g_autofree char *path = g_build_filename(dir, files[i], NULL);
      g_remove(path);
    }
  g_rmdir(dir);
}

static void
test_database_cannot_open(void)
{
  assert_refused((const char *[]){ "--db=sqlite:/proc/no-such-dir/ppm.db", NULL },
                 "cannot open database");
}

static void
test_port_taken(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autofree char *listen = NULL, *db = NULL;

  g_assert_no_error(error);
  listen = g_strdup_printf("--listen=127.0.0.1:%u", server->port);
  db = g_strdup_printf("--db=sqlite:%s/other.db", server->dir);
  assert_refused((const char *[]){ db, listen, NULL }, "Address already in use");
}

static void
test_print_routes(void)
{
  const char *const expected[] = {
    "POST /v1/auth/login",
    "POST /v1/auth/refresh",
    "POST /v1/auth/logout",
    "GET /v1/me",
    "PUT /v1/me/rate",
    "PUT /v1/me/max-rate",
    "POST /v1/me/handles",
    "DELETE /v1/me/handles",
    "GET /v1/members/lookup",
    "POST /v1/sessions",
    "POST /v1/sessions/{id}/charges",
    "POST /v1/sessions/{id}/close",
    "POST /v1/sessions/{id}/rating",
    "POST /v1/app-rating",
    "GET /v1/me/sessions",
    "GET /v1/me/transactions",
    "GET /healthz",
  };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  g_spawn_sync(NULL, (char *[]){ (char *)g_getenv("PPM_SERVER_BIN"), "--print-routes", NULL }, NULL,
               G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  lines = g_strsplit(out, "\n", -1);
  for (gsize i = 0; i < G_N_ELEMENTS(expected); i++)
    g_assert_true(g_strv_contains((const char *const *)lines, expected[i]));
  for (guint i = 0; lines[i] && *lines[i]; i++)
    g_assert_true(g_regex_match_simple("^(GET|POST|PUT|DELETE) /\\S*$", lines[i], 0, 0));
}

typedef struct
{
  PpmTestServer *server;
  PpmTestResponse *answer;
} InFlight;

static gpointer
slow_login(gpointer data)
{
  InFlight *f = data;

  /* argon2id makes a login take a while: long enough to be in flight. */
  f->answer = ppm_test_call(f->server, "POST", "/v1/auth/login", NULL,
                            "{\"email\": \"amy@example.com\", \"password\": "
                            "\"password-amy@example.com\"}");
  return NULL;
}

static void
test_sigterm_finishes_requests(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autofree char *log = NULL;
  InFlight f = { 0 };
  GThread *thread;

  g_assert_no_error(error);
  ppm_test_user(server, "amy@example.com", "member");
  thread = g_thread_new("login", slow_login, (f.server = server, &f));
  g_usleep(100000);
  ppm_test_server_stop(server);
  g_thread_join(thread);
  ppm_assert_answer(f.answer, 200, NULL);
  ppm_test_response_free(f.answer);
  g_assert_true(g_file_get_contents(server->log_path, &log, NULL, NULL));
  g_assert_nonnull(strstr(log, "POST /v1/auth/login 200"));
  /* One line per request, and never a secret in it. */
  g_assert_null(strstr(log, "password-amy"));
}

static void
test_sigint_stops(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  int status = 0;

  g_assert_no_error(error);
  kill(server->pid, SIGINT);
  g_assert_cmpint(waitpid(server->pid, &status, 0), ==, server->pid);
  server->pid = 0;
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static gboolean
make_certificate(const char *cert, const char *key)
{
  g_autofree char *openssl = g_find_program_in_path("openssl");
  int status;

  return openssl != NULL
         && g_spawn_sync(NULL,
                         (char *[]){ openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                     "-subj", "/CN=127.0.0.1", "-addext",
                                     "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout",
                                     (char *)key, "-out", (char *)cert, NULL },
                         NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         NULL, NULL, &status, NULL)
         && g_spawn_check_wait_status(status, NULL);
}

static size_t
discard(char *data, size_t size, size_t count, void *user_data)
{
  return size * count;
}

/* GET /healthz over TLS trusting only `ca`; the HTTP status or 0. */
static long
tls_healthz(PpmTestServer *server, const char *ca)
{
  g_autofree char *url = g_strdup_printf("%s/healthz", server->url);
  CURL *curl = curl_easy_init();
  long status = 0;

  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status;
}

static void
test_tls_reload_on_sighup(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename(dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename(dir, "key.pem", NULL);
  g_autofree char *old_ca = g_build_filename(dir, "old.pem", NULL);
  g_autofree char *new_cert = g_build_filename(dir, "new-cert.pem", NULL);
  g_autofree char *new_key = g_build_filename(dir, "new-key.pem", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = NULL;

  if (!make_certificate(cert, key) || !make_certificate(new_cert, new_key))
    {
      g_test_skip("openssl is needed to make test certificates");
      return;
    }
  g_assert_true(g_file_get_contents(cert, &text, NULL, NULL));
  g_assert_true(g_file_set_contents(old_ca, text, -1, NULL));
  server = ppm_test_server_start(
      NULL, (const char *[]){ "--tls-cert", cert, "--tls-key", key, NULL }, &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(server->url, "https://"));
  g_assert_cmpint(tls_healthz(server, old_ca), ==, 200);
  g_assert_cmpint(tls_healthz(server, new_cert), ==, 0); /* verification stays on */

  g_assert_true(g_rename(new_cert, cert) == 0);
  g_assert_true(g_rename(new_key, key) == 0);
  kill(server->pid, SIGHUP);
  for (int i = 0; i < 100 && tls_healthz(server, cert) != 200; i++)
    g_usleep(50000);
  g_assert_cmpint(tls_healthz(server, cert), ==, 200);
  g_assert_cmpint(tls_healthz(server, old_ca), ==, 0);
  ppm_test_server_stop(server);
  g_remove(cert);
  g_remove(key);
  g_remove(old_ca);
  g_rmdir(dir);
}

/* Waits up to 10 s for `line` in the server's log. */
static void
wait_for_log(PpmTestServer *server, const char *line)
{
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  g_autofree char *log = NULL;

  while (g_file_get_contents(server->log_path, &log, NULL, NULL) && strstr(log, line) == NULL
         && g_get_monotonic_time() < deadline)
    {
      g_usleep(50000);
      g_clear_pointer(&log, g_free);
    }
  g_assert_nonnull(log);
  g_assert_nonnull(strstr(log, line));
}

/* A key that is not the certificate's is refused at start, and a reload to
 * such a pair (a renewal half copied) keeps the old certificate served. */
static void
test_tls_mismatched_key(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename(dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename(dir, "key.pem", NULL);
  g_autofree char *old_ca = g_build_filename(dir, "old.pem", NULL);
  g_autofree char *other_cert = g_build_filename(dir, "other-cert.pem", NULL);
  g_autofree char *other_key = g_build_filename(dir, "other-key.pem", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = NULL;

  if (!make_certificate(cert, key) || !make_certificate(other_cert, other_key))
    {
      g_test_skip("openssl is needed to make test certificates");
      return;
    }
  server = ppm_test_server_start(
      NULL, (const char *[]){ "--tls-cert", cert, "--tls-key", other_key, NULL }, &error);
  g_assert_null(server);
  g_assert_nonnull(error);
  g_clear_error(&error);

  g_assert_true(g_file_get_contents(cert, &text, NULL, NULL));
  g_assert_true(g_file_set_contents(old_ca, text, -1, NULL));
  server = ppm_test_server_start(
      NULL, (const char *[]){ "--tls-cert", cert, "--tls-key", key, NULL }, &error);
  g_assert_no_error(error);
  g_assert_true(g_rename(other_cert, cert) == 0);
  kill(server->pid, SIGHUP);
  wait_for_log(server, "TLS reload failed");
  g_assert_cmpint(tls_healthz(server, old_ca), ==, 200);
  ppm_test_server_stop(server);
  g_remove(cert);
  g_remove(key);
  g_remove(other_key);
  g_remove(old_ca);
  g_rmdir(dir);
}

int
main(int argc, char **argv)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/cli/flag-ranges", test_flag_ranges);
  g_test_add_func("/server/cli/max-rate-flag", test_max_rate_flag);
  g_test_add_func("/server/cli/database-cannot-open", test_database_cannot_open);
  g_test_add_func("/server/cli/port-taken", test_port_taken);
  g_test_add_func("/server/cli/print-routes", test_print_routes);
  g_test_add_func("/server/cli/sigterm-finishes-requests", test_sigterm_finishes_requests);
  g_test_add_func("/server/cli/sigint-stops", test_sigint_stops);
  g_test_add_func("/server/cli/tls-reload-on-sighup", test_tls_reload_on_sighup);
  g_test_add_func("/server/cli/tls-mismatched-key", test_tls_mismatched_key);
  return g_test_run();
}
