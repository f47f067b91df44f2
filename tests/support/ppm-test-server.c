/* The ppm-server fixture for tests (ppm-test-server.h). */
#include "ppm-test-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#define READY_TIMEOUT_US (20 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define LISTEN_FD 3                           /* the listening socket's number in the server */
#define LISTENING "ppm-server: listening on " /* its log once it serves */

static const char *
program(const char *variable, GError **error)
{
  const char *path = g_getenv(variable);

  if (path == NULL)
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s is not set", variable);
  return path;
}

int
ppm_test_listen(guint16 *port, GError **error)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(*port) };
  socklen_t length = sizeof addr;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 128) < 0
      || getsockname(fd, (struct sockaddr *)&addr, &length) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close(fd);
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
                  "cannot listen on 127.0.0.1:%u: %s", *port, g_strerror(saved));
      return -1;
    }
  *port = ntohs(addr.sin_port);
  return fd;
}

static gboolean
uses_tls(PpmTestServer *server)
{
  for (guint i = 0; server->args && server->args[i]; i++)
    if (g_str_has_prefix(server->args[i], "--tls-cert"))
      return TRUE;
  return FALSE;
}

/* How many times the server's log says it listens, over all its starts. */
static guint
listening_count(PpmTestServer *server)
{
  g_autofree char *text = NULL;
  guint count = 0;

  if (!g_file_get_contents(server->log_path, &text, NULL, NULL))
    return 0;
  for (const char *p = strstr(text, LISTENING); p != NULL; p = strstr(p + 1, LISTENING))
    count++;
  return count;
}

/* GET /healthz answers 200.  Over TLS (no client certificate store here) the
 * log saying it listens, once more than `listening_before`: the socket the
 * fixture bound accepts connections before the server serves them. */
static gboolean
healthy(PpmTestServer *server, guint listening_before)
{
  guint16 port = server->port;
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_autoptr(GSocketConnection) connection = NULL;
  const char request[] = "GET /healthz HTTP/1.0\r\n\r\n";
  char answer[64] = "";
  gssize got;

  if (uses_tls(server))
    return listening_count(server) > listening_before;
  g_socket_client_set_timeout(client, 2);
  connection = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, NULL);
  if (connection == NULL
      || !g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(connection)), request,
                                    sizeof request - 1, NULL, NULL, NULL))
    return FALSE;
  got = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(connection)), answer,
                            sizeof answer - 1, NULL, NULL);
  return got > 12 && g_str_has_prefix(answer, "HTTP/1.") && g_str_has_prefix(answer + 9, "200");
}

/* Reaps the server if it exited; TRUE if it did. */
static gboolean
reaped(PpmTestServer *server, int *status, gboolean block)
{
  if (server->pid == 0)
    return TRUE;
  if (waitpid(server->pid, status, block ? 0 : WNOHANG) == server->pid)
    {
      server->pid = 0;
      return TRUE;
    }
  return FALSE;
}

static char *
log_tail(PpmTestServer *server)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  if (!g_file_get_contents(server->log_path, &text, &length, NULL))
    return g_strdup("");
  return g_strdup(length > 2000 ? text + length - 2000 : text);
}

/* UndefinedBehaviorSanitizer reports and goes on: only the log tells. */
static gboolean
log_has_sanitizer_report(PpmTestServer *server)
{
  g_autofree char *text = NULL;

  return g_file_get_contents(server->log_path, &text, NULL, NULL)
         && (strstr(text, "runtime error:") != NULL || strstr(text, "Sanitizer") != NULL);
}

/* In the child before exec: a test that crashes takes its server along
 * (the signal comes when the spawning thread ends, so start and restart
 * servers from the test's main thread). */
