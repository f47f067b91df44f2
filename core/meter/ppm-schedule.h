/* The arithmetic of the timeline (docs/billing-rules.md) and of retries, kept apart from the
 * meter's state so it can be checked on its own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The offset (docs/billing-rules.md#timeline) before the open answer says otherwise. */
#define PPM_DEFAULT_OFFSET_US (1 * G_USEC_PER_SEC)
/* The longest pause between two posts of one request. */
#define PPM_BACKOFF_MAX_US (15 * G_USEC_PER_SEC)

typedef struct
{
  gint64 t0_us;
  gint64 offset_us;
  gint64 period_us;
} PpmSchedule;

/* When charge `seq` is due: t0 + offset + seq·period. */
gint64 ppm_schedule_due(const PpmSchedule *schedule, gint64 seq);

/* How many charges are due at or before `at_us` (seq 0 .. n-1). */
gint64 ppm_schedule_due_count(const PpmSchedule *schedule, gint64 at_us);

/* The pause before post number `failures` + 1 of a request whose last
 * `failures` (>= 1) posts were not confirmed: 1 s doubling per failure up to
 * `cap_us`, minus up to a quarter of that for jitter (`random` in [0, 1)). */
gint64 ppm_schedule_backoff(int failures, gint64 cap_us, double random);

G_END_DECLS
