/* ppm-server's command line: flag ranges, refusals to start, the route
 * list, a clean stop, TLS and its reload on SIGHUP. */
#include <curl/curl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "ppm-test-api.h"
#include "ppm-test-missing.h"

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

/* Removes a temporary directory holding an SQLite ppm.db. */
static void
remove_db_dir(const char *dir)
{
  const char *const files[] = { "ppm.db", "ppm.db-wal", "ppm.db-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS(files); i++)
    {
      g_autofree char *path = g_build_filename(dir, files[i], NULL);
      g_remove(path);
    }
  g_rmdir(dir);
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
    { "--listen-fd", "-1" },
    { "--listen-fd", "0" }, /* not a listening socket */
  };

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
    assert_refused((const char *[]){ db, bad[i].flag, bad[i].value, NULL }, bad[i].flag);
  assert_refused((const char *[]){ db, "--tls-cert", "cert.pem", NULL }, "--tls-key");
  assert_refused((const char *[]){ db, "--no-such-flag", NULL }, "--no-such-flag");
  assert_refused((const char *[]){ db, "--listen", "127.0.0.1:1", "--listen-fd", "0", NULL },
                 "--listen-fd");
}

/* The currencies of the countries whose languages the pages speak are all
 * accepted for a new database (RON was refused once). */
static void
test_currencies_of_shipped_languages(void)
{
  const char *const codes[] = { "USD", "EUR", "GBP", "BRL", "RON", "RUB" };

  for (gsize i = 0; i < G_N_ELEMENTS(codes); i++)
    {
      const char *args[] = { "--currency", codes[i], NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, args, &error);

      g_test_message("--currency %s", codes[i]);
      g_assert_no_error(error);
      ppm_test_server_stop(server);
    }
}

