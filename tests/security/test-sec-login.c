/* Login throttling per (email, client address): the 11th failure within
 * 15 minutes and later ones get 429 with Retry-After, a success resets the
 * count, and nobody else is locked out (docs/api-errors.md#limits). */
#include <string.h>

#include "ppm-test-api.h"
#include "ppm-test-clock.h"
#include "ppm-test-missing.h"
#include "sec-http.h"
#include "sec-server.h"

#define AMY "amy@example.com"
#define BEA "bea@example.com"
#define WINDOW_S (15 * 60)

/* POST /v1/auth/login from `source` (NULL: 127.0.0.1); returns the status
 * and, for 429, checks the answer's code and Retry-After. */
static long
login_from(PpmTestServer *server, const char *source, const char *email, gboolean right)
{
  g_autofree char *url = g_strconcat(server->url, "/v1/auth/login", NULL);
  g_autofree char *body = g_strdup_printf("{\"email\": \"%s\", \"password\": \"%s%s\"}", email,
                                          right ? "password-" : "wrong-", email);
  SecRequest request = { .body = body, .source_address = source };
  g_autoptr(GError) error = NULL;
  g_autoptr(SecResponse) r = sec_http_request("POST", url, &request, &error);
  g_autofree char *code = NULL;

  g_assert_no_error(error);
  code = sec_response_error_code(r);
  if (r->status == 429)
    {
      gint64 retry_after;

      g_assert_cmpstr(code, ==, "rate_limited");
      g_assert_nonnull(r->retry_after);
      retry_after = g_ascii_strtoll(r->retry_after, NULL, 10);
      g_assert_cmpint(retry_after, >=, 1);
      g_assert_cmpint(retry_after, <=, WINDOW_S);
    }
  else if (r->status == 401)
    g_assert_cmpstr(code, ==, "unauthorized");
  return r->status;
}

static long
login(PpmTestServer *server, const char *email, gboolean right)
{
  return login_from(server, NULL, email, right);
}

static void
fail_times(PpmTestServer *server, const char *email, int times)
{
  for (int i = 0; i < times; i++)
    g_assert_cmpint(login(server, email, FALSE), ==, 401);
}

static SecServer *
start(void)
{
  SecServer *server = sec_server_start(NULL);

  ppm_test_user(server, AMY, "model");
  ppm_test_user(server, BEA, "member");
  return server;
}

static void
test_eleventh_failure_throttled(void)
{
  g_autoptr(SecServer) server = start();

  fail_times(server, AMY, 10);
  g_assert_cmpint(login(server, AMY, FALSE), ==, 429);
  /* Throttled means throttled: the right password does not get through. */
  g_assert_cmpint(login(server, AMY, TRUE), ==, 429);
}

static void
test_other_address_and_email_unaffected(void)
{
  g_autoptr(SecServer) server = start();

  fail_times(server, AMY, 10);
  g_assert_cmpint(login(server, AMY, TRUE), ==, 429);
  g_assert_cmpint(login_from(server, "127.0.0.2", AMY, TRUE), ==, 200);
  g_assert_cmpint(login(server, BEA, FALSE), ==, 401);
  g_assert_cmpint(login(server, BEA, TRUE), ==, 200);
  /* The success elsewhere does not lift the throttle here. */
  g_assert_cmpint(login(server, AMY, TRUE), ==, 429);
}

static void
test_success_resets_count(void)
{
  g_autoptr(SecServer) server = start();

  fail_times(server, AMY, 9);
  g_assert_cmpint(login(server, AMY, TRUE), ==, 200);
  /* Without the reset the second of these would be the 11th failure. */
  fail_times(server, AMY, 10);
  g_assert_cmpint(login(server, AMY, FALSE), ==, 429);
}

static void
test_window_is_fifteen_minutes(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestClock) clock = ppm_test_clock_start(NULL, &error);

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      ppm_test_missing(error->message);
      return;
    }
  g_assert_no_error(error);
  ppm_test_user(clock->server, AMY, "model");
  fail_times(clock->server, AMY, 10);
  ppm_test_clock_advance(clock, WINDOW_S - 120);
  g_assert_cmpint(login(clock->server, AMY, TRUE), ==, 429);
  ppm_test_clock_advance(clock, 121);
  g_assert_cmpint(login(clock->server, AMY, TRUE), ==, 200);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/login/eleventh-failure-throttled", test_eleventh_failure_throttled);
  g_test_add_func("/security/login/other-address-and-email-unaffected",
                  test_other_address_and_email_unaffected);
  g_test_add_func("/security/login/success-resets-count", test_success_resets_count);
  g_test_add_func("/security/login/window-is-fifteen-minutes", test_window_is_fifteen_minutes);
  return g_test_run();
}
