#include "ppm-throttle.h"

struct _PpmThrottle
{
  guint max_events;
  gint64 window_ms;
  GMutex lock;
  GHashTable *events; /* key → GQueue of event times (ms), oldest first */
  gint64 swept_ms;    /* when keys with no event left in the window were dropped */
};

static void
times_free(gpointer data)
{
  g_queue_free_full(data, g_free);
}

PpmThrottle *
ppm_throttle_new(guint max_events, gint64 window_s)
{
  PpmThrottle *throttle = g_new0(PpmThrottle, 1);

  throttle->max_events = max_events;
  throttle->window_ms = window_s * 1000;
  g_mutex_init(&throttle->lock);
  throttle->events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, times_free);
  return throttle;
}

void
ppm_throttle_free(PpmThrottle *throttle)
{
  g_hash_table_unref(throttle->events);
  g_mutex_clear(&throttle->lock);
  g_free(throttle);
}

/* Drops the times of `times` that left the window; TRUE when none is left. */
static gboolean
times_expire(GQueue *times, gint64 now_ms, gint64 window_ms)
{
  while (!g_queue_is_empty(times) && *(gint64 *)g_queue_peek_head(times) <= now_ms - window_ms)
    g_free(g_queue_pop_head(times));
  return g_queue_is_empty(times);
}

/* Once a window: keys that only had old events go, so memory follows the
 * keys seen within the last window, not all keys ever seen. */
static void
sweep(PpmThrottle *throttle, gint64 now_ms)
{
  GHashTableIter iter;
  gpointer times;

  if (now_ms - throttle->swept_ms < throttle->window_ms)
    return;
  throttle->swept_ms = now_ms;
  g_hash_table_iter_init(&iter, throttle->events);
  while (g_hash_table_iter_next(&iter, NULL, &times))
    if (times_expire(times, now_ms, throttle->window_ms))
      g_hash_table_iter_remove(&iter);
}

gboolean
ppm_throttle_take(PpmThrottle *throttle, const char *key, gint64 now_ms, gint64 *retry_after_s)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&throttle->lock);
  GQueue *times;

  sweep(throttle, now_ms);
  times = g_hash_table_lookup(throttle->events, key);
  if (times == NULL)
    {
      times = g_queue_new();
      g_hash_table_insert(throttle->events, g_strdup(key), times);
    }
  times_expire(times, now_ms, throttle->window_ms);
  if (g_queue_get_length(times) >= throttle->max_events)
    {
      gint64 oldest = *(gint64 *)g_queue_peek_head(times);

      *retry_after_s = MAX(1, (oldest + throttle->window_ms - now_ms + 999) / 1000);
      return FALSE;
    }
  g_queue_push_tail(times, g_memdup2(&now_ms, sizeof now_ms));
  return TRUE;
}
