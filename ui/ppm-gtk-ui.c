#include "ppm-gtk-ui.h"

#include "ppm-gtk-banner.h"
#include "ppm-gtk-history.h"
#include "ppm-gtk-rating.h"
#include "ppm-gtk-settings.h"
#include "ppm-gtk-tracker.h"

/* A tracker stays this long after core-ppm hid it (its call ended), so the
 * model can read what the call came to. */
#define PPM_GTK_UI_ENDED_LINGER_S 10

/* call id -> PpmGtkTracker, caller -> PpmGtkBanner */
static GHashTable *trackers;
static GHashTable *banners;

typedef struct
{
  PpmGtkTracker *tracker;
  guint source_id;
} PpmGtkLinger;

/* Ended trackers waiting to close. */
static GSList *lingering;

static void
ppm_gtk_ui_linger_free(PpmGtkLinger *linger)
{
  ppm_gtk_tracker_free(linger->tracker);
  g_free(linger);
}

static gboolean
ppm_gtk_ui_linger_done(gpointer data)
{
  lingering = g_slist_remove(lingering, data);
  ppm_gtk_ui_linger_free(data);
  return G_SOURCE_REMOVE;
}

static PpmGtkTrackState
ppm_gtk_ui_state(PpmTrackerState state)
{
  switch (state)
    {
      case PPM_TRACKER_OPENING:
        return PPM_GTK_TRACK_OPENING;
      case PPM_TRACKER_CHARGING:
        return PPM_GTK_TRACK_CHARGING;
      case PPM_TRACKER_NOT_CHARGING:
        return PPM_GTK_TRACK_NOT_CHARGING;
      case PPM_TRACKER_UNBILLED:
        return PPM_GTK_TRACK_UNBILLED;
      case PPM_TRACKER_ENDED:
      default:
        return PPM_GTK_TRACK_ENDED;
    }
}

static PpmGtkTracker *
ppm_gtk_ui_tracker(const char *call_id)
{
  if (trackers == NULL)
    trackers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)ppm_gtk_tracker_free);
  PpmGtkTracker *tracker = g_hash_table_lookup(trackers, call_id);
  if (tracker == NULL)
    {
      tracker = ppm_gtk_tracker_new();
      g_hash_table_insert(trackers, g_strdup(call_id), tracker);
    }
  return tracker;
}

static void
ppm_gtk_ui_tracker_update(const PpmTrackerInfo *info)
{
  PpmGtkTrackerData data = {
    .caller_name = info->member,
    .caller_status = info->caller_status,
    .state = ppm_gtk_ui_state(info->state),
    .secured_minutes = info->secured,
    .reason = info->reason,
    .detail = info->line,
    .elapsed_ms = info->elapsed_ms,
    .rate = info->rate,
    .minutes_charged = info->minutes,
    .total = info->total,
    .earnings = info->earnings,
  };
  ppm_gtk_tracker_update(ppm_gtk_ui_tracker(info->call_id), &data);
}

static void
ppm_gtk_ui_tracker_show(const PpmTrackerInfo *info)
{
  ppm_gtk_ui_tracker_update(info);
  ppm_gtk_tracker_present(ppm_gtk_ui_tracker(info->call_id));
}

static void
ppm_gtk_ui_tracker_hide(const char *call_id)
{
  gpointer key, tracker;
  if (trackers == NULL || !g_hash_table_steal_extended(trackers, call_id, &key, &tracker))
    return;
  g_free(key);
  /* core-ppm hides the tracker once the call's session is closed. */
  ppm_gtk_tracker_end(tracker);
  PpmGtkLinger *linger = g_new0(PpmGtkLinger, 1);
  linger->tracker = tracker;
  linger->source_id
      = g_timeout_add_seconds(PPM_GTK_UI_ENDED_LINGER_S, ppm_gtk_ui_linger_done, linger);
  lingering = g_slist_prepend(lingering, linger);
}

static void
ppm_gtk_ui_incoming_call(const PpmBanner *banner)
{
  if (banners == NULL)
    banners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)ppm_gtk_banner_free);
  PpmGtkBanner *window = g_hash_table_lookup(banners, banner->caller);
  if (window == NULL)
    {
      window = ppm_gtk_banner_new();
      g_hash_table_insert(banners, g_strdup(banner->caller), window);
    }
  ppm_gtk_banner_show(window, banner);
}

