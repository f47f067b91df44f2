/* gtk-ppm: the Pidgin face of core-ppm.  At load it hands core-ppm a table of
 * GTK windows through plugin IPC (and lends it to other plugins through its
 * own); at unload it gives the defaults back. */
#include "ppm-gtk-core.h"
#include "ppm-gtk-ipc.h"
#include "ppm-gtk-prefs.h"
#include "ppm-gtk-settings.h"
#include "ppm-gtk-ui.h"
#include "ppm-plugin-info.h"

#include <glib/gi18n-lib.h>
#include <pidgin/gtkblist.h>
#include <pidgin/gtkplugin.h>
#include <libpurple/debug.h>
#include <libpurple/signals.h>
#include <libpurple/version.h>

/* Pidgin builds the Tools menu's plugin actions when a plugin loads;
 * core-ppm's actions depend on its state (Sign in… or Sign out). */
static void
ppm_gtk_plugin_core_status_changed(gpointer data)
{
  pidgin_blist_update_plugin_actions();
}

static gpointer
ppm_gtk_plugin_get_ui_ops(gpointer unused, gpointer data)
{
  return (gpointer)ppm_gtk_ui_ops();
}

static gboolean
ppm_gtk_plugin_load(PurplePlugin *plugin)
{
  ppm_gtk_prefs_init();
  if (!ppm_gtk_core_set_ui_ops(ppm_gtk_ui_ops()))
    {
      purple_debug_error("gtk-ppm", "core-ppm refused the GTK windows\n");
      return FALSE;
    }
  purple_signal_connect(purple_plugins_find_with_id(PPM_PLUGIN_ID), "ppm-status-changed", plugin,
                        PURPLE_CALLBACK(ppm_gtk_plugin_core_status_changed), NULL);
  purple_plugin_ipc_register(
      plugin, PPM_GTK_IPC_GET_UI_OPS, PURPLE_CALLBACK(ppm_gtk_plugin_get_ui_ops),
      purple_marshal_POINTER__POINTER, purple_value_new(PURPLE_TYPE_POINTER), 0);
  return TRUE;
}

static gboolean
ppm_gtk_plugin_unload(PurplePlugin *plugin)
{
  purple_signals_disconnect_by_handle(plugin);
  purple_plugin_ipc_unregister_all(plugin);
  ppm_gtk_core_set_ui_ops(NULL);
  /* The windows first: a rating dialog still open answers its caller. */
  ppm_gtk_ui_close_all();
  return TRUE;
}

static GtkWidget *
ppm_gtk_plugin_config_frame(PurplePlugin *plugin)
{
  return ppm_gtk_settings_config_frame();
}

static PidginPluginUiInfo ui_info = {
  .get_config_frame = ppm_gtk_plugin_config_frame,
};

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .ui_requirement = PIDGIN_PLUGIN_TYPE,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = PPM_GTK_PLUGIN_ID,
  .name = N_("Pay per minute (Pidgin windows)"),
  .version = PPM_VERSION,
  .summary = N_("Call tracker, incoming-call banner, settings and rating windows"),
  .description = N_("Shows pay-per-minute billing in Pidgin: a tracker for every billed call, "
                    "who is calling before you answer, the settings and a rating dialog."),
  .author = "purple-ppm",
  .homepage = PPM_HOMEPAGE,
  .load = ppm_gtk_plugin_load,
  .unload = ppm_gtk_plugin_unload,
  .ui_info = &ui_info,
};

static void
ppm_gtk_plugin_init(PurplePlugin *plugin)
{
  ppm_plugin_info_translate(&info);
  info.dependencies = g_list_append(NULL, (gpointer)PPM_PLUGIN_ID);
}

PURPLE_INIT_PLUGIN(gtk_ppm, ppm_gtk_plugin_init, info)
