/* TLS between the client core and ppm-server with a CA and certificates made
 * at run time: the client verifies the server, plain http:// goes to
 * loopback only, SIGHUP makes the server serve new certificate files, the
 * server speaks TLS 1.2 and 1.3 only and sends HSTS. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ppm-api.h"
#include "ppm-test-api.h"
#include "sec-async.h"
#include "sec-http.h"
#include "sec-pki.h"
#include "sec-server.h"

#define EMAIL "amy@example.com"
#define LOOPBACK_NAMES "IP:127.0.0.1"

static SecPki *
pki_new(void)
{
  g_autoptr(GError) error = NULL;
  SecPki *pki = sec_pki_new(&error);

  g_assert_no_error(error);
  return pki;
}

static void
issue(SecPki *pki, const char *name, const char *alt_names, guint serial, gboolean self_signed)
{
  g_autoptr(GError) error = NULL;

  sec_pki_issue(pki, name, alt_names, serial, self_signed, &error);
  g_assert_no_error(error);
}

/* ppm-server over TLS with the certificate `name` of `pki`, and one user. */
static SecServer *
start_tls(SecPki *pki, const char *name)
{
  g_autofree char *cert = sec_pki_cert(pki, name), *key = sec_pki_key(pki, name);
  const char *const args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  SecServer *server = sec_server_start(args);

  g_assert_true(g_str_has_prefix(server->url, "https://127.0.0.1:"));
  ppm_test_user(server, EMAIL, "model");
  return server;
}

/* Signs in with the client core; NULL and its error when refused. */
static PpmLogin *
client_login(PpmTestServer *server, const char *ca_file, GError **error)
{
  g_autoptr(PpmApi) api = ppm_api_new(server->url, error);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_nonnull(api);
  ppm_api_set_ca_file(api, ca_file);
  ppm_api_login(api, EMAIL, "password-" EMAIL, NULL, sec_async_store, &result);
  return ppm_api_login_finish(api, sec_async_wait(&result), error);
}

/* What the server logs for each login request. */
#define LOGIN_LINE " POST /v1/auth/login "

/* The server logs a request once it has answered it: wait up to 5 s. */
static void
wait_for_logins(PpmTestServer *server, guint count)
{
  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

  while (ppm_test_server_log_count(server, LOGIN_LINE) < count && g_get_monotonic_time() < deadline)
    g_usleep(20000);
  g_assert_cmpuint(ppm_test_server_log_count(server, LOGIN_LINE), ==, count);
}

/* The refused handshake: a clear error, and the password never reached the
 * server (a client that sent first and checked later would show up here). */
static void
assert_refused_before_http(PpmTestServer *server, const char *ca_file, const char *why)
{
  guint before = ppm_test_server_log_count(server, LOGIN_LINE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmLogin) login = client_login(server, ca_file, &error);

  g_assert_null(login);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_RETRYABLE);
  if (strstr(error->message, why) == NULL)
    g_error("expected \"%s\" in: %s", why, error->message);
  g_usleep(300000);
  g_assert_cmpuint(ppm_test_server_log_count(server, LOGIN_LINE), ==, before);
}

static void
test_client_trusts_test_ca(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) server = NULL;
  g_autoptr(PpmLogin) login = NULL;
  g_autoptr(GError) error = NULL;

  issue(pki, "server", LOOPBACK_NAMES, 0x1111, FALSE);
  server = start_tls(pki, "server");
  login = client_login(server, pki->ca_file, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(login->user.email, ==, EMAIL);
  wait_for_logins(server, 1);
  /* The same server is a stranger to a client trusting only the system's CAs. */
  assert_refused_before_http(server, NULL, "certificate");
}

static void
test_client_refuses_self_signed(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) server = NULL;

  issue(pki, "self", LOOPBACK_NAMES, 0x2222, TRUE);
  server = start_tls(pki, "self");
  assert_refused_before_http(server, pki->ca_file, "certificate");
  assert_refused_before_http(server, NULL, "certificate");
}

static void
test_client_refuses_wrong_host(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) server = NULL;

  /* Signed by the trusted CA, but for another name. */
  issue(pki, "other", "DNS:billing.example.com", 0x3333, FALSE);
  server = start_tls(pki, "other");
  assert_refused_before_http(server, pki->ca_file, "127.0.0.1");
}

