/* The system clock on the real main loop: a short billing schedule keeps its
 * due instants whatever the wall clock says.  Meson also runs this program
 * under faketime with the wall clock an hour ahead and an hour behind
 * (PPM_TEST_WALL_SHIFT says by how many seconds, to check the shift took
 * effect). */
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ppm-meter.h"

#define PERIOD_MS 200
#define OFFSET_MS 100
#define CHARGES 3

typedef struct
{
  GMainLoop *loop;
  gint64 posted[CHARGES];
  guint charges;
  gboolean closed;
} Platform;

/* A trivial platform that answers every request at once, from an idle. */
typedef struct
{
  Platform *platform;
  PpmOutcome outcome;
  PpmOpenAnswer open;
  PpmChargeAnswer charge;
  PpmCloseAnswer close;
  PpmOpenDone open_done;
  PpmChargeDone charge_done;
  PpmCloseDone close_done;
  gpointer user_data;
} Answer;

static gboolean
answer_now(gpointer data)
{
  Answer *a = data;

  if (a->open_done != NULL)
    a->open_done(&a->outcome, &a->open, a->user_data);
  else if (a->charge_done != NULL)
    a->charge_done(&a->outcome, &a->charge, a->user_data);
  else
    a->close_done(&a->outcome, &a->close, a->user_data);
  return G_SOURCE_REMOVE;
}

static Answer *
answer_new(Platform *platform, gpointer user_data)
{
  Answer *a = g_new0(Answer, 1);

  a->platform = platform;
  a->outcome.kind = PPM_OUTCOME_OK;
  a->outcome.http_status = 201;
  a->user_data = user_data;
  g_idle_add_full(G_PRIORITY_DEFAULT, answer_now, a, g_free);
  return a;
}

static void
platform_open(gpointer self, const PpmOpenRequest *request, GCancellable *cancellable,
              PpmOpenDone done, gpointer user_data)
{
  Answer *a = answer_new(self, user_data);

  a->open = (PpmOpenAnswer){ "s", 200, "USD", PERIOD_MS, OFFSET_MS, 2000, "Member", 2 };
  a->open_done = done;
}

static void
platform_charge(gpointer self, const char *session_id, gint64 seq, gint64 elapsed_ms,
                GCancellable *cancellable, PpmChargeDone done, gpointer user_data)
{
  Platform *platform = self;
  Answer *a = answer_new(platform, user_data);

  g_assert_cmpint(seq, ==, platform->charges);
  g_assert_cmpint(seq, <, CHARGES);
  platform->posted[platform->charges++] = g_get_monotonic_time();
  a->charge = (PpmChargeAnswer){ seq, 200, (seq + 1) * 200, "USD", 2, 10 };
  a->charge_done = done;
}

static void
platform_close(gpointer self, const char *session_id, const char *reason, gint64 elapsed_ms,
               GCancellable *cancellable, PpmCloseDone done, gpointer user_data)
{
  Answer *a = answer_new(self, user_data);

  a->close = (PpmCloseAnswer){ "s", CHARGES, CHARGES * 200, 0, "USD", elapsed_ms, "" };
  a->close_done = done;
}

static const PpmPortOps platform_ops = { platform_open, platform_charge, platform_close };

static void
on_charged(PpmMeter *meter, const PpmChargeAnswer *answer, gint64 seq, gpointer data)
{
  /* End just after the last charge fell due: exactly CHARGES are owed. */
  if (seq == CHARGES - 1)
    ppm_meter_end(meter, PPM_END_LOCAL_HANGUP, g_get_monotonic_time());
}

static void
on_closed(PpmMeter *meter, const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer data)
{
  Platform *platform = data;

  platform->closed = TRUE;
  g_main_loop_quit(platform->loop);
}

/* The kernel's wall clock, which faketime does not touch: a new file's mtime. */
static gint64
kernel_wall_seconds(void)
{
  g_autofree char *path = NULL;
  GStatBuf st;
  int fd = g_file_open_tmp("ppm-wall-XXXXXX", &path, NULL);

  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_close(fd, NULL);
  g_unlink(path);
  return st.st_mtime;
}

static void
test_wall_shift_took_effect(void)
{
  const char *shift = g_getenv("PPM_TEST_WALL_SHIFT");
  gint64 seen;

  if (shift == NULL)
    {
      g_test_skip("not run under faketime");
      return;
    }
  seen = g_get_real_time() / G_USEC_PER_SEC - kernel_wall_seconds();
  g_assert_cmpint(ABS(seen - g_ascii_strtoll(shift, NULL, 10)), <=, 5);
}

static void
test_due_instants(void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  g_autoptr(PpmClock) clock = ppm_clock_system_new(NULL);
  Platform platform = { .loop = loop };
  PpmPort port = { &platform_ops, &platform };
  PpmMeterEvents events = { .charged = on_charged, .closed = on_closed };
  PpmMeterConfig config = {
    .protocol = "prpl-jabber",
    .model_handle = "model",
    .member_handle = "member",
    .t0_us = ppm_clock_now_monotonic(clock),
  };
  g_autoptr(PpmMeter) meter = ppm_meter_new(clock, &port, &config, &events, &platform);

  ppm_meter_start(meter);
  g_main_loop_run(loop);
  g_assert_true(platform.closed);
  g_assert_cmpuint(platform.charges, ==, CHARGES);
  for (guint k = 0; k < CHARGES; k++)
    {
      gint64 due = config.t0_us + (OFFSET_MS + k * PERIOD_MS) * 1000;

      g_test_message("charge %u posted %" G_GINT64_FORMAT " us after its due time", k,
                     platform.posted[k] - due);
      /* Never early; late only by scheduling noise, far from an hour. */
      g_assert_cmpint(platform.posted[k], >=, due);
      g_assert_cmpint(platform.posted[k], <, due + PERIOD_MS * 1000);
    }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  g_test_add_func("/clock/wall-shift-took-effect", test_wall_shift_took_effect);
  g_test_add_func("/clock/system-due-instants", test_due_instants);
  return g_test_run();
}