static void
test_max_rate_flag(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-cli-XXXXXX", NULL);
  g_autofree char *db = g_strdup_printf("--db=sqlite:%s/ppm.db", dir);

  /* The amount is read in the database's currency, so after it opened. */
  assert_refused((const char *[]){ db, "--max-rate", "0", NULL }, "--max-rate");
  assert_refused((const char *[]){ db, "--max-rate", "1.234", NULL }, "--max-rate");
  remove_db_dir(dir);
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
      ppm_test_missing("openssl is needed to make test certificates");
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
      ppm_test_missing("openssl is needed to make test certificates");
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

/* Runs `program` with `args`; returns its exit status, stdout in *out. */
static int
run_for_output(const char *program, const char *const *args, char **out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add(argv, (gpointer)program);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add(argv, (gpointer)args[i]);
  g_ptr_array_add(argv, NULL);
  g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, out, NULL,
               &status, &error);
  g_assert_no_error(error);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_version(void)
{
  g_autofree char *out = NULL;

  g_assert_cmpint(
      run_for_output(g_getenv("PPM_SERVER_BIN"), (const char *[]){ "--version", NULL }, &out), ==,
      0);
  g_assert_true(g_str_has_prefix(out, "ppm-server "));
  g_assert_true(g_str_has_suffix(out, "\n"));
}

/* A port free on ::1, or 0 when the host has no IPv6 loopback. */
static guint16
free_ipv6_port(void)
{
  g_autoptr(GSocket) socket
      = g_socket_new(G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind(socket, any, FALSE, NULL))
    return 0;
  bound = g_socket_get_local_address(socket, NULL);
  return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

/* --listen [::1]:PORT serves over IPv6. */
static void
test_listen_ipv6(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-cli-XXXXXX", NULL);
  g_autofree char *db = g_strdup_printf("--db=sqlite:%s/ppm.db", dir);
  guint16 port = free_ipv6_port();
  g_autofree char *listen = g_strdup_printf("--listen=[::1]:%u", port);
  g_autofree char *url = g_strdup_printf("http://[::1]:%u", port);
  PpmTestServer view = { .url = url };
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(PpmTestResponse) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (port == 0)
    {
      g_test_skip("no IPv6 loopback on this host");
      return;
    }
  server = g_subprocess_new(G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, g_getenv("PPM_SERVER_BIN"),
                            db, listen, NULL);
  g_assert_no_error(error);
  for (int i = 0; i < 200 && answer == NULL; i++)
    {
      answer = ppm_test_request_try(&view, "GET", "/healthz", NULL, NULL, NULL, 0);
      if (answer == NULL)
        g_usleep(50000);
    }
  g_assert_nonnull(answer);
  g_assert_cmpint(answer->status, ==, 200);
  g_subprocess_send_signal(server, SIGTERM);
  g_assert_true(g_subprocess_wait_check(server, NULL, &error));
  g_assert_no_error(error);
  remove_db_dir(dir);
}

/* Settings come from the key file; a flag given on the command line wins. */
static void
test_config_file(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-cli-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename(dir, "ppm-server.conf", NULL);
  g_autofree char *bad = g_build_filename(dir, "bad.conf", NULL);
  g_autofree char *missing = g_build_filename(dir, "missing.conf", NULL);
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;
  PpmTestServer *server;

  /* Its listen address is taken by the fixture's --listen-fd, its hold by
   * --hold-periods: the server answers on 127.0.0.1 (the file's hold is out
   * of range) only if the command line won. */
  g_assert_true(g_file_set_contents(conf,
                                    "[ppm-server]\n"
                                    "listen=[::1]:1\n"
                                    "hold-periods=0\n"
                                    "public-url=https://from-the-file.example\n"
                                    "fee-bps=150\n",
                                    -1, NULL));
  server = ppm_test_server_start(
      NULL, (const char *[]){ "--config", conf, "--hold-periods", "2", NULL }, &error);
  g_assert_no_error(error);
  g_assert_true(g_file_get_contents(server->log_path, &log, NULL, NULL));
  g_assert_nonnull(strstr(log, "(https://from-the-file.example)"));
  ppm_test_server_free(server);

  g_assert_true(g_file_set_contents(bad, "[ppm-server]\nfee-bps=150\nbogus=1\n", -1, NULL));
  assert_refused((const char *[]){ "--config", bad, NULL }, "bogus");
  g_assert_true(g_file_set_contents(bad, "[ppm-server]\nfee-bps=lots\n", -1, NULL));
  assert_refused((const char *[]){ "--config", bad, NULL }, "fee-bps");
  g_assert_true(g_file_set_contents(bad, "[ppm-server]\nfee-bps=20000\n", -1, NULL));
  assert_refused((const char *[]){ "--config", bad, NULL }, "--fee-bps");
  assert_refused((const char *[]){ "--config", missing, NULL }, "missing.conf");
  /* --listen on the command line wins over the file's listen-fd: its
   * refusal, not the socket's, is the one seen. */
  g_assert_true(g_file_set_contents(bad, "[ppm-server]\nlisten-fd=0\n", -1, NULL));
  assert_refused((const char *[]){ "--config", bad, "--listen", "localhost", NULL },
                 "--listen: expected");
  g_remove(conf);
  g_remove(bad);
  g_rmdir(dir);
}

/* The web forms' key is stored once in the database (on both engines) and
 * kept across restarts and by a second server. */
static void
test_form_key_in_database(void)
{
  const char *sql = "SELECT value FROM meta WHERE key = 'web-form-key'";
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autoptr(PpmTestServer) second = NULL;
  g_autofree char *key = NULL;

  g_assert_no_error(error);
  key = ppm_test_server_sql(server, sql);
  g_assert_cmpuint(strlen(key), ==, 64);
  g_assert_true(ppm_test_server_restart(server, &error));
  g_assert_no_error(error);
  second = ppm_test_server_start(server->db_uri, NULL, &error);
  g_assert_no_error(error);
  ppm_test_server_assert_sql(server, sql, key);
}

/* The long options a --help output lists, without --help itself. */
static GPtrArray *
help_options(const char *help)
{
  g_autoptr(GRegex) regex
      = g_regex_new("^\\s+(?:-\\w, )?--([a-z][a-z-]*)", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

  g_regex_match(regex, help, 0, &match);
  for (; g_match_info_matches(match); g_match_info_next(match, NULL))
    {
      char *name = g_match_info_fetch(match, 1);

      if (g_str_has_prefix(name, "help"))
        g_free(name);
      else
        g_ptr_array_add(names, name);
    }
  return names;
}

/* Fails unless the man page `page` names every option `--help` of
 * `program ARGS` lists (troff spells each '-' of an option "\-"); returns
 * how many it checked. */
static guint
assert_man_lists_help(const char *page, const char *program, const char *const *args)
{
  g_autofree char *help = NULL, *man = NULL;
  g_autoptr(GPtrArray) names = NULL;

  g_assert_cmpint(run_for_output(program, args, &help), ==, 0);
  g_assert_true(g_file_get_contents(page, &man, NULL, NULL));
  names = help_options(help);
  for (guint i = 0; i < names->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit(names->pdata[i], "-", -1);
      g_autofree char *joined = g_strjoinv("\\-", parts);
      g_autofree char *spelled = g_strconcat("\\-\\-", joined, NULL);

      if (strstr(man, spelled) == NULL)
        g_error("%s lists --%s (%s --help), the man page does not", page, (char *)names->pdata[i],
                program);
    }
  return names->len;
}

/* Every option a program's --help lists, also each ppm-admin command's, is
 * in its man page. */
static void
test_man_pages_list_every_option(void)
{
  const char *man_dir = g_getenv("PPM_MAN_DIR");
  const char *admin = g_getenv("PPM_ADMIN_BIN");
  const char *sim = g_getenv("PPM_SIM_BIN");
  g_autofree char *server_page = g_build_filename(man_dir, "ppm-server.1", NULL);
  g_autofree char *admin_page = g_build_filename(man_dir, "ppm-admin.1", NULL);
  g_autofree char *sim_page = g_build_filename(man_dir, "ppm-sim.1", NULL);
  g_autofree char *help = NULL, *man = NULL;
  g_autoptr(GRegex) command = g_regex_new("^  ([a-z][a-z-]+) ", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint commands = 0;

  /* --help exits from inside GLib's option parser; what a sanitizer build's
   * leak check says of that exit is not this test's subject. */
  g_setenv("ASAN_OPTIONS", "detect_leaks=0", TRUE);

  g_assert_nonnull(man_dir);
  assert_man_lists_help(server_page, g_getenv("PPM_SERVER_BIN"),
                        (const char *[]){ "--help", NULL });
  assert_man_lists_help(admin_page, admin, (const char *[]){ "--help", NULL });
  if (sim != NULL)
    assert_man_lists_help(sim_page, sim, (const char *[]){ "--help", NULL });

  /* Each command of ppm-admin --help, and its options. */
  g_assert_cmpint(run_for_output(admin, (const char *[]){ "--help", NULL }, &help), ==, 0);
  g_assert_true(g_file_get_contents(admin_page, &man, NULL, NULL));
  g_regex_match(command, strstr(help, "Commands"), 0, &match);
  for (; g_match_info_matches(match); g_match_info_next(match, NULL), commands++)
    {
      g_autofree char *name = g_match_info_fetch(match, 1);
      g_auto(GStrv) parts = g_strsplit(name, "-", -1);
      g_autofree char *spelled = g_strjoinv("\\-", parts);

      if (strstr(man, name) == NULL && strstr(man, spelled) == NULL)
        g_error("ppm-admin.1 does not describe the command %s", name);
      assert_man_lists_help(admin_page, admin, (const char *[]){ name, "--help", NULL });
    }
  g_assert_cmpuint(commands, >=, 17);
}

int
main(int argc, char **argv)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/cli/flag-ranges", test_flag_ranges);
  g_test_add_func("/server/cli/max-rate-flag", test_max_rate_flag);
  g_test_add_func("/server/cli/currencies-of-shipped-languages",
                  test_currencies_of_shipped_languages);
  g_test_add_func("/server/cli/database-cannot-open", test_database_cannot_open);
  g_test_add_func("/server/cli/port-taken", test_port_taken);
  g_test_add_func("/server/cli/print-routes", test_print_routes);
  g_test_add_func("/server/cli/sigterm-finishes-requests", test_sigterm_finishes_requests);
  g_test_add_func("/server/cli/sigint-stops", test_sigint_stops);
  g_test_add_func("/server/cli/tls-reload-on-sighup", test_tls_reload_on_sighup);
  g_test_add_func("/server/cli/tls-mismatched-key", test_tls_mismatched_key);
  g_test_add_func("/server/cli/version", test_version);
  g_test_add_func("/server/cli/listen-ipv6", test_listen_ipv6);
  g_test_add_func("/server/cli/config-file", test_config_file);
  g_test_add_func("/server/cli/form-key-in-database", test_form_key_in_database);
  g_test_add_func("/server/cli/man-pages-list-every-option", test_man_pages_list_every_option);
  return g_test_run();
}
