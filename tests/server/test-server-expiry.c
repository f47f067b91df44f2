/* A session with no request for max(max_backdate_seconds, 2·period + 60 s)
 * expires (410) and its hold goes back; the platform's downtime does not
 * count.  Waits for real: about 100 s. */
#include "ppm-test-api.h"

/* With 1 s periods and the smallest backdate, sessions expire after 62 s. */
#define TIMEOUT_S 62
#define DOWNTIME_S 35

static void
test_expiry_extended_by_downtime(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(
      NULL, (const char *[]){ "--period-seconds", "1", "--max-backdate-seconds", "60", NULL },
      &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, charge = NULL, expired = NULL;
  g_autoptr(PpmTestResponse) close = NULL, me = NULL;
  const char *id;
  gint64 started;

  g_assert_no_error(error);
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  open = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(open, 201, NULL);
  id = ppm_test_string(open, "session_id");
  charge = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(charge, 201, NULL);
  started = g_get_monotonic_time();

  /* Down for 35 s in the middle: at 70 s the session would have expired
   * without the extension. */
  g_usleep(30 * G_USEC_PER_SEC);
  ppm_test_server_stop(server);
  g_usleep(DOWNTIME_S * G_USEC_PER_SEC);
  g_assert_true(ppm_test_server_restart(server, &error));
  g_assert_no_error(error);
  /* At 70 s the session still holds its two periods. */
  g_usleep(MAX(0, started + (TIMEOUT_S + 8) * G_USEC_PER_SEC - g_get_monotonic_time()));
  me = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
  g_assert_cmpint(ppm_test_int(me, "available.amount_minor"), ==, 1800 - 400);

  /* Past the extended deadline (62 s + the downtime) with no request on
   * the session, it is gone. */
  g_usleep(
      MAX(0, started + (TIMEOUT_S + DOWNTIME_S + 3) * G_USEC_PER_SEC - g_get_monotonic_time()));
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
