/* TLS verification stays on: a ppm-server with a self-signed certificate is
 * refused until its CA file is given, and then only under the name the
 * certificate holds. */
#include "client-platform.h"
#include "client-test-util.h"
#include "ppm-test-missing.h"

#include <glib/gstdio.h>
#include <signal.h>

typedef struct
{
  char *dir;
  char *cert;
  GSubprocess *server;
  guint16 port;
} TlsServer;

static guint16
free_port(void)
{
  g_autoptr(GSocket) socket
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true(g_socket_bind(socket, any, TRUE, NULL));
  bound = g_socket_get_local_address(socket, NULL);
  return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

static void
run(const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true(
      g_spawn_sync(NULL, (char **)argv, NULL,
                   G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                   NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
}

static gboolean
accepting(guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_autoptr(GSocketConnection) connection
      = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

static void
tls_server_start(TlsServer *tls)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *db = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *cert_arg = NULL;
  g_autofree char *key_arg = NULL;
  g_autofree char *openssl = g_find_program_in_path("openssl");
  gint64 deadline;

  if (openssl == NULL)
    {
      ppm_test_missing("openssl is not installed");
      return;
    }
  tls->dir = g_dir_make_tmp("ppm-tls-XXXXXX", NULL);
  tls->cert = g_build_filename(tls->dir, "cert.pem", NULL);
  key = g_build_filename(tls->dir, "key.pem", NULL);
  {
    const char *argv[] = { "openssl",  "req",           "-x509",   "-newkey",
                           "rsa:2048", "-nodes",        "-keyout", key,
                           "-out",     tls->cert,       "-days",   "2",
                           "-subj",    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           NULL };

    run(argv);
  }
  tls->port = free_port();
  db = g_strdup_printf("--db=sqlite:%s/ppm.db", tls->dir);
  listen = g_strdup_printf("--listen=127.0.0.1:%u", tls->port);
  cert_arg = g_strdup_printf("--tls-cert=%s", tls->cert);
  key_arg = g_strdup_printf("--tls-key=%s", key);
  tls->server = g_subprocess_new(G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                 g_getenv("PPM_SERVER_BIN"), db, listen, cert_arg, key_arg, NULL);
  g_assert_no_error(error);
  deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
  while (!accepting(tls->port))
    {
      g_assert_cmpint(g_get_monotonic_time(), <, deadline);
      g_usleep(20000);
    }
}

static void
tls_server_stop(TlsServer *tls)
{
  if (tls->server != NULL)
    {
      g_subprocess_send_signal(tls->server, SIGTERM);
      g_subprocess_wait(tls->server, NULL, NULL);
      g_object_unref(tls->server);
    }
  if (tls->dir != NULL)
    {
      const char *names[] = { "cert.pem", "key.pem", "ppm.db", "ppm.db-wal", "ppm.db-shm" };

      for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        {
          g_autofree char *path = g_build_filename(tls->dir, names[i], NULL);

          g_remove(path);
        }
      g_rmdir(tls->dir);
    }
  g_free(tls->dir);
  g_free(tls->cert);
}

/* Signs in with an unknown account: 401 means TLS worked and the platform answered. */
static GError *
try_login(const char *host, guint16 port, const char *ca_file)
{
  g_autofree char *url = g_strdup_printf("https://%s:%u", host, port);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmApi) api = ppm_api_new(url, &error);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PpmLogin) login = NULL;

  g_assert_no_error(error);
  ppm_api_set_ca_file(api, ca_file);
  ppm_api_login(api, "nobody@example.org", "whatever", NULL, ppm_test_store_result, &result);
  login = ppm_api_login_finish(api, ppm_test_await(&result), &error);
  g_assert_null(login);
  return g_steal_pointer(&error);
}

static void
test_verification(void)
{
  TlsServer tls = { 0 };
  g_autoptr(GError) untrusted = NULL;
  g_autoptr(GError) trusted = NULL;
  g_autoptr(GError) wrong_name = NULL;

  tls_server_start(&tls);
  if (tls.server == NULL)
    return;
  untrusted = try_login("127.0.0.1", tls.port, NULL);
  g_test_message("without the CA: %s", untrusted->message);
  g_assert_error(untrusted, PPM_API_ERROR, PPM_API_ERROR_RETRYABLE);

  trusted = try_login("127.0.0.1", tls.port, tls.cert);
  g_assert_error(trusted, PPM_API_ERROR, PPM_API_ERROR_UNAUTHORIZED);

  /* The certificate names 127.0.0.1, not localhost. */
  wrong_name = try_login("localhost", tls.port, tls.cert);
  g_test_message("under another name: %s", wrong_name->message);
  g_assert_error(wrong_name, PPM_API_ERROR, PPM_API_ERROR_RETRYABLE);
  tls_server_stop(&tls);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/tls/verification-on", test_verification);
  return g_test_run();
}
