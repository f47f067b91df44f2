/* Floods: password checks run in a bounded pool that answers 503 busy when
 * full and never holds up other requests; one address cannot take every
 * connection; a request must arrive whole within its deadline however
 * slowly it trickles; sign-ups are limited per address; concurrent wrong
 * guesses are counted one by one; requests framed ambiguously (RFC 9112)
 * are refused and their connection closed.  Raw sockets where libcurl
 * would not send what an attacker sends. */
#include <string.h>
#include <unistd.h>

#include "ppm-test-api.h"
#include "sec-browser.h"
#include "sec-http.h"
#include "sec-raw.h"
#include "sec-server.h"

#define AMY "amy@example.com"
#define READ_MS 60000

static int
connect_from(SecServer *server, const char *source)
{
  int fd = sec_raw_connect(server->port, source);

  g_assert_cmpint(fd, >=, 0);
  return fd;
}

static char *
login_request(const char *email, const char *password)
{
  g_autofree char *body
      = g_strdup_printf("{\"email\": \"%s\", \"password\": \"%s\"}", email, password);

  return g_strdup_printf("POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n%s",
                         strlen(body), body);
}

/* `count` connections from 127.0.0.1, each sending `request` at once. */
static int *
send_all(SecServer *server, const char *request, int count)
{
  int *fds = g_new(int, count);

  for (int i = 0; i < count; i++)
    {
      fds[i] = connect_from(server, NULL);
      g_assert_true(sec_raw_send(fds[i], request, strlen(request)));
    }
  return fds;
}

/* The answer on `fd`, read until the server closes; the socket is closed. */
static GString *
answer_of(int fd)
{
  gboolean closed;
  GString *answer = sec_raw_read(fd, READ_MS, &closed);

  g_assert_true(closed);
  close(fd);
  return answer;
}

static SecServer *
start(const char *const *args)
{
  SecServer *server = sec_server_start(args);

  ppm_test_user(server, AMY, "model");
  return server;
}

static void
test_hash_queue_full_is_busy(void)
{
  const char *const args[] = { "--hash-threads", "1", "--hash-queue", "1", NULL };
  g_autoptr(SecServer) server = start(args);
  g_autofree char *request = login_request(AMY, "password-" AMY);
  g_autofree int *fds = send_all(server, request, 24);
  int ok = 0, busy = 0;

  for (int i = 0; i < 24; i++)
    {
      g_autoptr(GString) answer = answer_of(fds[i]);
      guint status = sec_raw_status(answer->str);

      if (status == 503)
        {
          g_autofree char *retry = sec_raw_header(answer->str, "Retry-After");

          g_assert_nonnull(retry);
          g_assert_cmpint(g_ascii_strtoll(retry, NULL, 10), >=, 1);
          g_assert_nonnull(strstr(answer->str, "\"code\":\"busy\""));
          busy++;
        }
      else
        {
          g_assert_cmpuint(status, ==, 200);
          ok++;
        }
    }
  /* One runs and one waits at most; the others could not have been taken. */
  g_assert_cmpint(ok, >=, 1);
  g_assert_cmpint(busy, >=, 1);
  /* Nothing of the refused ones stays: the next login goes through. */
  g_free(ppm_test_login(server, AMY));
}