static void
die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
spawn(PpmTestServer *server, GError **error)
{
  const char *binary = program("PPM_SERVER_BIN", error);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  int log_fd, listen_fd, status = 0;
  guint listening_before = listening_count(server);
  gint64 deadline;
  gboolean spawned;

  if (binary == NULL)
    return FALSE;
  g_ptr_array_add(argv, g_strdup(binary));
  g_ptr_array_add(argv, g_strdup_printf("--db=%s", server->db_uri));
  g_ptr_array_add(argv, g_strdup_printf("--listen-fd=%d", LISTEN_FD));
  for (guint i = 0; server->args && server->args[i]; i++)
    g_ptr_array_add(argv, g_strdup(server->args[i]));
  g_ptr_array_add(argv, NULL);

  log_fd = open(server->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    {
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", server->log_path,
                  g_strerror(errno));
      return FALSE;
    }
  listen_fd = ppm_test_listen(&server->port, error);
  if (listen_fd < 0)
    {
      close(log_fd);
      return FALSE;
    }
  spawned = g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv->pdata, NULL,
                                             G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL, -1,
                                             log_fd, log_fd, &listen_fd, (const int[]){ LISTEN_FD },
                                             1, &server->pid, NULL, NULL, NULL, error);
  close(log_fd);
  close(listen_fd);
  if (!spawned)
    return FALSE;

  deadline = g_get_monotonic_time() + READY_TIMEOUT_US;
  while (g_get_monotonic_time() < deadline)
    {
      if (healthy(server, listening_before))
        return TRUE;
      if (reaped(server, &status, FALSE))
        {
          g_autofree char *tail = log_tail(server);
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "ppm-server exited (status %d): %s",
                      status, tail);
          return FALSE;
        }
      g_usleep(20000);
    }
  ppm_test_server_kill(server);
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "ppm-server did not become ready");
  return FALSE;
}

/* With PPM_TEST_PG_HOST set, a fresh PostgreSQL database on that cluster. */
static char *
pg_database(PpmTestServer *server, char **name, GError **error)
{
  const char *host = g_getenv("PPM_TEST_PG_HOST");
  g_autofree char *id = g_path_get_basename(server->dir);
  int status;

  *name = g_ascii_strdown(id, -1);
  g_strdelimit(*name, "-", '_');
  if (!g_spawn_sync(NULL,
                    (char *[]){ "createdb", "-h", (char *)host, "-U", "postgres", *name, NULL },
                    NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, error)
      || !g_spawn_check_wait_status(status, error))
    return NULL;
  return g_strdup_printf("postgresql:///%s?host=%s&user=postgres", *name, host);
}

