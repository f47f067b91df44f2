/* The virtual clock: time moves only when a test or a benchmark says so.
 *
 * Pending timers sit in a sequence ordered by (deadline, id), so advancing
 * fires them in deadline order and, for equal deadlines, in the order they
 * were added; ids index them for removal.
 */
#include "ppm-clock-private.h"

typedef struct
{
  PpmClock parent;
  gint64 now;
  guint last_id;
  GSequence *timers; /* of Timer, owned */
  GHashTable *by_id; /* id -> GSequenceIter */
} PpmVirtualClock;

typedef struct
{
  gint64 deadline;
  guint id;
  PpmClockFunc func;
  gpointer user_data;
} Timer;

static gint
timer_compare(gconstpointer a, gconstpointer b, gpointer unused)
{
  const Timer *ta = a, *tb = b;

  if (ta->deadline != tb->deadline)
    return ta->deadline < tb->deadline ? -1 : 1;
  return ta->id < tb->id ? -1 : ta->id > tb->id;
}

static PpmVirtualClock *virtual_cast(PpmClock *clock);

static gint64
virtual_now(PpmClock *clock)
{
  return virtual_cast(clock)->now;
}

static guint
virtual_add_timeout(PpmClock *clock, gint64 deadline_us, PpmClockFunc func, gpointer user_data)
{
  PpmVirtualClock *self = virtual_cast(clock);
  Timer *timer = g_new(Timer, 1);
  GSequenceIter *iter;

  /* Ids wrap after 2^32 timers; 0 stays reserved. */
  if (++self->last_id == 0)
    self->last_id = 1;
  *timer = (Timer){ deadline_us, self->last_id, func, user_data };
  iter = g_sequence_insert_sorted(self->timers, timer, timer_compare, NULL);
  g_hash_table_insert(self->by_id, GUINT_TO_POINTER(timer->id), iter);
  return timer->id;
}

static void
virtual_remove_timeout(PpmClock *clock, guint id)
{
  PpmVirtualClock *self = virtual_cast(clock);
  GSequenceIter *iter = g_hash_table_lookup(self->by_id, GUINT_TO_POINTER(id));

  if (iter == NULL)
    return;
  g_hash_table_remove(self->by_id, GUINT_TO_POINTER(id));
  g_sequence_remove(iter);
}

static void
virtual_finalize(PpmClock *clock)
{
  PpmVirtualClock *self = virtual_cast(clock);

  g_hash_table_unref(self->by_id);
  g_sequence_free(self->timers);
  g_free(self);
}

static const PpmClockClass virtual_class = {
  .now = virtual_now,
  .add_timeout = virtual_add_timeout,
  .remove_timeout = virtual_remove_timeout,
  .finalize = virtual_finalize,
};

static PpmVirtualClock *
virtual_cast(PpmClock *clock)
{
  g_return_val_if_fail(clock->klass == &virtual_class, NULL);
  return (PpmVirtualClock *)clock;
}

PpmClock *
ppm_clock_virtual_new(gint64 start_us)
{
  PpmVirtualClock *self = g_new0(PpmVirtualClock, 1);

  ppm_clock_init(&self->parent, &virtual_class);
  self->now = start_us;
  self->timers = g_sequence_new(g_free);
  self->by_id = g_hash_table_new(NULL, NULL);
  return &self->parent;
}

void
ppm_clock_virtual_advance_to(PpmClock *clock, gint64 when_us)
{
  PpmVirtualClock *self = virtual_cast(clock);

  g_return_if_fail(self != NULL);
  /* Re-read the first timer after each callback: callbacks add and remove
   * timers. */
  for (;;)
    {
      GSequenceIter *first = g_sequence_get_begin_iter(self->timers);
      Timer timer;

      if (g_sequence_iter_is_end(first))
        break;
      timer = *(Timer *)g_sequence_get(first);
      if (timer.deadline > when_us)
        break;
      g_hash_table_remove(self->by_id, GUINT_TO_POINTER(timer.id));
      g_sequence_remove(first);
      self->now = MAX(self->now, timer.deadline);
      timer.func(timer.user_data);
    }
  self->now = MAX(self->now, when_us);
}

void
ppm_clock_virtual_advance(PpmClock *clock, gint64 delta_us)
{
  g_return_if_fail(delta_us >= 0);
  ppm_clock_virtual_advance_to(clock, ppm_clock_now_monotonic(clock) + delta_us);
}

guint
ppm_clock_virtual_pending(PpmClock *clock)
{
  PpmVirtualClock *self = virtual_cast(clock);

  g_return_val_if_fail(self != NULL, 0);
  return (guint)g_sequence_get_length(self->timers);
}
