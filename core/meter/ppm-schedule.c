/* Due times and backoff. */
#include "ppm-schedule.h"

gint64
ppm_schedule_due(const PpmSchedule *schedule, gint64 seq)
{
  return schedule->t0_us + schedule->offset_us + seq * schedule->period_us;
}

gint64
ppm_schedule_due_count(const PpmSchedule *schedule, gint64 at_us)
{
  gint64 since_first = at_us - schedule->t0_us - schedule->offset_us;

  if (since_first < 0)
    return 0;
  return since_first / schedule->period_us + 1;
}

gint64
ppm_schedule_backoff(int failures, gint64 cap_us, double random)
{
  gint64 base = G_USEC_PER_SEC;

  for (int i = 1; i < failures && base < cap_us; i++)
    base *= 2;
  base = MIN(base, cap_us);
  /* Jitter below the base keeps retries within the cap while spreading
   * clients that failed together. */
  return base - (gint64)(random * (double)(base / 4));
}
