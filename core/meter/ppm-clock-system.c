/* The system clock: g_get_monotonic_time() and GSources with a ready time.
 *
 * A source with an absolute ready time (rather than g_timeout_add()'s
 * relative interval) wakes the main loop at the deadline itself, rounded up to
 * the poll's millisecond, so a timer fires within about a millisecond of its
 * deadline and errors never accumulate across timers.
 */
#include "ppm-clock-private.h"

typedef struct
{
  PpmClock parent;
  GMainContext *context;
} PpmSystemClock;

static gint64
system_now(PpmClock *clock)
{
  return g_get_monotonic_time();
}

static gboolean
deadline_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
  ((PpmClockFunc)(void (*)(void))callback)(user_data);
  return G_SOURCE_REMOVE;
}

static GSourceFuncs deadline_funcs = {
  .dispatch = deadline_dispatch,
};

static guint
system_add_timeout(PpmClock *clock, gint64 deadline_us, PpmClockFunc func, gpointer user_data)
{
  PpmSystemClock *self = (PpmSystemClock *)clock;
  g_autoptr(GSource) source = g_source_new(&deadline_funcs, sizeof(GSource));

  g_source_set_name(source, "ppm-clock deadline");
  g_source_set_ready_time(source, MAX(deadline_us, 0));
  g_source_set_callback(source, (GSourceFunc)(void (*)(void))func, user_data, NULL);
  return g_source_attach(source, self->context);
}

static void
system_remove_timeout(PpmClock *clock, guint id)
{
  PpmSystemClock *self = (PpmSystemClock *)clock;
  GSource *source = g_main_context_find_source_by_id(self->context, id);

  if (source != NULL)
    g_source_destroy(source);
}

static void
system_finalize(PpmClock *clock)
{
  PpmSystemClock *self = (PpmSystemClock *)clock;

  g_main_context_unref(self->context);
  g_free(self);
}

static const PpmClockClass system_class = {
  .now = system_now,
  .add_timeout = system_add_timeout,
  .remove_timeout = system_remove_timeout,
  .finalize = system_finalize,
};

PpmClock *
ppm_clock_system_new(GMainContext *context)
{
  PpmSystemClock *self = g_new0(PpmSystemClock, 1);

  ppm_clock_init(&self->parent, &system_class);
  self->context
      = context != NULL ? g_main_context_ref(context) : g_main_context_ref_thread_default();
  return &self->parent;
}
