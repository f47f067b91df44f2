#include "ppm-actions.h"

#include "ppm-i18n.h"
#include "ppm-link.h"
#include "ppm-platform.h"
#include "ppm-ui.h"

static void
action_sign_in(PurplePluginAction *action)
{
  ppm_platform_sign_in_dialog();
}

static void
action_sign_out(PurplePluginAction *action)
{
  ppm_platform_sign_out();
}

static void
action_settings(PurplePluginAction *action)
{
  ppm_ui_settings_show();
}

static void
action_history(PurplePluginAction *action)
{
  ppm_platform_show_history();
}

static void
action_link(PurplePluginAction *action)
{
  ppm_link_offer(action->plugin, TRUE);
}

/* The status named the accounts to link, so "Link" asks no more unless there
 * are several. */
static void
status_link(gpointer data, int index)
{
  ppm_link_offer(data, FALSE);
}

static void
action_status(PurplePluginAction *action)
{
  g_autofree char *text = ppm_platform_status_text();
  const char *title = ppm_platform_is_connected() ? _("Connected") : _("Not connected");
  if (ppm_link_can_offer())
    purple_request_action(action->plugin, _("Pay per minute"), title, text, 0, NULL, NULL, NULL,
                          action->plugin, 2, _("_Link"), G_CALLBACK(status_link), _("_Close"),
                          NULL);
  else
    purple_notify_info(action->plugin, _("Pay per minute"), title, text);
}

static void
app_rated(int stars, const char *comment, gpointer user_data)
{
  if (stars >= 1 && stars <= 5)
    ppm_platform_rate_app(stars, comment, NULL);
}

static void
action_rate_app(PurplePluginAction *action)
{
  ppm_ui_rating_request(_("How do you like the pay-per-minute plugin?"), app_rated, NULL);
}

GList *
ppm_actions_list(PurplePlugin *plugin, gpointer context)
{
  GList *list = NULL;
  if (ppm_platform_is_signed_in())
    list = g_list_append(list, purple_plugin_action_new(_("Sign out"), action_sign_out));
  else
    list = g_list_append(list, purple_plugin_action_new(_("Sign in…"), action_sign_in));
  list = g_list_append(list, purple_plugin_action_new(_("Settings"), action_settings));
  list = g_list_append(list, purple_plugin_action_new(_("Payment history"), action_history));
  list = g_list_append(list, purple_plugin_action_new(_("Status"), action_status));
  list = g_list_append(list, purple_plugin_action_new(_("Link IM account…"), action_link));
  list = g_list_append(list, purple_plugin_action_new(_("Rate the app"), action_rate_app));
  return list;
}
