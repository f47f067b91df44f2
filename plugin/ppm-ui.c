#include "ppm-ui.h"

#include "ppm-i18n.h"
#include "ppm-pick.h"

static PurplePlugin *ui_plugin;
static const PpmUiOps *ui_ops;
/* Rating requests of the default dialog still open: at shutdown libpurple
 * closes the dialogs without calling back, so they count as declined then. */
static GSList *pending_ratings;

typedef struct
{
  PpmRatingDone done;
  gpointer user_data;
} RatingRequest;

typedef struct
{
  PpmMoreRequested more;
  gpointer more_data;
} MoreRequest;
static GSList *pending_more;

void
ppm_ui_init(PurplePlugin *plugin)
{
  ui_plugin = plugin;
  ui_ops = NULL;
}

static void
rating_declined(gpointer data)
{
  RatingRequest *request = data;
  /* The callback owns user_data: it frees it when no stars are given. */
  request->done(0, NULL, request->user_data);
  g_free(request);
}

void
ppm_ui_shutdown(void)
{
  purple_request_close_with_handle(ui_plugin);
  purple_notify_close_with_handle(ui_plugin);
  g_slist_free_full(g_steal_pointer(&pending_ratings), rating_declined);
  g_slist_free_full(g_steal_pointer(&pending_more), g_free);
  ui_ops = NULL;
  ui_plugin = NULL;
}

gboolean
ppm_ui_set_ops(const PpmUiOps *ops)
{
  if (ops != NULL && ops->version != PPM_UI_OPS_VERSION)
    {
      purple_debug_warning("ppm", "ui-ops version %d refused (want %d)\n", ops->version,
                           PPM_UI_OPS_VERSION);
      return FALSE;
    }
  ui_ops = ops;
  return TRUE;
}

void
ppm_ui_tracker_show(const PpmTrackerInfo *info)
{
  if (ui_ops != NULL && ui_ops->tracker_show != NULL)
    ui_ops->tracker_show(info);
  else
    purple_debug_info("ppm", "tracker %s: %s\n", info->call_id, info->member);
}

void
ppm_ui_tracker_update(const PpmTrackerInfo *info)
{
  if (ui_ops != NULL && ui_ops->tracker_update != NULL)
    ui_ops->tracker_update(info);
  else
    purple_debug_info(
        "ppm",
        "tracker %s: state %d, %" G_GINT64_FORMAT " ms, %" G_GINT64_FORMAT
        " minutes, rate %s, total %s, earnings %s, %s\n",
        info->call_id, info->state, info->elapsed_ms, info->minutes,
        info->rate != NULL ? info->rate : "-", info->total != NULL ? info->total : "-",
        info->earnings != NULL ? info->earnings : "-", info->reason != NULL ? info->reason : "-");
}

void
ppm_ui_tracker_hide(const char *call_id)
{
  if (ui_ops != NULL && ui_ops->tracker_hide != NULL)
    ui_ops->tracker_hide(call_id);
}

void
ppm_ui_incoming_call(const PpmBanner *banner)
{
  if (ui_ops != NULL && ui_ops->incoming_call != NULL)
    ui_ops->incoming_call(banner);
  else
    purple_notify_info(ui_plugin, _("Incoming call"), banner->text, NULL);
}

void
ppm_ui_incoming_call_done(const char *caller)
{
  if (ui_ops != NULL && ui_ops->incoming_call_done != NULL)
    ui_ops->incoming_call_done(caller);
}

static void
more_forget(gpointer data)
{
  pending_more = g_slist_remove(pending_more, data);
  g_free(data);
}

static void
more_closed(gpointer data, int action)
{
  more_forget(data);
}

static void
more_chosen(gpointer data, int action)
{
  MoreRequest *request = data;
  PpmMoreRequested more = request->more;
  gpointer more_data = request->more_data;
  more_forget(request);
  more(more_data);
}

void
ppm_ui_history_show(const char *title, const char *html, PpmMoreRequested more, gpointer more_data)
{
  if (ui_ops != NULL && ui_ops->history_show != NULL)
    {
      ui_ops->history_show(title, html, more, more_data);
      return;
    }
  purple_notify_formatted(ui_plugin, title, title, NULL, html, NULL, NULL);
  if (more == NULL)
    return;
  MoreRequest *request = g_new0(MoreRequest, 1);
  request->more = more;
  request->more_data = more_data;
  pending_more = g_slist_prepend(pending_more, request);
  purple_request_action(ui_plugin, title, _("Show older entries?"), NULL, 0, NULL, NULL, NULL,
                        request, 2, _("_More"), G_CALLBACK(more_chosen), _("_Close"),
                        G_CALLBACK(more_closed));
}

gboolean
ppm_ui_has_history_page(void)
{
  return ui_ops != NULL && ui_ops->history_page != NULL;
}

void
ppm_ui_history_page(const PpmHistoryPage *page, PpmHistoryMore more, gpointer more_data)
{
  if (ppm_ui_has_history_page())
    ui_ops->history_page(page, more, more_data);
}

void
ppm_ui_settings_show(void)
{
  if (ui_ops != NULL && ui_ops->settings_show != NULL)
    ui_ops->settings_show();
  else
    ppm_settings_dialog_show(ui_plugin);
}

static void
rating_finish(RatingRequest *request, int stars, const char *comment)
{
  pending_ratings = g_slist_remove(pending_ratings, request);
  request->done(stars, comment, request->user_data);
  g_free(request);
}

static void
rating_ok(RatingRequest *request, PurpleRequestFields *fields)
{
  int stars = GPOINTER_TO_INT(ppm_pick_get(fields, "stars"));
  const char *comment = purple_request_fields_get_string(fields, "comment");
  rating_finish(request, stars, comment != NULL && *comment != '\0' ? comment : NULL);
}

static void
rating_cancel(RatingRequest *request, PurpleRequestFields *fields)
{
  rating_finish(request, 0, NULL);
}

void
ppm_ui_rating_request(const char *title, PpmRatingDone done, gpointer user_data)
{
  if (ui_ops != NULL && ui_ops->rating_request != NULL)
    {
      ui_ops->rating_request(title, done, user_data);
      return;
    }
  RatingRequest *request = g_new0(RatingRequest, 1);
  request->done = done;
  request->user_data = user_data;
  pending_ratings = g_slist_prepend(pending_ratings, request);

  PurpleRequestFields *fields = purple_request_fields_new();
  PurpleRequestFieldGroup *group = purple_request_field_group_new(NULL);
  PurpleRequestField *stars = ppm_pick_new("stars", _("Stars"));
  static const char *const labels[] = { "★", "★★", "★★★", "★★★★", "★★★★★" };
  for (gsize i = 0; i < G_N_ELEMENTS(labels); i++)
    ppm_pick_add(stars, labels[i], GINT_TO_POINTER(i + 1), i + 1 == G_N_ELEMENTS(labels));
  purple_request_field_group_add_field(group, stars);
  purple_request_field_group_add_field(
      group, purple_request_field_string_new("comment", _("Comment (optional)"), NULL, TRUE));
  purple_request_fields_add_group(fields, group);
  purple_request_fields(ui_plugin, _("Rate the app"), title, NULL, fields, _("_Rate"),
                        G_CALLBACK(rating_ok), _("_No, thanks"), G_CALLBACK(rating_cancel), NULL,
                        NULL, NULL, request);
}
