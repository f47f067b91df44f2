/* ppm-server tells systemd (Type=notify) what it does, through the datagram
 * socket NOTIFY_SOCKET names: READY=1 once it accepts connections,
 * and never when it cannot listen, RELOADING=1 then READY=1 around a SIGHUP
 * reload, STOPPING=1 on SIGTERM.
 * The test owns that socket, as systemd would. */
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ppm-test-api.h"

#define MESSAGE_TIMEOUT_MS (20 * 1000) /* against a hang, not a speed limit */

typedef struct
{
  PpmTestServer *server;
  char *socket_path; /* DIR/notify */
  int socket_fd;
} Notified;

static int
bind_notify_socket(const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpuint(strlen(path), <, sizeof addr.sun_path);
  strcpy(addr.sun_path, path);
  g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof addr), ==, 0);
  return fd;
}

/* A test that crashes takes its server along. */
static void
die_with_test(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* A running server from the fixture (its directory, database and port),
 * and the notification socket in its directory. */
static void
notified_init(Notified *n)
{
  g_autoptr(GError) error = NULL;

  n->server = ppm_test_server_start(NULL, NULL, &error);
  g_assert_no_error(error);
  n->socket_path = g_build_filename(n->server->dir, "notify", NULL);
  n->socket_fd = bind_notify_socket(n->socket_path);
}

/* Another ppm-server on the fixture's database and port, with NOTIFY_SOCKET
 * set, not waited for; its stderr goes to the fixture's log. */
static GPid
notified_spawn(Notified *n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_strdup_printf("--db=%s", n->server->db_uri);
  g_autofree char *listen = g_strdup_printf("--listen=127.0.0.1:%u", n->server->port);
  g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "NOTIFY_SOCKET", n->socket_path, TRUE);
  int log_fd = open(n->server->log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  GPid pid = 0;

  g_assert_cmpint(log_fd, >=, 0);
  g_spawn_async_with_pipes_and_fds(
      NULL, (const char *const[]){ g_getenv("PPM_SERVER_BIN"), db, listen, NULL },
      (const char *const *)env, G_SPAWN_DO_NOT_REAP_CHILD, die_with_test, NULL, -1, log_fd, log_fd,
      NULL, NULL, 0, &pid, NULL, NULL, NULL, &error);
  close(log_fd);
  g_assert_no_error(error);
  return pid;
}

/* The fixture's server gives way to one started with NOTIFY_SOCKET set;
 * the fixture stops and reaps that one as its own. */
static void
notified_start(Notified *n)
{
  notified_init(n);
  ppm_test_server_stop(n->server);
  n->server->pid = notified_spawn(n);
}

static void
notified_clear(Notified *n)
{
  ppm_test_server_free(n->server);
  g_free(n->socket_path);
  close(n->socket_fd);
}

/* The next message's lines; fails the test when none comes. */
static GStrv
next_message(Notified *n)
{
  struct pollfd ready = { .fd = n->socket_fd, .events = POLLIN };
  char buffer[4096];
  gssize got;

  if (poll(&ready, 1, MESSAGE_TIMEOUT_MS) != 1)
    g_error("no message from ppm-server on NOTIFY_SOCKET");
  got = recv(n->socket_fd, buffer, sizeof buffer - 1, 0);
  g_assert_cmpint(got, >, 0);
  buffer[got] = '\0';
  return g_strsplit(buffer, "\n", -1);
}

/* Reads messages until one has `line`; returns that message. */
static GStrv
wait_for(Notified *n, const char *line)
{
  while (TRUE)
    {
      GStrv lines = next_message(n);

      if (g_strv_contains((const char *const *)lines, line))
        return lines;
      g_strfreev(lines);
    }
}

static void
test_ready_once_listening(void)
{
  Notified n = { 0 };
  g_auto(GStrv) ready = NULL;
  g_autoptr(PpmTestResponse) health = NULL;

  notified_start(&n);
  ready = wait_for(&n, "READY=1");
  /* One attempt, no retry: READY=1 promises a listening server. */
  health = ppm_test_request_try(n.server, "GET", "/healthz", NULL, NULL, NULL, 0);
  g_assert_nonnull(health);
  g_assert_cmpint(health->status, ==, 200);
  notified_clear(&n);
}

/* TRUE when a message already received has `line`. */
static gboolean
received(Notified *n, const char *line)
{
  char buffer[4096];
  gssize got;
  gboolean found = FALSE;

  while ((got = recv(n->socket_fd, buffer, sizeof buffer - 1, MSG_DONTWAIT)) > 0)
    {
      g_auto(GStrv) lines = NULL;

      buffer[got] = '\0';
      lines = g_strsplit(buffer, "\n", -1);
      found |= g_strv_contains((const char *const *)lines, line);
    }
  return found;
}

static void
test_no_ready_when_port_taken(void)
{
  Notified n = { 0 };
  GPid pid;
  int status = 0;

  notified_init(&n);
  /* The fixture's server holds the port: this one opens the store, cannot
   * listen and exits. */
  pid = notified_spawn(&n);
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 1);
  g_assert_cmpuint(ppm_test_server_log_count(n.server, "cannot listen"), ==, 1);
  g_assert_false(received(&n, "READY=1"));
  notified_clear(&n);
}

static void
test_reloading_around_sighup(void)
{
  Notified n = { 0 };
  g_auto(GStrv) ready = NULL, reloading = NULL, reloaded = NULL;
  gboolean has_time = FALSE;

  notified_start(&n);
  ready = wait_for(&n, "READY=1");
  g_assert_cmpint(kill(n.server->pid, SIGHUP), ==, 0);
  reloading = next_message(&n);
  g_assert_true(g_strv_contains((const char *const *)reloading, "RELOADING=1"));
  for (guint i = 0; reloading[i] != NULL; i++)
    has_time |= g_str_has_prefix(reloading[i], "MONOTONIC_USEC=");
  g_assert_true(has_time);
  reloaded = next_message(&n);
  g_assert_true(g_strv_contains((const char *const *)reloaded, "READY=1"));
  g_assert_cmpuint(ppm_test_server_log_count(n.server, "TLS files reloaded"), ==, 1);
  notified_clear(&n);
}

static void
test_stopping_on_sigterm(void)
{
  Notified n = { 0 };
  g_auto(GStrv) ready = NULL, stopping = NULL;

  notified_start(&n);
  ready = wait_for(&n, "READY=1");
  /* Fails the test unless the server exits 0. */
  ppm_test_server_stop(n.server);
  stopping = next_message(&n);
  g_assert_true(g_strv_contains((const char *const *)stopping, "STOPPING=1"));
  notified_clear(&n);
}

int
main(int argc, char **argv)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/notify/ready-once-listening", test_ready_once_listening);
  g_test_add_func("/server/notify/no-ready-when-port-taken", test_no_ready_when_port_taken);
  g_test_add_func("/server/notify/reloading-around-sighup", test_reloading_around_sighup);
  g_test_add_func("/server/notify/stopping-on-sigterm", test_stopping_on_sigterm);
  return g_test_run();
}
