/* bench-meter: what the billing engine costs per live call.
 *
 * Runs 10,000 concurrent meters on the virtual clock against a platform that
 * answers every request 10 ms later, for 30 simulated minutes, and prints the
 * CPU time per charge decision and the heap and RSS growth per live meter.
 */
#include <malloc.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ppm-meter.h"

#define METERS 10000
#define PERIOD_MS 60000
#define MINUTES 30
#define ANSWER_DELAY_US (10 * 1000)
#define RTP_ROUNDS 100

typedef struct
{
  PpmClock *clock;
  guint64 charges;
} Platform;

typedef struct
{
  PpmChargeDone charge_done;
  PpmOpenDone open_done;
  gint64 seq;
  GCancellable *cancellable;
  gpointer user_data;
} Pending;

static void
answer(gpointer data)
{
  Pending *p = data;
  PpmOutcome ok = { .kind = PPM_OUTCOME_OK, .http_status = 201 };

  if (g_cancellable_is_cancelled(p->cancellable))
    ;
  else if (p->open_done != NULL)
    {
      PpmOpenAnswer a = { "s", 200, "USD", PERIOD_MS, 1000, 2000, "Member", 2 };

      p->open_done(&ok, &a, p->user_data);
    }
  else
    {
      PpmChargeAnswer a = { p->seq, 200, (p->seq + 1) * 200, "USD", 2, 1000 };

      p->charge_done(&ok, &a, p->user_data);
    }
  g_object_unref(p->cancellable);
  g_free(p);
}

static void
later(Platform *platform, Pending *p, GCancellable *cancellable)
{
  p->cancellable = g_object_ref(cancellable);
  ppm_clock_add_timeout(platform->clock, ppm_clock_now_monotonic(platform->clock) + ANSWER_DELAY_US,
                        answer, p);
}

static void
bench_open(gpointer self, const PpmOpenRequest *request, GCancellable *cancellable,
           PpmOpenDone done, gpointer user_data)
{
  Pending *p = g_new0(Pending, 1);

  p->open_done = done;
  p->user_data = user_data;
  later(self, p, cancellable);
}

static void
bench_charge(gpointer self, const char *session_id, gint64 seq, gint64 elapsed_ms,
             GCancellable *cancellable, PpmChargeDone done, gpointer user_data)
{
  Platform *platform = self;
  Pending *p = g_new0(Pending, 1);

  platform->charges++;
  p->charge_done = done;
  p->seq = seq;
  p->user_data = user_data;
  later(platform, p, cancellable);
}

static void
bench_close(gpointer self, const char *session_id, const char *reason, gint64 elapsed_ms,
            GCancellable *cancellable, PpmCloseDone done, gpointer user_data)
{
  g_assert_not_reached();
}

static const PpmPortOps bench_ops = { bench_open, bench_charge, bench_close };

static double
cpu_seconds(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_bytes(void)
{
  long pages_total = 0, pages_resident = 0;
  FILE *statm = fopen("/proc/self/statm", "r");

  if (statm == NULL)
    return 0;
  if (fscanf(statm, "%ld %ld", &pages_total, &pages_resident) != 2)
    pages_resident = 0;
  fclose(statm);
  return pages_resident * sysconf(_SC_PAGESIZE);
}

typedef struct
{
  PpmClock *clock;
  PpmMeter **meters;
  guint timer;
} Media;

/* Every live call reports RTP every second (the plugin reports more often;
 * the meter only keeps the latest time). */
static void
feed_rtp(gpointer data)
{
  Media *media = data;
  gint64 now = ppm_clock_now_monotonic(media->clock);

  for (guint i = 0; i < METERS; i++)
    ppm_meter_note_rtp(media->meters[i], now);
  media->timer = ppm_clock_add_timeout(media->clock, now + G_USEC_PER_SEC, feed_rtp, media);
}

int
main(void)
{
  g_autoptr(PpmClock) clock = ppm_clock_virtual_new(0);
  Platform platform = { clock, 0 };
  PpmPort port = { &bench_ops, &platform };
  g_autofree PpmMeter **meters = g_new0(PpmMeter *, METERS);
  Media media = { clock, meters, 0 };
  struct mallinfo2 heap_before, heap_after;
  long rss_before, rss_after;
  double cpu_start, cpu_used;

  heap_before = mallinfo2();
  rss_before = rss_bytes();
  for (guint i = 0; i < METERS; i++)
    {
      /* Calls start spread over a minute, as they would on a platform. */
      PpmMeterConfig config = {
        .protocol = "prpl-jabber",
        .model_handle = "model@example.org",
        .member_handle = "member@example.org",
        .t0_us = (gint64)i * PERIOD_MS * 1000 / METERS,
      };

      meters[i] = ppm_meter_new(clock, &port, &config, NULL, NULL);
    }
  for (guint i = 0; i < METERS; i++)
    {
      ppm_clock_virtual_advance_to(clock, ppm_meter_get_t0(meters[i]));
      ppm_meter_start(meters[i]);
    }
  media.timer = ppm_clock_add_timeout(clock, G_USEC_PER_SEC, feed_rtp, &media);
  ppm_clock_virtual_advance(clock, 2 * G_USEC_PER_SEC);
  heap_after = mallinfo2();
  rss_after = rss_bytes();

  cpu_start = cpu_seconds();
  platform.charges = 0;
  ppm_clock_virtual_advance(clock, (gint64)MINUTES * 60 * G_USEC_PER_SEC);
  cpu_used = cpu_seconds() - cpu_start;

  printf("meters: %d live, period %d s, %d simulated minutes\n", METERS, PERIOD_MS / 1000, MINUTES);
  printf("charge decisions: %" G_GUINT64_FORMAT "\n", platform.charges);
  printf("cpu per charge decision: %.2f us (includes the RTP reports of every call, once a "
         "second)\n",
         cpu_used * 1e6 / (double)platform.charges);
  printf("heap per live meter: %.0f bytes (mallinfo2)\n",
         (double)(heap_after.uordblks - heap_before.uordblks) / METERS);
  printf("rss per live meter: %.0f bytes (/proc/self/statm)\n",
         (double)(rss_after - rss_before) / METERS);

  /* The RTP reports on their own, to tell them apart from the decisions. */
  cpu_start = cpu_seconds();
  for (guint round = 0; round < RTP_ROUNDS; round++)
    for (guint i = 0; i < METERS; i++)
      ppm_meter_note_rtp(meters[i], ppm_clock_now_monotonic(clock) + round);
  cpu_used = cpu_seconds() - cpu_start;
  printf("cpu per RTP report: %.3f us\n", cpu_used * 1e6 / ((double)RTP_ROUNDS * METERS));
  ppm_clock_remove_timeout(clock, media.timer);
  for (guint i = 0; i < METERS; i++)
    ppm_meter_free(meters[i]);
  /* Lets the cancelled answers still on the clock go. */
  ppm_clock_virtual_advance(clock, G_USEC_PER_SEC);
  return 0;
}