static void
ppm_gtk_ui_incoming_call_done(const char *caller)
{
  if (banners != NULL)
    g_hash_table_remove(banners, caller);
}

/* The history window and how to ask core-ppm for its pages. */
static PpmGtkHistory *history;
static PpmHistoryMore history_more;
static gpointer history_more_data;
/* Set while core-ppm's newest page (re)fills the window: the window's own
 * request for it is already answered. */
static gboolean history_filling;

static void
ppm_gtk_ui_history_load(PpmGtkHistory *window, const char *before, gpointer data)
{
  if (!history_filling && history_more != NULL)
    history_more(before, history_more_data);
}

static void
ppm_gtk_ui_history_destroyed(GtkWidget *widget, gpointer data)
{
  history = NULL;
}

static void
ppm_gtk_ui_history_page(const PpmHistoryPage *page, PpmHistoryMore more, gpointer more_data)
{
  history_more = more;
  history_more_data = more_data;
  history_filling = TRUE;
  if (history == NULL)
    {
      history = ppm_gtk_history_new(ppm_gtk_ui_history_load, NULL);
      g_signal_connect(ppm_gtk_history_get_window(history), "destroy",
                       G_CALLBACK(ppm_gtk_ui_history_destroyed), NULL);
    }
  else if (page->before == NULL)
    ppm_gtk_history_refresh(history);
  history_filling = FALSE;
  if (page->balance != NULL)
    ppm_gtk_history_set_balance(history, page->balance);
  if (page->error != NULL)
    {
      ppm_gtk_history_fail(history, page->error);
      return;
    }
  /* The list's rows are the table's, member for member. */
  g_autofree PpmGtkHistoryRow *rows = g_new0(PpmGtkHistoryRow, page->n_rows);
  for (gsize i = 0; i < page->n_rows; i++)
    rows[i] = (PpmGtkHistoryRow){ page->rows[i].time, page->rows[i].kind, page->rows[i].amount,
                                  page->rows[i].balance_after, page->rows[i].counterparty };
  ppm_gtk_history_add_page(history, rows, page->n_rows, page->next_before);
  if (page->before == NULL)
    gtk_window_present(GTK_WINDOW(ppm_gtk_history_get_window(history)));
}

static void
ppm_gtk_ui_settings_show(void)
{
  ppm_gtk_settings_show();
}

static void
ppm_gtk_ui_rating_request(const char *title, PpmRatingDone done, gpointer user_data)
{
  ppm_gtk_rating_open(title, done, user_data);
}

static const PpmUiOps ops = {
  .version = PPM_UI_OPS_VERSION,
  .tracker_show = ppm_gtk_ui_tracker_show,
  .tracker_update = ppm_gtk_ui_tracker_update,
  .tracker_hide = ppm_gtk_ui_tracker_hide,
  .incoming_call = ppm_gtk_ui_incoming_call,
  .incoming_call_done = ppm_gtk_ui_incoming_call_done,
  /* history_show stays core-ppm's HTML: history_page replaces it. */
  .history_page = ppm_gtk_ui_history_page,
  .settings_show = ppm_gtk_ui_settings_show,
  .rating_request = ppm_gtk_ui_rating_request,
};

const PpmUiOps *
ppm_gtk_ui_ops(void)
{
  return &ops;
}

void
ppm_gtk_ui_close_all(void)
{
  g_clear_pointer(&trackers, g_hash_table_destroy);
  for (GSList *l = lingering; l != NULL; l = l->next)
    {
      PpmGtkLinger *linger = l->data;
      g_source_remove(linger->source_id);
      ppm_gtk_ui_linger_free(linger);
    }
  g_clear_pointer(&lingering, g_slist_free);
  g_clear_pointer(&banners, g_hash_table_destroy);
  if (history != NULL)
    ppm_gtk_history_close(history);
  history_more = NULL;
  ppm_gtk_settings_close();
  ppm_gtk_rating_close_all();
}
