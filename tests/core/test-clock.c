/* core/meter/ppm-clock: the virtual clock's order and the system clock. */
#include "ppm-clock.h"

typedef struct
{
  PpmClock *clock;
  GString *log;
} Recorder;

typedef struct
{
  Recorder *recorder;
  const char *name;
  gint64 expected_now;
  gint64 add_at; /* > 0: adds `child` at this deadline when fired */
  gpointer child;
} Mark;

static void
on_mark(gpointer data)
{
  Mark *mark = data;

  g_assert_cmpint(ppm_clock_now_monotonic(mark->recorder->clock), ==, mark->expected_now);
  g_string_append(mark->recorder->log, mark->name);
  if (mark->add_at > 0)
    ppm_clock_add_timeout(mark->recorder->clock, mark->add_at, on_mark, mark->child);
}

static void
test_virtual_order(void)
{
  g_autoptr(PpmClock) clock = ppm_clock_virtual_new(1000);
  g_autoptr(GString) log = g_string_new("");
  Recorder r = { clock, log };
  Mark late = { .recorder = &r, .name = "D", .expected_now = 1300 };
  Mark child = { .recorder = &r, .name = "c", .expected_now = 1150 };
  Mark b = { .recorder = &r, .name = "B", .expected_now = 1200 };
  Mark a1 = { .recorder = &r, .name = "A", .expected_now = 1100, .add_at = 1150, .child = &child };
  Mark a2 = { .recorder = &r, .name = "a", .expected_now = 1100 };
  Mark past = { .recorder = &r, .name = "P", .expected_now = 1000 };
  Mark beyond = { .recorder = &r, .name = "X", .expected_now = 5000 };

  ppm_clock_add_timeout(clock, 1300, on_mark, &late);
  ppm_clock_add_timeout(clock, 1200, on_mark, &b);
  ppm_clock_add_timeout(clock, 1100, on_mark, &a1);
  ppm_clock_add_timeout(clock, 1100, on_mark, &a2);
  ppm_clock_add_timeout(clock, 900, on_mark, &past);
  ppm_clock_add_timeout(clock, 5000, on_mark, &beyond);
  ppm_clock_virtual_advance(clock, 500);
  /* Deadline order, ties in order added, the child added during the
   * advance included; a deadline in the past fires at once. */
  g_assert_cmpstr(log->str, ==, "PAacBD");
  g_assert_cmpint(ppm_clock_now_monotonic(clock), ==, 1500);
  g_assert_cmpuint(ppm_clock_virtual_pending(clock), ==, 1);
}

static void
test_virtual_remove(void)
{
  g_autoptr(PpmClock) clock = ppm_clock_virtual_new(0);
  g_autoptr(GString) log = g_string_new("");
  Recorder r = { clock, log };
  Mark keep = { .recorder = &r, .name = "K", .expected_now = 20 };
  Mark drop = { .recorder = &r, .name = "D", .expected_now = 10 };
  guint id = ppm_clock_add_timeout(clock, 10, on_mark, &drop);

  ppm_clock_add_timeout(clock, 20, on_mark, &keep);
  ppm_clock_remove_timeout(clock, id);
  ppm_clock_remove_timeout(clock, id);
  ppm_clock_clear_timeout(clock, &id);
  g_assert_cmpuint(id, ==, 0);
  ppm_clock_virtual_advance(clock, 100);
  g_assert_cmpstr(log->str, ==, "K");
  g_assert_cmpint(ppm_clock_now_monotonic(clock), ==, 100);
}

static void
on_system_timer(gpointer data)
{
  gint64 *fired_at = data;

  *fired_at = g_get_monotonic_time();
}

static void
test_system_fires_at_deadline(void)
{
  g_autoptr(PpmClock) clock = ppm_clock_system_new(NULL);
  gint64 now = ppm_clock_now_monotonic(clock);
  gint64 deadline = now + 30 * 1000;
  gint64 fired_at = 0, removed_fired_at = 0;
  guint removed;

  /* The same time base as GLib's monotonic clock. */
  g_assert_cmpint(ABS(now - g_get_monotonic_time()), <, G_USEC_PER_SEC);
  ppm_clock_add_timeout(clock, deadline, on_system_timer, &fired_at);
  removed = ppm_clock_add_timeout(clock, now + 10 * 1000, on_system_timer, &removed_fired_at);
  ppm_clock_remove_timeout(clock, removed);
  while (fired_at == 0)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpint(fired_at, >=, deadline);
  g_assert_cmpint(removed_fired_at, ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  g_test_add_func("/clock/virtual-deadline-order", test_virtual_order);
  g_test_add_func("/clock/virtual-remove", test_virtual_remove);
  g_test_add_func("/clock/system-fires-at-deadline", test_system_fires_at_deadline);
  return g_test_run();
}
