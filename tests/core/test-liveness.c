/* core/meter/ppm-liveness: the dead-call rules on the virtual clock. */
#include "ppm-liveness.h"

#define SEC G_GINT64_CONSTANT(1000000)
#define MS 1000
#define T0 (500 * SEC)

typedef struct
{
  PpmClock *clock;
  PpmLiveness *liveness;
  GArray *pings; /* gint64: when want_ping fired, relative to t0 */
  gboolean answer_pings;
  guint deaths;
  PpmEndReason reason;
  gint64 end_us;
  gint64 dead_at;
} Watch;

static void
on_want_ping(PpmLiveness *liveness, gpointer data)
{
  Watch *w = data;
  gint64 at = ppm_clock_now_monotonic(w->clock) - T0;

  g_array_append_val(w->pings, at);
  if (w->answer_pings)
    ppm_liveness_ping_answered(liveness);
}

static void
on_dead(PpmLiveness *liveness, PpmEndReason reason, gint64 end_us, gpointer data)
{
  Watch *w = data;

  w->deaths++;
  w->reason = reason;
  w->end_us = end_us;
  w->dead_at = ppm_clock_now_monotonic(w->clock);
}

static const PpmLivenessEvents watch_events = { on_want_ping, on_dead };

static Watch *
watch_new(gboolean can_ping, int no_media_seconds)
{
  Watch *w = g_new0(Watch, 1);
  PpmLivenessConfig config;

  ppm_liveness_config_init(&config, T0);
  g_assert_cmpint(config.no_media_seconds, ==, 15);
  config.can_ping = can_ping;
  config.no_media_seconds = no_media_seconds;
  w->clock = ppm_clock_virtual_new(T0);
  w->pings = g_array_new(FALSE, FALSE, sizeof(gint64));
  w->liveness = ppm_liveness_new(w->clock, &config, &watch_events, w);
  return w;
}

