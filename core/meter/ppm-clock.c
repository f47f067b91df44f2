/* PpmClock: dispatch to the implementation, reference counting. */
#include "ppm-clock-private.h"

void
ppm_clock_init(PpmClock *clock, const PpmClockClass *klass)
{
  clock->klass = klass;
  clock->ref_count = 1;
}

PpmClock *
ppm_clock_ref(PpmClock *clock)
{
  g_atomic_int_inc(&clock->ref_count);
  return clock;
}

void
ppm_clock_unref(PpmClock *clock)
{
  if (clock != NULL && g_atomic_int_dec_and_test(&clock->ref_count))
    clock->klass->finalize(clock);
}

gint64
ppm_clock_now_monotonic(PpmClock *clock)
{
  return clock->klass->now(clock);
}

guint
ppm_clock_add_timeout(PpmClock *clock, gint64 deadline_us, PpmClockFunc func, gpointer user_data)
{
  g_return_val_if_fail(func != NULL, 0);
  return clock->klass->add_timeout(clock, deadline_us, func, user_data);
}

void
ppm_clock_remove_timeout(PpmClock *clock, guint id)
{
  if (id != 0)
    clock->klass->remove_timeout(clock, id);
}

void
ppm_clock_clear_timeout(PpmClock *clock, guint *id)
{
  guint old = *id;

  *id = 0;
  ppm_clock_remove_timeout(clock, old);
}
