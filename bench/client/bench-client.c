/* bench-client: what the platform client costs while many calls bill at once.
 *
 * 100 meters bill concurrently through one PpmApi against a local ppm-server
 * with 1 s periods (so 100 charges a second), then the server is black-holed
 * with SIGSTOP for a while and resumed.  Prints the client's CPU time per
 * confirmed charge and the longest main-loop stall of each phase.
 * Goals: <= 0.5 ms CPU per charge, longest stall <= 5 ms.
 *
 * A stall is the longest gap between two main-loop iterations (PpmStallProbe:
 * from the end of one poll to the start of the next iteration), printed as
 * wall time and as the thread's CPU time over that gap.  For comparison the
 * bench also runs the earlier probe, a 2 ms timer whose longest gap between
 * two runs bounds a stall from above: it adds its own 2 ms period, the
 * poll's millisecond rounding and any delay of the kernel in waking the
 * process up, which on a loaded machine alone reaches several milliseconds
 * (the bench prints that floor, measured before the calls start).
 *
 * Usage: bench-client [CALLS [SECONDS]]   (defaults 100 and 20) */
#include "client-platform.h"
#include "client-test-util.h"
#include "ppm-meter.h"

#include <stdlib.h>

typedef struct
{
  guint charges;
  guint closed;
  guint hangups;
  guint stopped;
} Totals;

static void
on_charged(PpmMeter *meter, const PpmChargeAnswer *answer, gint64 seq, gpointer user_data)
{
  ((Totals *)user_data)->charges++;
}

static void
on_hangup_wanted(PpmMeter *meter, PpmEndReason reason, gpointer user_data)
{
  ((Totals *)user_data)->hangups++;
}

static void
on_billing_stopped(PpmMeter *meter, const PpmOutcome *outcome, const char *message,
                   gpointer user_data)
{
  g_printerr("billing stopped: %s %s\n", outcome != NULL ? outcome->code_text : "journal",
             message != NULL ? message : "");
  ((Totals *)user_data)->stopped++;
}

static void
on_closed(PpmMeter *meter, const PpmOutcome *outcome, const PpmCloseAnswer *answer,
          gpointer user_data)
{
  ((Totals *)user_data)->closed++;
}

static const PpmMeterEvents bench_events = {
  .charged = on_charged,
  .hangup_wanted = on_hangup_wanted,
  .billing_stopped = on_billing_stopped,
  .closed = on_closed,
};

typedef struct
{
  PpmClock *clock;
  GPtrArray *meters;
} Media;

/* Every caller's media keeps flowing: no charge is held back as a dead call's. */
static gboolean
feed_rtp(gpointer user_data)
{
  Media *media = user_data;
  gint64 now = ppm_clock_now_monotonic(media->clock);

  for (guint i = 0; i < media->meters->len; i++)
    ppm_meter_note_rtp(media->meters->pdata[i], now);
  return G_SOURCE_CONTINUE;
}

/* The earlier stall probe: the longest gap between two runs of a 2 ms timer. */
typedef struct
{
  gint64 last;
  gint64 longest;
} TimerGap;

static gboolean
timer_gap_tick(gpointer user_data)
{
  TimerGap *gap = user_data;
  gint64 now = g_get_monotonic_time();

  gap->longest = MAX(gap->longest, now - gap->last);
  gap->last = now;
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  PpmStallProbe *probe;
  TimerGap timer;
  gint64 cpu;
  guint charges;
} Phase;

static void
phase_start(Phase *phase, const Totals *totals)
{
  ppm_stall_probe_reset(phase->probe);
  phase->timer.last = g_get_monotonic_time();
  phase->timer.longest = 0;
  phase->cpu = ppm_test_cpu_time_us();
  phase->charges = totals->charges;
}

static void
phase_report(Phase *phase, const char *name, const Totals *totals)
{
  guint charges = totals->charges - phase->charges;
  gint64 cpu = ppm_test_cpu_time_us() - phase->cpu;

  /* Per charge only where charges are the work: not while black-holed. */
  g_print("%-20s %5u charges %7.1f ms CPU %6.3f ms/charge  longest stall %5.2f ms (CPU %5.2f ms)"
          "  2 ms timer gap %5.2f ms\n",
          name, charges, (double)cpu / 1000.0,
          charges >= 100 ? (double)cpu / 1000.0 / charges : 0.0,
          (double)ppm_stall_probe_longest(phase->probe) / 1000.0,
          (double)ppm_stall_probe_longest_cpu(phase->probe) / 1000.0,
          (double)phase->timer.longest / 1000.0);
}