static void
test_plain_http_only_to_loopback(void)
{
  const char *const refused[] = {
    "http://203.0.113.7:8080",
    "http://billing.example.com",
    "http://127.0.0.1.example.com",
    "http://localhost.example.com:8080",
    "http://127.0.0.1@203.0.113.7",
    "http://[2001:db8::1]:8080",
    "ftp://127.0.0.1/",
    "https://user:secret@billing.example.com",
  };
  const char *const accepted[] = {
    "http://127.0.0.1:8080", "http://127.3.4.5",         "http://[::1]:8080",
    "http://localhost:8080", "https://203.0.113.7:8443", "https://billing.example.com/ppm",
  };

  /* Refused when the client is made, so no request can ever be sent. */
  for (gsize i = 0; i < G_N_ELEMENTS(refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PpmApi) api = ppm_api_new(refused[i], &error);

      if (api != NULL)
        g_error("%s was accepted", refused[i]);
      g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_INVALID_URL);
    }
  for (gsize i = 0; i < G_N_ELEMENTS(accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PpmApi) api = ppm_api_new(accepted[i], &error);

      g_assert_no_error(error);
      g_assert_cmpuint(ppm_api_get_n_active(api), ==, 0);
    }
}

/* The serial of the certificate the server now serves, over a new
 * connection; NULL when the connection failed. */
static char *
served_serial(PpmTestServer *server, SecPki *pki)
{
  g_autofree char *url = g_strconcat(server->url, "/healthz", NULL);
  SecRequest request = { .ca_file = pki->ca_file };
  g_autoptr(SecResponse) r = sec_http_request("GET", url, &request, NULL);

  if (r == NULL)
    return NULL;
  g_assert_cmpint(r->status, ==, 200);
  g_assert_nonnull(r->serial);
  return g_steal_pointer(&r->serial);
}

static void
replace_file(const char *from, const char *to)
{
  g_autofree char *text = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_file_get_contents(from, &text, &length, &error);
  g_assert_no_error(error);
  g_file_set_contents(to, text, length, &error);
  g_assert_no_error(error);
}

/* Waits up to 10 s for the server to serve `serial`: SIGHUP is handled
 * asynchronously, so the new certificate is served a moment after it is sent. */
static void
assert_serves(PpmTestServer *server, SecPki *pki, const char *serial)
{
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  g_autofree char *now = served_serial(server, pki);

  while (g_strcmp0(now, serial) != 0 && g_get_monotonic_time() < deadline)
    {
      g_usleep(50000);
      g_free(now);
      now = served_serial(server, pki);
    }
  g_assert_cmpstr(now, ==, serial);
}

static void
wait_for_log(PpmTestServer *server, const char *line)
{
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *log = NULL;

      g_assert_true(g_file_get_contents(server->log_path, &log, NULL, NULL));
      if (strstr(log, line) != NULL)
        return;
      if (g_get_monotonic_time() > deadline)
        g_error("no \"%s\" in the server log:\n%s", line, log);
      g_usleep(50000);
    }
}

/* A server with certificate serial 1111 whose files hold serial 2222 now. */
static SecServer *
start_renewable(SecPki *pki)
{
  g_autofree char *cert = sec_pki_cert(pki, "live"), *key = sec_pki_key(pki, "live");
  g_autofree char *new_cert = NULL, *new_key = NULL;
  SecServer *server;

  issue(pki, "live", LOOPBACK_NAMES, 0x1111, FALSE);
  issue(pki, "renewed", LOOPBACK_NAMES, 0x2222, FALSE);
  new_cert = sec_pki_cert(pki, "renewed");
  new_key = sec_pki_key(pki, "renewed");
  server = start_tls(pki, "live");
  assert_serves(server, pki, "1111");
  replace_file(new_cert, cert);
  replace_file(new_key, key);
  return server;
}

static void
test_sighup_reloads_certificate(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) server = start_renewable(pki);

  /* Nothing changes until the signal. */
  assert_serves(server, pki, "1111");
  g_assert_cmpint(kill(server->pid, SIGHUP), ==, 0);
  assert_serves(server, pki, "2222");
  wait_for_log(server, "TLS files reloaded");
}

/* Every connection made while a reload switches listeners is served. */
static void
test_reload_drops_no_connection(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) server = start_renewable(pki);

  g_assert_cmpint(kill(server->pid, SIGHUP), ==, 0);
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *serial = served_serial(server, pki);

      g_assert_nonnull(serial);
      g_usleep(25000);
    }
  assert_serves(server, pki, "2222");
}

/* A reload that cannot read its files keeps serving the old certificate. */
static void
test_reload_broken_files_keep_serving(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) server = NULL;
  g_autofree char *cert = NULL, *serial = NULL;

  issue(pki, "live", LOOPBACK_NAMES, 0x1111, FALSE);
  server = start_tls(pki, "live");
  cert = sec_pki_cert(pki, "live");
  g_assert_true(g_file_set_contents(cert, "not a certificate\n", -1, NULL));
  g_assert_cmpint(kill(server->pid, SIGHUP), ==, 0);
  wait_for_log(server, "TLS reload failed");
  serial = served_serial(server, pki);
  g_assert_cmpstr(serial, ==, "1111");
}

