/* core-ppm: pay-per-minute billing of libpurple voice and video calls.
 * The plugin's entry points: probe, load, unload, actions and IPC. */
#include "ppm-actions.h"
#include "ppm-calls.h"
#include "ppm-i18n.h"
#include "ppm-journal-hook.h"
#include "ppm-log.h"
#include "ppm-platform.h"
#include "ppm-plugin-info.h"
#include "ppm-prefs.h"
#include "ppm-ui.h"

#include <purple.h>

/* Each has the signature its libpurple marshaller calls: the arguments, then
 * the registration's data; commands without arguments get an unused one. */
static void
ipc_set_ui_ops(const PpmUiOps *ops, gpointer data)
{
  /* Answers for the previous UI must not reach it: it may be unloading. */
  ppm_platform_sign_in_forget_ui();
  ppm_ui_set_ops(ops);
}

static char *
ipc_get_status(gpointer unused, gpointer data)
{
  return ppm_platform_status_text();
}

static gpointer
ipc_is_connected(gpointer unused, gpointer data)
{
  return GINT_TO_POINTER(ppm_platform_is_connected());
}

static void
ipc_set_rate(const char *amount, gpointer data)
{
  ppm_platform_set_rate(amount);
}

static char *
ipc_get_rate(gpointer unused, gpointer data)
{
  return ppm_platform_rate_text();
}

static void
ipc_sign_in(const PpmSignInRequest *request, gpointer data)
{
  ppm_platform_sign_in_for_ui(request);
}

static void
ipc_sign_out(gpointer data)
{
  ppm_platform_sign_out();
}

static void
register_ipc(PurplePlugin *plugin)
{
  purple_plugin_ipc_register(plugin, PPM_IPC_SET_UI_OPS, PURPLE_CALLBACK(ipc_set_ui_ops),
                             purple_marshal_VOID__POINTER, NULL, 1,
                             purple_value_new(PURPLE_TYPE_POINTER));
  purple_plugin_ipc_register(plugin, PPM_IPC_GET_STATUS, PURPLE_CALLBACK(ipc_get_status),
                             purple_marshal_POINTER__POINTER, purple_value_new(PURPLE_TYPE_STRING),
                             0);
  purple_plugin_ipc_register(plugin, PPM_IPC_IS_CONNECTED, PURPLE_CALLBACK(ipc_is_connected),
                             purple_marshal_POINTER__POINTER, purple_value_new(PURPLE_TYPE_POINTER),
                             0);
  purple_plugin_ipc_register(plugin, PPM_IPC_SET_RATE, PURPLE_CALLBACK(ipc_set_rate),
                             purple_marshal_VOID__POINTER, NULL, 1,
                             purple_value_new(PURPLE_TYPE_STRING));
  purple_plugin_ipc_register(plugin, PPM_IPC_GET_RATE, PURPLE_CALLBACK(ipc_get_rate),
                             purple_marshal_POINTER__POINTER, purple_value_new(PURPLE_TYPE_STRING),
                             0);
  purple_plugin_ipc_register(plugin, PPM_IPC_SIGN_IN, PURPLE_CALLBACK(ipc_sign_in),
                             purple_marshal_VOID__POINTER, NULL, 1,
                             purple_value_new(PURPLE_TYPE_POINTER));
  purple_plugin_ipc_register(plugin, PPM_IPC_SIGN_OUT, PURPLE_CALLBACK(ipc_sign_out),
                             purple_marshal_VOID, NULL, 0);
}

/* core/'s messages go to libpurple's debug log (Pidgin's Debug window),
 * under core/'s domain (ppm-journal, ppm-meter, ...). */
static void
on_core_log(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    purple_debug_error(domain, "%s\n", message);
  else if (level & G_LOG_LEVEL_WARNING)
    purple_debug_warning(domain, "%s\n", message);
  else if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    purple_debug_info(domain, "%s\n", message);
  else
    purple_debug_misc(domain, "%s\n", message);
}

static gboolean
plugin_load(PurplePlugin *plugin)
{
  ppm_log_set_handler(on_core_log, NULL);
  ppm_ui_init(plugin);
  register_ipc(plugin);
  ppm_platform_init(plugin);
  g_autoptr(GError) error = NULL;
  if (!ppm_journal_hook_open(&error))
    purple_debug_error("ppm", "billing journal: %s\n", error->message);
  ppm_calls_init(plugin);
  ppm_platform_sign_in_headless();
  return TRUE;
}

static gboolean
plugin_unload(PurplePlugin *plugin)
{
  /* Calls first: their closes need the platform client. */
  ppm_calls_shutdown();
  ppm_platform_shutdown();
  ppm_journal_hook_close();
  ppm_ui_shutdown();
  purple_plugin_ipc_unregister_all(plugin);
  purple_signals_disconnect_by_handle(plugin);
  ppm_log_set_handler(NULL, NULL);
  return TRUE;
}

static PurplePluginUiInfo prefs_info = {
  .get_plugin_pref_frame = ppm_settings_pref_frame,
};

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = PPM_PLUGIN_ID,
  .name = N_("Pay per minute"),
  .version = PPM_VERSION,
  .summary = N_("Bills voice and video calls per minute"),
  .description = N_("Looks up callers on the pay-per-minute platform, charges members "
                    "for every minute of a call and shows the payments."),
  .author = "purple-ppm",
  .homepage = PPM_HOMEPAGE,
  .load = plugin_load,
  .unload = plugin_unload,
  .prefs_info = &prefs_info,
  .actions = ppm_actions_list,
};

static void
init_plugin(PurplePlugin *plugin)
{
  ppm_plugin_info_translate(&info);
  ppm_prefs_register();
}

PURPLE_INIT_PLUGIN(ppm, init_plugin, info)
