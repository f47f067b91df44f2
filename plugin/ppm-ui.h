/* Dispatch to the installed PpmUiOps (ppm-ui-ops.h) or to the libpurple
 * defaults.  The plugin calls these, never the table directly. */
#pragma once

#include "ppm-ui-ops.h"

#include <purple.h>

G_BEGIN_DECLS

/* `plugin` is the handle passed to purple_notify/purple_request. */
void ppm_ui_init(PurplePlugin *plugin);
/* Closes the default dialogs still open and forgets the installed table. */
void ppm_ui_shutdown(void);

/* FALSE when `ops` has another version (then the table is not installed). */
gboolean ppm_ui_set_ops(const PpmUiOps *ops);

void ppm_ui_tracker_show(const PpmTrackerInfo *info);
void ppm_ui_tracker_update(const PpmTrackerInfo *info);
void ppm_ui_tracker_hide(const char *call_id);
void ppm_ui_incoming_call(const PpmBanner *banner);
void ppm_ui_incoming_call_done(const char *caller);
void ppm_ui_history_show(const char *title, const char *html, PpmMoreRequested more,
                         gpointer more_data);
/* Whether the installed table shows the history as a list (history_page);
 * otherwise ppm_ui_history_show() shows it as HTML. */
gboolean ppm_ui_has_history_page(void);
void ppm_ui_history_page(const PpmHistoryPage *page, PpmHistoryMore more, gpointer more_data);
void ppm_ui_settings_show(void);
void ppm_ui_rating_request(const char *title, PpmRatingDone done, gpointer user_data);

/* The default settings dialog, also for a UI that installs no settings op. */
void ppm_settings_dialog_show(PurplePlugin *plugin);
/* The same preferences for Configure Plugin in the plugin list (any UI). */
PurplePluginPrefFrame *ppm_settings_pref_frame(PurplePlugin *plugin);

G_END_DECLS