/* The version a handshake agrees on when the client offers only `version`
 * (a GnuTLS priority item such as "VERS-TLS1.1"); GNUTLS_VERSION_UNKNOWN when
 * the server refuses it.  The client checks no certificate: only the
 * version matters here. */
static gnutls_protocol_t
handshake_version(PpmTestServer *server, const char *version)
{
  g_autofree char *priority = g_strdup_printf("NORMAL:-VERS-ALL:+%s", version);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(server->port) };
  gnutls_certificate_credentials_t credentials;
  gnutls_session_t session;
  gnutls_protocol_t agreed = GNUTLS_VERSION_UNKNOWN;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), status;

  g_assert_cmpint(inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr), ==, 1);
  g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof addr), ==, 0);
  g_assert_cmpint(gnutls_certificate_allocate_credentials(&credentials), ==, 0);
  g_assert_cmpint(gnutls_init(&session, GNUTLS_CLIENT), ==, 0);
  g_assert_cmpint(gnutls_priority_set_direct(session, priority, NULL), ==, 0);
  g_assert_cmpint(gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials), ==, 0);
  gnutls_transport_set_int(session, fd);
  gnutls_handshake_set_timeout(session, 10000);
  do
    status = gnutls_handshake(session);
  while (status < 0 && !gnutls_error_is_fatal(status));
  if (status == 0)
    agreed = gnutls_protocol_get_version(session);
  gnutls_deinit(session);
  gnutls_certificate_free_credentials(credentials);
  close(fd);
  return agreed;
}

/* TLS 1.0 and 1.1 are refused at the handshake; 1.2 and 1.3 are served. */
static void
test_only_tls_1_2_and_1_3(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) server = NULL;

  issue(pki, "server", LOOPBACK_NAMES, 0x4444, FALSE);
  server = start_tls(pki, "server");
  g_assert_cmpint(handshake_version(server, "VERS-TLS1.0"), ==, GNUTLS_VERSION_UNKNOWN);
  g_assert_cmpint(handshake_version(server, "VERS-TLS1.1"), ==, GNUTLS_VERSION_UNKNOWN);
  g_assert_cmpint(handshake_version(server, "VERS-TLS1.2"), ==, GNUTLS_TLS1_2);
  g_assert_cmpint(handshake_version(server, "VERS-TLS1.3"), ==, GNUTLS_TLS1_3);
}

/* Every answer under https, an error too, tells browsers to stay on https;
 * none does under plain http, where it would mean nothing. */
static void
test_hsts_under_https_only(void)
{
  g_autoptr(SecPki) pki = pki_new();
  g_autoptr(SecServer) https = NULL, http = NULL;
  const char *const paths[] = { "/healthz", "/v1/me", "/account/login", "/nowhere" };

  issue(pki, "server", LOOPBACK_NAMES, 0x5555, FALSE);
  https = start_tls(pki, "server");
  http = sec_server_start(NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(paths); i++)
    {
      g_autofree char *secure_url = g_strconcat(https->url, paths[i], NULL);
      g_autofree char *plain_url = g_strconcat(http->url, paths[i], NULL);
      SecRequest request = { .ca_file = pki->ca_file };
      g_autoptr(SecResponse) secure = sec_http_request("GET", secure_url, &request, NULL);
      g_autoptr(SecResponse) plain = sec_http_request("GET", plain_url, NULL, NULL);

      g_assert_nonnull(secure);
      g_assert_nonnull(plain);
      g_assert_cmpstr(g_hash_table_lookup(secure->headers, "strict-transport-security"), ==,
                      "max-age=31536000");
      g_assert_null(g_hash_table_lookup(plain->headers, "strict-transport-security"));
    }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/tls/client-trusts-test-ca", test_client_trusts_test_ca);
  g_test_add_func("/security/tls/client-refuses-self-signed", test_client_refuses_self_signed);
  g_test_add_func("/security/tls/client-refuses-wrong-host", test_client_refuses_wrong_host);
  g_test_add_func("/security/tls/plain-http-only-to-loopback", test_plain_http_only_to_loopback);
  g_test_add_func("/security/tls/sighup-reloads-certificate", test_sighup_reloads_certificate);
  g_test_add_func("/security/tls/reload-drops-no-connection", test_reload_drops_no_connection);
  g_test_add_func("/security/tls/reload-broken-files-keep-serving",
                  test_reload_broken_files_keep_serving);
  g_test_add_func("/security/tls/only-tls-1.2-and-1.3", test_only_tls_1_2_and_1_3);
  g_test_add_func("/security/tls/hsts-under-https-only", test_hsts_under_https_only);
  return g_test_run();
}
