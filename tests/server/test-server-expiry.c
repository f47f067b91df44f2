/* A session with no request for max(max_backdate_seconds, 2·period + 60 s)
 * expires (410) and its hold goes back; the platform's downtime does not
 * count.  The minutes pass on a moved clock (ppm-test-clock.h). */
#include "ppm-test-api.h"
#include "ppm-test-clock.h"
#include "ppm-test-missing.h"

/* With 1 s periods and the smallest backdate, sessions expire after 62 s. */
#define TIMEOUT_S 62
#define UP_S 30
#define DOWNTIME_S 35
#define ALIVE_WAIT_US (10 * G_USEC_PER_SEC)

/* The last time the server recorded itself alive: its restart counts the
 * downtime from there. */
static gint64
alive_ms(PpmTestServer *server)
{
  g_autofree char *value
      = ppm_test_server_sql(server, "SELECT value FROM meta WHERE key = 'alive_ms'");

  return g_ascii_strtoll(value, NULL, 10);
}

/* Waits for the server's once-a-second tick to record `since_ms` or later. */
static void
wait_alive(PpmTestServer *server, gint64 since_ms)
{
  gint64 deadline = g_get_monotonic_time() + ALIVE_WAIT_US;

  while (alive_ms(server) < since_ms)
    {
      g_assert_cmpint(g_get_monotonic_time(), <, deadline);
      g_usleep(100 * 1000);
    }
}

static void
test_expiry_extended_by_downtime(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestClock) clock = ppm_test_clock_start(
      (const char *[]){ "--period-seconds", "1", "--max-backdate-seconds", "60", NULL }, &error);
  PpmTestServer *server;
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, charge = NULL, expired = NULL;
  g_autoptr(PpmTestResponse) close = NULL, me = NULL;
  const char *id;
  gint64 alive;

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      ppm_test_missing(error->message);
      return;
    }
  g_assert_no_error(error);
  server = clock->server;
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  open = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(open, 201, NULL);
  id = ppm_test_string(open, "session_id");
  charge = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(charge, 201, NULL);

  /* Up for 30 s, then down for 35 s: at 70 s the session would have expired
   * without the extension. */
  alive = alive_ms(server);
  ppm_test_clock_advance(clock, UP_S);
  wait_alive(server, alive + UP_S * 1000);
  ppm_test_server_stop(server);
  ppm_test_clock_advance(clock, DOWNTIME_S);
  g_assert_true(ppm_test_clock_restart(clock, &error));
  g_assert_no_error(error);
  /* At 70 s the session still holds its two periods. */
  ppm_test_clock_advance(clock, TIMEOUT_S + 8 - UP_S - DOWNTIME_S);
  me = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
  g_assert_cmpint(ppm_test_int(me, "available.amount_minor"), ==, 1800 - 400);

  /* Past the extended deadline (62 s + the downtime) with no request on
   * the session, it is gone. */
  ppm_test_clock_advance(clock, DOWNTIME_S + 3 - 8);
  expired = ppm_test_charge(server, pair.model_token, id, 1);
  ppm_assert_answer(expired, 410, "session_expired");
  close = ppm_test_close(server, pair.model_token, id, "local_hangup", 90000);
  ppm_assert_answer(close, 410, "session_expired");
  /* The hold went back; the charge made stands. */
  g_clear_pointer(&me, ppm_test_response_free);
  me = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
  g_assert_cmpint(ppm_test_int(me, "available.amount_minor"), ==, 1800);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1800);
  ppm_test_verify(server);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/expiry/extended-by-downtime", test_expiry_extended_by_downtime);
  return g_test_run();
}