static void
watch_free(Watch *w)
{
  ppm_liveness_free(w->liveness);
  ppm_clock_unref(w->clock);
  g_array_unref(w->pings);
  g_free(w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Watch, watch_free)

static void
run_to(Watch *w, gint64 at_us)
{
  ppm_clock_virtual_advance_to(w->clock, T0 + at_us);
}

/* Packets every `step` from `from` to `until` (relative to t0), through `seen`. */
static void
feed(Watch *w, void (*seen)(PpmLiveness *, gint64), gint64 from, gint64 until, gint64 step)
{
  for (gint64 t = from; t <= until && w->deaths == 0; t += step)
    {
      run_to(w, t);
      seen(w->liveness, T0 + t);
    }
}

static void
test_ping_schedule(void)
{
  g_autoptr(Watch) w = watch_new(TRUE, 0);
  const gint64 expected[] = { 12, 15, 18, 21, 24 };

  w->answer_pings = TRUE;
  feed(w, ppm_liveness_rtp_seen, 0, 10 * SEC, 20 * MS);
  run_to(w, 10 * SEC + 2 * SEC - 1);
  g_assert_cmpuint(w->pings->len, ==, 0);
  run_to(w, 25 * SEC);
  /* 2 s after the last RTP, then every 3 s. */
  g_assert_cmpuint(w->pings->len, ==, G_N_ELEMENTS(expected));
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
    g_assert_cmpint(g_array_index(w->pings, gint64, i), ==, expected[i] * SEC);
  g_assert_cmpuint(w->deaths, ==, 0);
}

static void
test_rtp_resumes_stops_pings(void)
{
  g_autoptr(Watch) w = watch_new(TRUE, 0);

  run_to(w, 2 * SEC);
  g_assert_cmpuint(w->pings->len, ==, 1);
  feed(w, ppm_liveness_rtp_seen, 2500 * MS, 30 * SEC, 20 * MS);
  g_assert_cmpuint(w->pings->len, ==, 1);
  /* The unanswered ping was forgotten when RTP came back. */
  g_assert_cmpuint(w->deaths, ==, 0);
}

static void
test_peer_offline_presence(void)
{
  g_autoptr(Watch) w = watch_new(TRUE, 15);

  feed(w, ppm_liveness_rtp_seen, 0, 7 * SEC, 20 * MS);
  run_to(w, 7 * SEC + 30 * MS);
  ppm_liveness_presence_offline(w->liveness);
  g_assert_cmpuint(w->deaths, ==, 1);
  g_assert_cmpint(w->reason, ==, PPM_END_PEER_OFFLINE);
  g_assert_cmpint(w->end_us, ==, T0 + 7 * SEC);
  g_assert_cmpint(w->dead_at - T0, <=, 7 * SEC + 30 * MS + 2 * SEC);
  /* Once. */
  ppm_liveness_ping_error(w->liveness);
  run_to(w, 60 * SEC);
  g_assert_cmpuint(w->deaths, ==, 1);
}

static void
test_peer_offline_ping_error(void)
{
  g_autoptr(Watch) w = watch_new(TRUE, 15);

  feed(w, ppm_liveness_rtp_seen, 0, 4 * SEC, 20 * MS);
  run_to(w, 6 * SEC);
  g_assert_cmpuint(w->pings->len, ==, 1);
  ppm_liveness_ping_error(w->liveness);
  g_assert_cmpuint(w->deaths, ==, 1);
  g_assert_cmpint(w->reason, ==, PPM_END_PEER_OFFLINE);
  g_assert_cmpint(w->dead_at, ==, T0 + 6 * SEC);
  g_assert_cmpint(w->end_us, ==, T0 + 4 * SEC);
}

static void
test_no_media_frozen_peer(void)
{
  g_autoptr(Watch) w = watch_new(TRUE, 15);

  feed(w, ppm_liveness_rtp_seen, 0, 5 * SEC, 20 * MS);
  run_to(w, 60 * SEC);
  /* First ping 2 s after the last RTP, unanswered for 10 s. */
  g_assert_cmpuint(w->deaths, ==, 1);
  g_assert_cmpint(w->reason, ==, PPM_END_NO_MEDIA);
  g_assert_cmpint(w->dead_at, ==, T0 + 5 * SEC + 12 * SEC);
  g_assert_cmpint(w->end_us, ==, T0 + 5 * SEC);
}

static void
test_no_media_without_pings(void)
{
  g_autoptr(Watch) w = watch_new(FALSE, 15);

  feed(w, ppm_liveness_rtp_seen, 0, 5 * SEC, 20 * MS);
  feed(w, ppm_liveness_rtcp_seen, 0, 8 * SEC, 4 * SEC);
  run_to(w, 60 * SEC);
  g_assert_cmpuint(w->pings->len, ==, 0);
  g_assert_cmpuint(w->deaths, ==, 1);
  g_assert_cmpint(w->reason, ==, PPM_END_NO_MEDIA);
  g_assert_cmpint(w->dead_at, ==, T0 + 8 * SEC + 15 * SEC);
  g_assert_cmpint(w->end_us, ==, T0 + 5 * SEC);
}

static void
test_no_media_off(void)
{
  g_autoptr(Watch) w = watch_new(FALSE, 0);

  run_to(w, 3600 * SEC);
  g_assert_cmpuint(w->deaths, ==, 0);
  g_assert_cmpuint(ppm_clock_virtual_pending(w->clock), ==, 0);
}

static void
test_muted_caller_alive(void)
{
  g_autoptr(Watch) w = watch_new(TRUE, 15);

  /* A muted caller still sends RTP; no RTCP arrives at all here. */
  feed(w, ppm_liveness_rtp_seen, 0, 120 * SEC, 20 * MS);
  g_assert_cmpuint(w->deaths, ==, 0);
  g_assert_cmpuint(w->pings->len, ==, 0);
}

static void
test_hold_rtcp_and_pings_keep_alive(void)
{
  g_autoptr(Watch) w = watch_new(TRUE, 15);

  w->answer_pings = TRUE;
  feed(w, ppm_liveness_rtp_seen, 0, 10 * SEC, 20 * MS);
  /* On hold: RTP stops, RTCP goes on, pings are answered. */
  feed(w, ppm_liveness_rtcp_seen, 12 * SEC, 100 * SEC, 4 * SEC);
  g_assert_cmpuint(w->deaths, ==, 0);
  g_assert_cmpuint(w->pings->len, >, 20);
  /* Then the caller freezes: RTCP stops at 100 s, pings go unanswered. */
  w->answer_pings = FALSE;
  run_to(w, 200 * SEC);
  g_assert_cmpuint(w->deaths, ==, 1);
  g_assert_cmpint(w->reason, ==, PPM_END_NO_MEDIA);
  g_assert_cmpint(w->end_us, ==, T0 + 10 * SEC);
  /* The first unanswered ping went out at 102 s (10 s + 2 s + 3 s·k). */
  g_assert_cmpint(w->dead_at, ==, T0 + 102 * SEC + 10 * SEC);
}

static void
test_hold_without_pings_until_no_media_seconds(void)
{
  g_autoptr(Watch) w = watch_new(FALSE, 15);

  feed(w, ppm_liveness_rtp_seen, 0, 10 * SEC, 20 * MS);
  feed(w, ppm_liveness_rtcp_seen, 12 * SEC, 100 * SEC, 4 * SEC);
  g_assert_cmpuint(w->deaths, ==, 0);
  run_to(w, 200 * SEC);
  g_assert_cmpuint(w->deaths, ==, 1);
  g_assert_cmpint(w->dead_at, ==, T0 + 100 * SEC + 15 * SEC);
  g_assert_cmpint(w->end_us, ==, T0 + 10 * SEC);
}

static void
free_on_dead(PpmLiveness *liveness, PpmEndReason reason, gint64 end_us, gpointer data)
{
  Watch *w = data;

  w->deaths++;
  ppm_liveness_free(w->liveness);
  w->liveness = NULL;
}

static void
test_free_from_dead_handler(void)
{
  g_autoptr(Watch) w = g_new0(Watch, 1);
  const PpmLivenessEvents events = { NULL, free_on_dead };
  PpmLivenessConfig config;

  ppm_liveness_config_init(&config, T0);
  w->clock = ppm_clock_virtual_new(T0);
  w->pings = g_array_new(FALSE, FALSE, sizeof(gint64));
  w->liveness = ppm_liveness_new(w->clock, &config, &events, w);
  run_to(w, 60 * SEC);
  g_assert_cmpuint(w->deaths, ==, 1);
  g_assert_null(w->liveness);
  g_assert_cmpuint(ppm_clock_virtual_pending(w->clock), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  g_test_add_func("/liveness/ping-schedule", test_ping_schedule);
  g_test_add_func("/liveness/rtp-resumes-stops-pings", test_rtp_resumes_stops_pings);
  g_test_add_func("/liveness/peer-offline-on-presence", test_peer_offline_presence);
  g_test_add_func("/liveness/peer-offline-on-ping-error", test_peer_offline_ping_error);
  g_test_add_func("/liveness/no-media-frozen-peer", test_no_media_frozen_peer);
  g_test_add_func("/liveness/no-media-without-pings", test_no_media_without_pings);
  g_test_add_func("/liveness/no-media-off", test_no_media_off);
  g_test_add_func("/liveness/muted-caller-alive", test_muted_caller_alive);
  g_test_add_func("/liveness/hold-rtcp-and-pings-keep-alive", test_hold_rtcp_and_pings_keep_alive);
  g_test_add_func("/liveness/hold-without-pings-until-no-media-seconds",
                  test_hold_without_pings_until_no_media_seconds);
  g_test_add_func("/liveness/free-from-dead-handler", test_free_from_dead_handler);
  return g_test_run();
}
