/* What a clock implementation provides behind PpmClock. */
#pragma once

#include "ppm-clock.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 (*now)(PpmClock *clock);
  guint (*add_timeout)(PpmClock *clock, gint64 deadline_us, PpmClockFunc func, gpointer user_data);
  void (*remove_timeout)(PpmClock *clock, guint id);
  void (*finalize)(PpmClock *clock);
} PpmClockClass;

struct _PpmClock
{
  const PpmClockClass *klass;
  gint ref_count;
};

/* Sets up the common part of a freshly allocated clock. */
void ppm_clock_init(PpmClock *clock, const PpmClockClass *klass);

G_END_DECLS