static void
test_healthz_and_reads_not_behind_hashes(void)
{
  const char *const args[] = { "--hash-threads", "1", "--hash-queue", "64", NULL };
  g_autoptr(SecServer) server = start(args);
  g_autofree char *token = ppm_test_login(server, AMY);
  g_autofree char *request = login_request(AMY, "password-" AMY);
  g_autofree char *me = g_strdup_printf("GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
                                        token);
  g_autofree char *healthz_url = g_strconcat(server->url, "/healthz", NULL);
  g_autofree int *fds = send_all(server, request, 40);
  g_autoptr(SecResponse) healthz = NULL;
  g_autoptr(GString) me_answer = NULL;
  g_autoptr(GError) error = NULL;
  int me_fd, waiting = 0;

  healthz = sec_http_request("GET", healthz_url, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(healthz->status, ==, 200);
  me_fd = connect_from(server, NULL);
  g_assert_true(sec_raw_send(me_fd, me, strlen(me)));
  me_answer = answer_of(me_fd);
  g_assert_cmpuint(sec_raw_status(me_answer->str), ==, 200);
  for (int i = 0; i < 40; i++)
    waiting += !sec_raw_readable(fds[i]);
  /* Both were answered while logins still waited for their hash. */
  g_assert_cmpint(waiting, >=, 1);
  for (int i = 0; i < 40; i++)
    {
      g_autoptr(GString) answer = answer_of(fds[i]);
      g_assert_cmpuint(sec_raw_status(answer->str), ==, 200);
    }
}

static void
test_address_limit_spares_other_addresses(void)
{
  const char *const args[] = { "--max-connections-per-address", "8", NULL };
  const char *request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  g_autoptr(SecServer) server = sec_server_start(args);
  g_autofree char *url = g_strconcat(server->url, "/healthz", NULL);
  SecRequest other = { .source_address = "127.0.0.3" };
  g_autoptr(SecResponse) answered = NULL;
  g_autoptr(GString) refused = NULL;
  g_autoptr(GError) error = NULL;
  int idle[8], extra;
  gboolean closed;

  for (int i = 0; i < 8; i++)
    idle[i] = connect_from(server, "127.0.0.2");
  extra = connect_from(server, "127.0.0.2");
  sec_raw_send(extra, request, strlen(request)); /* may fail: the server closes it */
  refused = sec_raw_read(extra, READ_MS, &closed);
  g_assert_true(closed);
  g_assert_cmpuint(sec_raw_status(refused->str), ==, 0);
  close(extra);

  answered = sec_http_request("GET", url, &other, &error);
  g_assert_no_error(error);
  g_assert_cmpint(answered->status, ==, 200);
  for (int i = 0; i < 8; i++)
    close(idle[i]);
}

/* Sends `start`, then `piece` every 250 ms for 10 s at most; TRUE when the
 * server closed the connection in that time without answering. */
static gboolean
trickle_cut(SecServer *server, const char *start, const char *piece)
{
  int fd = connect_from(server, NULL);
  g_autoptr(GString) rest = NULL;
  gboolean cut = FALSE, closed;

  g_assert_true(sec_raw_send(fd, start, strlen(start)));
  for (int i = 0; i < 40 && !cut; i++)
    {
      g_usleep(250 * 1000);
      cut = sec_raw_readable(fd) || !sec_raw_send(fd, piece, strlen(piece));
    }
  rest = sec_raw_read(fd, 1000, &closed);
  close(fd);
  g_assert_cmpuint(sec_raw_status(rest->str), ==, 0);
  return cut && closed;
}

static const char *const deadline_args[] = { "--request-deadline-seconds", "2", NULL };

static void
test_trickled_head_cut(void)
{
  g_autoptr(SecServer) server = sec_server_start(deadline_args);

  /* Each line restarts libmicrohttpd's idle timeout; the deadline holds. */
  g_assert_true(
      trickle_cut(server, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: 1\r\n"));
}

static void
test_trickled_body_cut(void)
{
  g_autoptr(SecServer) server = sec_server_start(deadline_args);

  g_assert_true(trickle_cut(server,
                            "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{",
                            " "));
}

static void
test_idle_kept_alive_connection_closed(void)
{
  const char *request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autoptr(SecServer) server = sec_server_start(deadline_args);
  int fd = connect_from(server, NULL);
  g_autoptr(GString) first = NULL, after = NULL;
  gboolean closed;

  g_assert_true(sec_raw_send(fd, request, strlen(request)));
  first = sec_raw_read(fd, 1000, &closed);
  g_assert_false(closed);
  g_assert_cmpuint(sec_raw_status(first->str), ==, 200);
  /* Kept alive, then silent: the next request's time runs out too. */
  after = sec_raw_read(fd, 10000, &closed);
  g_assert_true(closed);
  g_assert_cmpuint(after->len, ==, 0);
  close(fd);
}

/* The web sign-up form, from a fresh browser at `source`. */
static SecResponse *
sign_up(SecServer *server, const char *source, int n)
{
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *token = NULL, *rest = NULL, *form = NULL;

  browser->source_address = source;
  token = sec_browser_form_token(browser, "/account/signup");
  rest = g_strdup_printf("email=new-%s-%d%%40example.com&display_name=New+%d"
                         "&password=Long-Password-123",
                         source, n, n);
  form = sec_form(token, rest);
  return sec_browser_visit(browser, "/account/signup", form);
}

static void
test_signup_throttled_per_address(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(SecResponse) limited = NULL, elsewhere = NULL;
  g_autoptr(GError) missing = NULL;
  g_autofree char *balance = NULL;
  gint64 retry_after;

  for (int i = 0; i < 5; i++)
    {
      g_autoptr(SecResponse) created = sign_up(server, "127.0.0.2", i);
      g_assert_cmpint(created->status, ==, 303);
    }
  limited = sign_up(server, "127.0.0.2", 5);
  g_assert_cmpint(limited->status, ==, 429);
  g_assert_nonnull(limited->retry_after);
  retry_after = g_ascii_strtoll(limited->retry_after, NULL, 10);
  g_assert_cmpint(retry_after, >=, 1);
  g_assert_cmpint(retry_after, <=, 3600);
  g_assert_nonnull(strstr(limited->body, "Too many accounts were created from your address"));
  /* The refused one was not created. */
  balance = ppm_test_admin(server, NULL, &missing, "balance", "--email",
                           "new-127.0.0.2-5@example.com", NULL);
  g_assert_null(balance);
  g_assert_nonnull(missing);
  elsewhere = sign_up(server, "127.0.0.3", 0);
  g_assert_cmpint(elsewhere->status, ==, 303);
}

static void
test_concurrent_guesses_counted_exactly(void)
{
  const char *const args[] = { "--hash-threads", "8", "--hash-queue", "64", NULL };
  g_autoptr(SecServer) server = start(args);
  g_autofree char *request = login_request(AMY, "a-wrong-guess");
  g_autofree int *fds = send_all(server, request, 60);
  int evaluated = 0, throttled = 0;

  for (int i = 0; i < 60; i++)
    {
      g_autoptr(GString) answer = answer_of(fds[i]);
      guint status = sec_raw_status(answer->str);

      g_assert_true(status == 401 || status == 429);
      if (status == 401)
        evaluated++;
      else
        throttled++;
    }
  g_assert_cmpint(evaluated, ==, 10);
  g_assert_cmpint(throttled, ==, 50);
}

/* Framings RFC 9112 forbids, NUL bytes in headers and folded lines: each is
 * 400 and the connection closes, so no body can be read as a request of its
 * own. */
static void
test_ambiguous_framing_refused(void)
{
#define RAW(text)                                                                                  \
  {                                                                                                \
    text, sizeof text - 1                                                                          \
  }
  static const struct
  {
    const char *text;
    gsize length;
  } requests[] = {
    /* Content-Length and Transfer-Encoding */
    RAW("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    /* two different Content-Length values */
    RAW("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 0\r\n\r\n"),
    /* an unknown transfer coding */
    RAW("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc"),
    RAW("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
    /* chunked twice */
    RAW("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    /* NUL bytes: libmicrohttpd refuses one in a name itself, and would cut a
     * value at one */
    RAW("GET /healthz HTTP/1.1\r\nHost: x\r\nX-\0A: 1\r\n\r\n"),
    RAW("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ab\0cd\r\n\r\n"),
    RAW("GET /healthz HTTP/1.1\r\nHost: x\0y\r\n\r\n"),
    /* a folded line (RFC 9112, 5.2) */
    RAW("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n"),
  };
#undef RAW
  g_autoptr(SecServer) server = sec_server_start(NULL);

  for (gsize i = 0; i < G_N_ELEMENTS(requests); i++)
    {
      int fd = connect_from(server, NULL);
      g_autoptr(GString) answer = NULL;
      gboolean closed;

      g_assert_true(sec_raw_send(fd, requests[i].text, requests[i].length));
      answer = sec_raw_read(fd, READ_MS, &closed);
      close(fd);
      if (sec_raw_status(answer->str) != 400 || !closed)
        g_error("request %zu: %s (%s)", i, answer->str, closed ? "closed" : "left open");
    }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/flood/hash-queue-full-is-busy", test_hash_queue_full_is_busy);
  g_test_add_func("/security/flood/healthz-and-reads-not-behind-hashes",
                  test_healthz_and_reads_not_behind_hashes);
  g_test_add_func("/security/flood/address-limit-spares-other-addresses",
                  test_address_limit_spares_other_addresses);
  g_test_add_func("/security/flood/trickled-head-cut", test_trickled_head_cut);
  g_test_add_func("/security/flood/trickled-body-cut", test_trickled_body_cut);
  g_test_add_func("/security/flood/idle-kept-alive-connection-closed",
                  test_idle_kept_alive_connection_closed);
  g_test_add_func("/security/flood/signup-throttled-per-address",
                  test_signup_throttled_per_address);
  g_test_add_func("/security/flood/concurrent-guesses-counted-exactly",
                  test_concurrent_guesses_counted_exactly);
  g_test_add_func("/security/flood/ambiguous-framing-refused", test_ambiguous_framing_refused);
  return g_test_run();
}
