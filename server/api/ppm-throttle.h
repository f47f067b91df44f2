/* A sliding-window count of events per key, in this process's memory: at
 * most `max_events` events of one key within `window_s` seconds.  Safe to use
 * from any thread.  With several server processes each counts its own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PpmThrottle PpmThrottle;

PpmThrottle *ppm_throttle_new(guint max_events, gint64 window_s);
void ppm_throttle_free(PpmThrottle *throttle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmThrottle, ppm_throttle_free)

/* Counts an event of `key` at `now_ms`; FALSE (and nothing counted) when
 * `max_events` are already in the window, with *retry_after_s the seconds
 * until the oldest of them leaves it (at least 1). */
gboolean ppm_throttle_take(PpmThrottle *throttle, const char *key, gint64 now_ms,
                           gint64 *retry_after_s);

G_END_DECLS