/* The PostgreSQL database a server created, kept in its directory's name. */
static void
pg_drop(PpmTestServer *server)
{
  g_autofree char *id = g_path_get_basename(server->dir);
  g_autofree char *name = g_ascii_strdown(id, -1);
  const char *host = g_getenv("PPM_TEST_PG_HOST");

  g_strdelimit(name, "-", '_');
  g_spawn_sync(
      NULL, (char *[]){ "dropdb", "-h", (char *)host, "-U", "postgres", "--if-exists", name, NULL },
      NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

PpmTestServer *
ppm_test_server_start(const char *db_uri, const char *const *extra_args, GError **error)
{
  g_autoptr(PpmTestServer) server = g_new0(PpmTestServer, 1);
  g_autofree char *pg_name = NULL;

  server->dir = g_dir_make_tmp("ppm-test-XXXXXX", error);
  if (server->dir == NULL)
    return NULL;
  server->log_path = g_build_filename(server->dir, "ppm-server.log", NULL);
  server->args = g_strdupv((char **)extra_args);
  if (db_uri != NULL)
    server->db_uri = g_strdup(db_uri);
  else if (g_getenv("PPM_TEST_PG_HOST") != NULL)
    server->db_uri = pg_database(server, &pg_name, error);
  else
    server->db_uri = g_strdup_printf("sqlite:%s/ppm.db", server->dir);
  if (server->db_uri == NULL)
    return NULL;
  if (!spawn(server, error))
    return NULL;
  server->url
      = g_strdup_printf("%s://127.0.0.1:%u", uses_tls(server) ? "https" : "http", server->port);
  return g_steal_pointer(&server);
}

/* Returns the wait status; -1 when it had to be killed or was not running. */
static int
signal_and_reap(PpmTestServer *server, int signal_number, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time() + timeout_us;
  int status = -1;

  if (server->pid == 0)
    return -1;
  kill(server->pid, signal_number);
  while (!reaped(server, &status, FALSE))
    {
      if (g_get_monotonic_time() > deadline)
        {
          kill(server->pid, SIGKILL);
          reaped(server, &status, TRUE);
          return -1;
        }
      g_usleep(10000);
    }
  return status;
}

void
ppm_test_server_stop(PpmTestServer *server)
{
  gboolean running = server->pid != 0;
  int status = signal_and_reap(server, SIGTERM, STOP_TIMEOUT_US);

  /* A server that does not stop cleanly, or that a sanitizer stopped or
   * complained about, is a failure of whatever test ran it. */
  if (running
      && (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) || log_has_sanitizer_report(server)))
    {
      g_autofree char *tail = log_tail(server);
      g_test_message("ppm-server did not stop cleanly (status %d):\n%s", status, tail);
      if (g_test_initialized())
        g_test_fail();
    }
}

void
ppm_test_server_kill(PpmTestServer *server)
{
  signal_and_reap(server, SIGKILL, STOP_TIMEOUT_US);
}

void
ppm_test_server_pause(PpmTestServer *server)
{
  if (server->pid != 0)
    kill(server->pid, SIGSTOP);
}

void
ppm_test_server_resume(PpmTestServer *server)
{
  if (server->pid != 0)
    kill(server->pid, SIGCONT);
}

gboolean
ppm_test_server_restart(PpmTestServer *server, GError **error)
{
  ppm_test_server_stop(server);
  return spawn(server, error);
}

void
ppm_test_dir_remove(const char *path)
{
  g_autoptr(GDir) dir = path ? g_dir_open(path, 0, NULL) : NULL;
  const char *entry;

  if (dir == NULL)
    return;
  while ((entry = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *file = g_build_filename(path, entry, NULL);
      g_remove(file);
    }
  g_rmdir(path);
}

void
ppm_test_server_free(PpmTestServer *server)
{
  if (server == NULL)
    return;
  if (server->pid != 0)
    {
      kill(server->pid, SIGCONT);
      ppm_test_server_stop(server);
    }
  if (server->dir != NULL)
    {
      /* The log is the artifact worth keeping when a test failed. */
      if (g_test_failed())
        {
          g_autofree char *tail = log_tail(server);
          g_test_message("ppm-server log (tail):\n%s", tail);
        }
      if (server->db_uri != NULL && g_str_has_prefix(server->db_uri, "postgresql:///")
          && g_getenv("PPM_TEST_PG_HOST") != NULL)
        pg_drop(server);
      ppm_test_dir_remove(server->dir);
    }
  g_free(server->url);
  g_free(server->dir);
  g_free(server->db_uri);
  g_free(server->log_path);
  g_strfreev(server->args);
  g_free(server);
}

char *
ppm_test_admin(PpmTestServer *server, const char *stdin_text, GError **error, const char *first_arg,
               ...)
{
  const char *binary = program("PPM_ADMIN_BIN", error);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL, *err = NULL;
  va_list args;

  if (binary == NULL)
    return NULL;
  g_ptr_array_add(argv, g_strdup(binary));
  g_ptr_array_add(argv, g_strdup_printf("--db=%s", server->db_uri));
  va_start(args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg(args, const char *))
    g_ptr_array_add(argv, g_strdup(arg));
  va_end(args);
  g_ptr_array_add(argv, NULL);

  process = g_subprocess_newv((const char *const *)argv->pdata,
                              G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                  | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              error);
  if (process == NULL
      || !g_subprocess_communicate_utf8(process, stdin_text ? stdin_text : "", NULL, &out, &err,
                                        error))
    return NULL;
  if (!g_subprocess_get_successful(process))
    {
      g_strchomp(err);
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err);
      return NULL;
    }
  g_strchomp(out);
  return g_steal_pointer(&out);
}

/* Runs `argv` and fails the running test unless it exits 0; returns its
 * output without the trailing newline. */
static char *
output_of(const char *const *argv)
{
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

char *
ppm_test_server_sql(PpmTestServer *server, const char *sql)
{
  if (g_str_has_prefix(server->db_uri, "sqlite:"))
    return output_of((const char *[]){ "sqlite3", server->db_uri + strlen("sqlite:"), sql, NULL });
  g_assert_true(g_str_has_prefix(server->db_uri, "postgresql:"));
  return output_of(
      (const char *[]){ "psql", "-qAt", "-v", "ON_ERROR_STOP=1", server->db_uri, "-c", sql, NULL });
}

void
ppm_test_server_assert_sql(PpmTestServer *server, const char *sql, const char *expected)
{
  g_autofree char *got = ppm_test_server_sql(server, sql);

  g_assert_cmpstr(got, ==, expected);
}

guint
ppm_test_server_log_count(PpmTestServer *server, const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint count = 0;

  g_file_get_contents(server->log_path, &text, NULL, &error);
  g_assert_no_error(error);
  for (const char *p = strstr(text, words); p != NULL; p = strstr(p + 1, words))
    count++;
  return count;
}
