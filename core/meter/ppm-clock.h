/* The clock the billing engine runs on: monotonic time in microseconds and
 * one-shot timers at absolute deadlines.
 *
 * Two implementations: the system clock (g_get_monotonic_time() and precise
 * ready-time sources on a GLib main context), and a virtual clock for tests
 * and benchmarks that only moves when told to.  Timers take an absolute
 * deadline so callers compute every due time from a fixed origin and never
 * chain one timer off the previous one: there is no drift.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PpmClock PpmClock;

/* A timer callback; the timer is already removed when it runs. */
typedef void (*PpmClockFunc)(gpointer user_data);

/* The system clock on `context` (NULL: the thread-default main context at the
 * time of the call).  Timers fire from that context, at or within a few
 * milliseconds after their deadline. */
PpmClock *ppm_clock_system_new(GMainContext *context);

/* A virtual clock whose time starts at `start_us` and changes only through
 * ppm_clock_virtual_advance(). */
PpmClock *ppm_clock_virtual_new(gint64 start_us);

PpmClock *ppm_clock_ref(PpmClock *clock);
void ppm_clock_unref(PpmClock *clock);

/* Monotonic time in microseconds (for the system clock, the same time base as
 * g_get_monotonic_time()). */
gint64 ppm_clock_now_monotonic(PpmClock *clock);

/* Calls `func(user_data)` once, as soon as the clock reaches `deadline_us` (a
 * deadline in the past fires at the next opportunity).  Returns a non-zero id
 * for ppm_clock_remove_timeout(). */
guint ppm_clock_add_timeout(PpmClock *clock, gint64 deadline_us, PpmClockFunc func,
                            gpointer user_data);

/* Cancels a timer that has not fired yet.  An id that already fired or was
 * removed is ignored; 0 is ignored. */
void ppm_clock_remove_timeout(PpmClock *clock, guint id);

/* Removes the timer *id points to, if any, and sets *id to 0. */
void ppm_clock_clear_timeout(PpmClock *clock, guint *id);

/* Virtual clock only: moves time forward by `delta_us` (>= 0), firing every
 * timer whose deadline is reached, in deadline order (ties in the order they
 * were added), with the clock reading each timer's own deadline while it
 * runs.  Timers added by callbacks during the advance fire too when their
 * deadline is within it.  Afterwards the clock reads start + delta_us. */
void ppm_clock_virtual_advance(PpmClock *clock, gint64 delta_us);

/* Virtual clock only: advance to the absolute time `when_us` (no-op if it is
 * not later than now). */
void ppm_clock_virtual_advance_to(PpmClock *clock, gint64 when_us);

/* Virtual clock only: how many timers are pending. */
guint ppm_clock_virtual_pending(PpmClock *clock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmClock, ppm_clock_unref)

G_END_DECLS
