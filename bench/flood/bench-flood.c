/* bench-flood: what floods do to everyone else, in figures (bench/flood/run).
 *
 * (a) LOGINS connections log in with the right password again and again
 *     for SECONDS seconds while one more client asks GET /healthz every
 *     20 ms: the latency of /healthz, and the logins' own.
 * (b) IDLE sockets from 127.0.0.2 that send nothing, then one request from
 *     127.0.0.3: how long until it is answered (10 s at most).
 * (c) A login for an unknown email and one with a wrong password for a
 *     known email, 20 of each from addresses of their own (so that the
 *     failed-login throttle stays out of it): their medians.
 *
 * Every server is a fresh ppm-server with its default flags on 127.0.0.1
 * (tests/support), so the same program measures an older build too. */
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ppm-latency.h"
#include "ppm-test-api.h"
#include "sec-http.h"
#include "sec-raw.h"

#define USER "bench@example.com"
#define PASSWORD "password-" USER

typedef struct
{
  PpmTestServer *server;
  gint64 until_us;
  const char *password;
  PpmLatency *latency; /* this thread's */
  guint ok, busy, other;
} Flooder;

static long
post_login(PpmTestServer *server, const char *source, const char *email, const char *password)
{
  g_autofree char *url = g_strconcat(server->url, "/v1/auth/login", NULL);
  g_autofree char *body
      = g_strdup_printf("{\"email\": \"%s\", \"password\": \"%s\"}", email, password);
  SecRequest request = { .body = body, .source_address = source };
  g_autoptr(SecResponse) r = sec_http_request("POST", url, &request, NULL);

  return r != NULL ? r->status : 0;
}

static gpointer
flood_logins(gpointer data)
{
  Flooder *f = data;

  while (g_get_monotonic_time() < f->until_us)
    {
      gint64 start = g_get_monotonic_time();
      long status = post_login(f->server, NULL, USER, f->password);

      ppm_latency_add(f->latency, g_get_monotonic_time() - start);
      if (status == 200)
        f->ok++;
      else if (status == 503)
        f->busy++;
      else
        f->other++;
    }
  return NULL;
}

static void
measure_logins(int connections, int seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autofree char *healthz = NULL;
  g_autoptr(PpmLatency) health = ppm_latency_new();
  g_autoptr(PpmLatency) logins = ppm_latency_new();
  g_autofree Flooder *flooders = g_new0(Flooder, connections);
  g_autofree GThread **threads = g_new0(GThread *, connections);
  gint64 start, until;
  guint ok = 0, busy = 0, other = 0, unanswered = 0;

  g_assert_no_error(error);
  ppm_test_user(server, USER, "member");
  healthz = g_strconcat(server->url, "/healthz", NULL);
  start = g_get_monotonic_time();
  until = start + (gint64)seconds * G_USEC_PER_SEC;
  for (int i = 0; i < connections; i++)
    {
      flooders[i] = (Flooder){ server, until, PASSWORD, ppm_latency_new(), 0, 0, 0 };
      threads[i] = g_thread_new("login", flood_logins, &flooders[i]);
    }
  g_usleep(200 * 1000); /* the flood is on */
  while (g_get_monotonic_time() < until)
    {
      gint64 asked = g_get_monotonic_time();
      g_autoptr(SecResponse) r = sec_http_request("GET", healthz, NULL, NULL);

      if (r != NULL && r->status == 200)
        ppm_latency_add(health, g_get_monotonic_time() - asked);
      else
        unanswered++;
      g_usleep(20 * 1000);
    }
  for (int i = 0; i < connections; i++)
    {
      g_thread_join(threads[i]);
      ok += flooders[i].ok;
      busy += flooders[i].busy;
      other += flooders[i].other;
      ppm_latency_merge(logins, flooders[i].latency);
      ppm_latency_free(flooders[i].latency);
    }
  g_print("(a) %d connections logging in for %d s: %u logins, %u busy (503), %u other\n",
          connections, seconds, ok, busy, other);
  ppm_latency_print(logins, "    login", g_get_monotonic_time() - start);
  g_print("    /healthz meanwhile: %u answered, %u not; p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
          ppm_latency_count(health), unanswered, ppm_latency_percentile(health, 50) / 1000.0,
          ppm_latency_percentile(health, 99) / 1000.0,
          ppm_latency_percentile(health, 100) / 1000.0);
}

static void
measure_idle_sockets(int count)
{
  const char *request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autofree int *idle = g_new(int, count);
  g_autoptr(GString) answer = NULL;
  int opened = 0, dropped = 0, fd;
  gint64 asked;

  g_assert_no_error(error);
  for (int i = 0; i < count; i++)
    if ((idle[opened] = sec_raw_connect(server->port, "127.0.0.2")) >= 0)
      opened++;
  g_usleep(500 * 1000);
  for (int i = 0; i < opened; i++)
    dropped += sec_raw_readable(idle[i]);
  asked = g_get_monotonic_time();
  fd = sec_raw_connect(server->port, "127.0.0.3");
  if (fd >= 0 && sec_raw_send(fd, request, strlen(request)))
    answer = sec_raw_read(fd, 10000, NULL);
  g_print("(b) %d idle sockets from 127.0.0.2 (%d closed by the server at once); "
          "127.0.0.3: ",
          opened, dropped);
  if (answer != NULL && sec_raw_status(answer->str) == 200)
    g_print("answered in %.1f ms\n", (g_get_monotonic_time() - asked) / 1000.0);
  else
    g_print("no answer within 10 s\n");
  if (fd >= 0)
    close(fd);
  for (int i = 0; i < opened; i++)
    close(idle[i]);
}

static void
measure_unknown_email(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_autoptr(PpmLatency) unknown = ppm_latency_new();
  g_autoptr(PpmLatency) wrong = ppm_latency_new();

  g_assert_no_error(error);
  ppm_test_user(server, USER, "member");
  post_login(server, NULL, USER, PASSWORD); /* the first login of a process */
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *source = g_strdup_printf("127.0.1.%d", i + 1);
      g_autofree char *email = g_strdup_printf("nobody-%d@example.com", i);
      gint64 start = g_get_monotonic_time();

      g_assert_cmpint(post_login(server, source, email, "a-wrong-guess"), ==, 401);
      ppm_latency_add(unknown, g_get_monotonic_time() - start);
      start = g_get_monotonic_time();
      g_assert_cmpint(post_login(server, source, USER, "a-wrong-guess"), ==, 401);
      ppm_latency_add(wrong, g_get_monotonic_time() - start);
    }
  g_print("(c) 401 for an unknown email: p50 %.1f ms; for a wrong password: p50 %.1f ms\n",
          ppm_latency_percentile(unknown, 50) / 1000.0, ppm_latency_percentile(wrong, 50) / 1000.0);
}

static int
env_int(const char *name, int fallback, int low, int high)
{
  const char *text = g_getenv(name);
  gint64 value = text ? g_ascii_strtoll(text, NULL, 10) : fallback;

  return (int)CLAMP(value, low, high);
}

int
main(int argc, char **argv)
{
  struct rlimit files;

  /* The idle sockets need more descriptors than the usual soft limit. */
  if (getrlimit(RLIMIT_NOFILE, &files) == 0)
    {
      files.rlim_cur = files.rlim_max;
      setrlimit(RLIMIT_NOFILE, &files);
    }
  measure_logins(env_int("LOGINS", 32, 1, 128), env_int("SECONDS", 5, 1, 60));
  measure_idle_sockets(env_int("IDLE", 1000, 1, 2000));
  measure_unknown_email();
  return 0;
}