int
main(int argc, char **argv)
{
  guint calls = argc > 1 ? (guint)atoi(argv[1]) : 100;
  guint seconds = argc > 2 ? (guint)atoi(argv[2]) : 20;
  const char *const args[] = { "--period-seconds", "1", "--hold-periods", "30", NULL };
  g_autoptr(PpmTestPlatform) platform = NULL;
  g_autoptr(PpmApi) api = NULL;
  g_autoptr(PpmClock) clock = NULL;
  Phase phase = { .probe = ppm_stall_probe_start() };
  g_autoptr(GPtrArray) meters = g_ptr_array_new_with_free_func((GDestroyNotify)ppm_meter_free);
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func(g_free);
  PpmPort port;
  Totals totals = { 0 };
  gint64 cpu, start_cpu, end;
  Media media;
  guint rtp, timer;
  guint charges;

  /* The environment wins over the programs of this build. */
  g_setenv("PPM_SERVER_BIN", PPM_SERVER_BIN_DEFAULT, FALSE);
  g_setenv("PPM_ADMIN_BIN", PPM_ADMIN_BIN_DEFAULT, FALSE);
  g_print("setting up a platform with %u members...\n", calls);
  platform = ppm_test_platform_new(args, calls);
  api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  ppm_api_set_timeouts(api, 2000, 3000);
  port = ppm_api_get_port(api);
  clock = ppm_clock_system_new(NULL);

  /* The machine's floor for the 2 ms timer: nothing else runs in the loop. */
  timer = g_timeout_add(2, timer_gap_tick, &phase.timer);
  phase_start(&phase, &totals);
  ppm_test_spin(2000);
  g_source_remove(timer);
  g_print("%-20s %40s longest stall %5.2f ms (CPU %5.2f ms)  2 ms timer gap %5.2f ms\n",
          "idle loop", "", (double)ppm_stall_probe_longest(phase.probe) / 1000.0,
          (double)ppm_stall_probe_longest_cpu(phase.probe) / 1000.0,
          (double)phase.timer.longest / 1000.0);

  for (guint i = 0; i < calls; i++)
    {
      PpmMeterConfig config = { 0 };
      PpmMeter *meter;

      g_ptr_array_add(handles, ppm_test_member_handle(i));
      config.protocol = "prpl-jabber";
      config.model_handle = PPM_TEST_MODEL_HANDLE;
      config.member_handle = handles->pdata[i];
      /* Spread the calls over one period, as real calls would be. */
      config.t0_us = ppm_clock_now_monotonic(clock) - i * (G_USEC_PER_SEC / calls);
      meter = ppm_meter_new(clock, &port, &config, &bench_events, &totals);
      g_ptr_array_add(meters, meter);
      ppm_meter_start(meter);
    }

  media.clock = clock;
  media.meters = meters;
  rtp = g_timeout_add(100, feed_rtp, &media);
  g_print("%u calls billing for %u s, then 5 s with the stall probes...\n", calls, seconds);
  start_cpu = ppm_test_cpu_time_us();
  /* The opens, all requested at once. */
  timer = g_timeout_add(2, timer_gap_tick, &phase.timer);
  phase_start(&phase, &totals);
  ppm_test_spin(2000);
  phase_report(&phase, "opening", &totals);
  g_source_remove(timer);
  /* The 2 ms timer wakes the loop 500 times a second: it would inflate the
   * CPU figure, so this phase runs without it. */
  cpu = ppm_test_cpu_time_us();
  charges = totals.charges;
  ppm_test_spin(seconds * 1000);
  cpu = ppm_test_cpu_time_us() - cpu;
  g_print("%-20s %5u charges %7.1f ms CPU %6.3f ms/charge\n", "billing", totals.charges - charges,
          (double)cpu / 1000.0, (double)cpu / 1000.0 / MAX(totals.charges - charges, 1));
  timer = g_timeout_add(2, timer_gap_tick, &phase.timer);
  phase_start(&phase, &totals);
  ppm_test_spin(5000);
  phase_report(&phase, "billing, probed", &totals);

  g_print("server black-holed (SIGSTOP) for 8 s...\n");
  ppm_test_server_pause(platform->server);
  phase_start(&phase, &totals);
  ppm_test_spin(8000);
  phase_report(&phase, "black-holed", &totals);
  g_print("%-20s requests in flight %u\n", "", ppm_api_get_n_active(api));

  ppm_test_server_resume(platform->server);
  phase_start(&phase, &totals);
  ppm_test_spin(8000);
  phase_report(&phase, "resumed (catch-up)", &totals);

  /* Every call hangs up at once: the closes. */
  end = ppm_clock_now_monotonic(clock);
  for (guint i = 0; i < meters->len; i++)
    ppm_meter_end(meters->pdata[i], PPM_END_LOCAL_HANGUP, end);
  phase_start(&phase, &totals);
  while (totals.closed < calls)
    g_main_context_iteration(NULL, TRUE);
  phase_report(&phase, "closing", &totals);
  g_source_remove(timer);
  g_source_remove(rtp);
  /* Opens, charges, retries, catch-up and closes: the whole client side. */
  cpu = ppm_test_cpu_time_us() - start_cpu;
  g_print("%-20s %5u charges %7.1f ms CPU %6.3f ms/charge (whole run)\n", "overall", totals.charges,
          (double)cpu / 1000.0, (double)cpu / 1000.0 / MAX(totals.charges, 1));
  g_print("all %u sessions closed: %u charges confirmed, %u hang-ups wanted, %u stopped\n", calls,
          totals.charges, totals.hangups, totals.stopped);
  ppm_test_platform_assert_verified(platform);
  ppm_stall_probe_free(phase.probe);
  return 0;
}
