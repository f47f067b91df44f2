/* core-ppm in a libpurple host, without a platform: preferences at probe,
 * what the plugin list shows, clean load, unload and reload, core's log in
 * the debug log, the ui-ops IPC, the actions and their errors. */
#include "plugin-host.h"
#include "ppm-journal.h"
#include "ppm-prefs.h"
#include "ppm-ui-ops.h"

#include <gio/gio.h>
#include <libintl.h>
#include <string.h>

static PurplePlugin *plugin;

static void
test_prefs_at_probe(void)
{
  /* Probed, not loaded: a headless host can set them before loading. */
  g_assert_false(purple_plugin_is_loaded(plugin));
  g_assert_cmpstr(purple_prefs_get_string(PPM_PREF_SERVER_URL), ==, "");
  g_assert_cmpstr(purple_prefs_get_string(PPM_PREF_EMAIL), ==, "");
  g_assert_cmpstr(purple_prefs_get_string(PPM_PREF_CA_FILE), ==, "");
  g_assert_false(purple_prefs_get_bool(PPM_PREF_AUTO_DECLINE));
  g_assert_false(purple_prefs_get_bool(PPM_PREF_NOTIFY_MEMBER));
  g_assert_cmpint(purple_prefs_get_int(PPM_PREF_MAX_UNBILLED_SECONDS), ==, 0);
  g_assert_cmpint(purple_prefs_get_int(PPM_PREF_NO_MEDIA_SECONDS), ==, 15);
  g_assert_cmpint(purple_prefs_get_int(PPM_PREF_RING_TIMEOUT_SECONDS), ==, 60);
  g_assert_true(purple_prefs_get_bool(PPM_PREF_LAST_MINUTE_WARNING));
  g_assert_cmpstr(purple_plugin_get_id(plugin), ==, "core-ppm");
}

static void
test_plugin_list_info(void)
{
  PurplePluginInfo *info = plugin->info;
  /* Translated at probe, in the plugin's text domain. */
  g_assert_cmpstr(info->name, ==, dgettext(GETTEXT_PACKAGE, "Pay per minute"));
  g_assert_cmpstr(info->summary, ==,
                  dgettext(GETTEXT_PACKAGE, "Bills voice and video calls per minute"));
  g_assert_nonnull(strstr(info->description, "pay-per-minute"));
  g_assert_true(g_str_has_prefix(info->homepage, "https://"));
}

/* Configure Plugin: a frame with every preference, seconds bounded. */
static void
test_pref_frame(void)
{
  static const char *const prefs[] = { PPM_PREF_SERVER_URL,
                                       PPM_PREF_EMAIL,
                                       PPM_PREF_CA_FILE,
                                       PPM_PREF_AUTO_DECLINE,
                                       PPM_PREF_NOTIFY_MEMBER,
                                       PPM_PREF_MAX_UNBILLED_SECONDS,
                                       PPM_PREF_NO_MEDIA_SECONDS,
                                       PPM_PREF_RING_TIMEOUT_SECONDS,
                                       PPM_PREF_LAST_MINUTE_WARNING };
  g_assert_true(PURPLE_PLUGIN_HAS_PREF_FRAME(plugin));
  g_assert_true(purple_plugin_load(plugin));
  PurplePluginUiInfo *ui = PURPLE_PLUGIN_UI_INFO(plugin);
  PurplePluginPrefFrame *frame = ui->get_plugin_pref_frame(plugin);
  g_assert_nonnull(frame);
  for (gsize i = 0; i < G_N_ELEMENTS(prefs); i++)
    {
      PurplePluginPref *found = NULL;
      for (GList *l = purple_plugin_pref_frame_get_prefs(frame); l != NULL; l = l->next)
        if (g_strcmp0(purple_plugin_pref_get_name(l->data), prefs[i]) == 0)
          found = l->data;
      g_assert_nonnull(found);
      g_assert_nonnull(purple_plugin_pref_get_label(found));
      if (purple_prefs_get_type(prefs[i]) == PURPLE_PREF_INT)
        {
          int min = -1, max = -1;
          purple_plugin_pref_get_bounds(found, &min, &max);
          g_assert_cmpint(min, ==, 0);
          g_assert_cmpint(max, >, 0);
        }
    }
  purple_plugin_pref_frame_destroy(frame);
  g_assert_true(purple_plugin_unload(plugin));
}

/* core/journal's warning about an unreadable journal reaches libpurple's
 * debug log (Pidgin's Debug window) under core/journal's domain. */
static void
test_core_log_in_debug_window(void)
{
  g_autofree char *path = g_build_filename(purple_user_dir(), PPM_JOURNAL_FILE_NAME, NULL);
  g_assert_true(g_file_set_contents(path, "not a journal", -1, NULL));
  ppm_host_clear_debug_lines();
  g_assert_true(purple_plugin_load(plugin));
  g_assert_true(purple_plugin_unload(plugin));
  const PpmHostDebugLine *heard = NULL;
  GPtrArray *lines = ppm_host_debug_lines();
  for (guint i = 0; i < lines->len; i++)
    {
      const PpmHostDebugLine *line = g_ptr_array_index(lines, i);
      if (strstr(line->message, "billing journal") != NULL)
        heard = line;
    }
  g_assert_nonnull(heard);
  g_assert_cmpstr(heard->category, ==, "ppm-journal");
  g_assert_cmpint(heard->level, ==, PURPLE_DEBUG_WARNING);
  g_assert_nonnull(strstr(heard->message, "unreadable"));
}

static void
on_signal(gpointer data)
{
  (*(int *)data)++;
}

/* Unload takes the plugin's signals away; a reload brings them back; none of
 * it warns (GLib warnings abort here, libpurple's show in the debug log). */
static void
test_reload_without_warnings(void)
{
  static const char *const signals[] = { "ppm-signed-in", "ppm-signing-out", "ppm-status-changed" };
  static int heard;
  GLogLevelFlags fatal
      = g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  ppm_host_clear_debug_lines();
  for (int round = 0; round < 2; round++)
    {
      g_assert_true(purple_plugin_load(plugin));
      heard = 0;
      for (gsize i = 0; i < G_N_ELEMENTS(signals); i++)
        {
          g_assert_cmpuint(
              purple_signal_connect(plugin, signals[i], &heard, PURPLE_CALLBACK(on_signal), &heard),
              !=, 0);
          purple_signal_emit(plugin, signals[i]);
        }
      g_assert_cmpint(heard, ==, G_N_ELEMENTS(signals));
      purple_signals_disconnect_by_handle(&heard);
      g_assert_true(purple_plugin_unload(plugin));
    }
  GPtrArray *lines = ppm_host_debug_lines();
  for (guint i = 0; i < lines->len; i++)
    {
      const PpmHostDebugLine *line = g_ptr_array_index(lines, i);
      if (line->level >= PURPLE_DEBUG_WARNING)
        g_test_message("%s: %s", line->category, line->message);
      g_assert_cmpint(line->level, <, PURPLE_DEBUG_WARNING);
    }
  /* Gone after unload: libpurple knows no such signal of the plugin. */
  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*signal_connect_common*");
  g_assert_cmpuint(purple_signal_connect(plugin, "ppm-status-changed", &heard,
                                         PURPLE_CALLBACK(on_signal), &heard),
                   ==, 0);
  g_test_assert_expected_messages();
  g_log_set_always_fatal(fatal);
}

static gboolean
init_media_connected(void)
{
  guint id = g_signal_lookup("init-media", PURPLE_TYPE_MEDIA_MANAGER);
  return g_signal_has_handler_pending(purple_media_manager_get(), id, 0, FALSE);
}

static void
test_load_unload_disconnects(void)
{
  g_assert_false(init_media_connected());
  for (int round = 0; round < 2; round++)
    {
      g_assert_true(purple_plugin_load(plugin));
      g_assert_true(init_media_connected());
      g_assert_true(purple_plugin_unload(plugin));
      g_assert_false(init_media_connected());
    }
}

static void
on_status_changed(gpointer data)
{
  (*(int *)data)++;
}

/* The status follows the model's IM accounts: libpurple's accounts handle
 * announces them (account-signed-on/-off, with the account). */
static void
test_status_follows_account(void)
{
  static int changes;
  changes = 0;
  g_assert_true(purple_plugin_load(plugin));
  purple_signal_connect(plugin, "ppm-status-changed", &changes, PURPLE_CALLBACK(on_status_changed),
                        &changes);
  /* No account object: this host has no D-Bus to register one with, and the
   * status is computed from libpurple's list, not from the signal. */
  purple_signal_emit(purple_accounts_get_handle(), "account-signed-on", NULL);
  g_assert_cmpint(changes, ==, 1);
  purple_signal_emit(purple_accounts_get_handle(), "account-signed-off", NULL);
  g_assert_cmpint(changes, ==, 2);
  purple_signals_disconnect_by_handle(&changes);
  g_assert_true(purple_plugin_unload(plugin));
}

/* ---- a replacement ui-ops table ---- */

static char *rating_title;
static PpmRatingDone rating_done;
static gpointer rating_data;
static int settings_shown;

static void
fake_rating_request(const char *title, PpmRatingDone done, gpointer user_data)
{
  g_free(rating_title);
  rating_title = g_strdup(title);
  rating_done = done;
  rating_data = user_data;
}

static void
fake_settings_show(void)
{
  settings_shown++;
}

static const PpmUiOps fake_ops = {
  .version = PPM_UI_OPS_VERSION,
  .rating_request = fake_rating_request,
  .settings_show = fake_settings_show,
};

static const PpmUiOps wrong_version_ops = {
  .version = PPM_UI_OPS_VERSION + 1,
  .settings_show = fake_settings_show,
};

static void
test_ipc_ui_ops(void)
{
  g_assert_true(purple_plugin_load(plugin));
  gboolean ok = FALSE;
  purple_plugin_ipc_call(plugin, PPM_IPC_SET_UI_OPS, &ok, &fake_ops);
  g_assert_true(ok);

  g_assert_true(ppm_host_run_action(plugin, "Settings"));
  g_assert_cmpint(settings_shown, ==, 1);
  g_assert_cmpuint(ppm_host_n_requests(), ==, 0);

  g_assert_true(ppm_host_run_action(plugin, "Rate the app"));
  g_assert_nonnull(rating_title);
  g_assert_nonnull(rating_done);
  /* Declining sends nothing and must not crash while signed out. */
  rating_done(0, NULL, rating_data);

  /* A table of another version is refused: the defaults stay in place. */
  purple_plugin_ipc_call(plugin, PPM_IPC_SET_UI_OPS, &ok, NULL);
  purple_plugin_ipc_call(plugin, PPM_IPC_SET_UI_OPS, &ok, &wrong_version_ops);
  g_assert_true(ppm_host_run_action(plugin, "Settings"));
  g_assert_cmpint(settings_shown, ==, 1);
  PpmHostRequest *dialog = ppm_host_wait_request("Settings", 1000);
  g_assert_nonnull(dialog);
  g_assert_nonnull(purple_request_fields_get_field(dialog->fields, "server_url"));
  g_assert_nonnull(purple_request_fields_get_field(dialog->fields, "ring_timeout_seconds"));
  ppm_host_request_cancel(dialog);

  g_assert_true(purple_plugin_unload(plugin));
  g_clear_pointer(&rating_title, g_free);
}

static void
test_ipc_status_signed_out(void)
{
  g_assert_true(purple_plugin_load(plugin));
  gboolean ok = FALSE;
  g_autofree char *status = purple_plugin_ipc_call(plugin, PPM_IPC_GET_STATUS, &ok);
  g_assert_true(ok);
  g_assert_nonnull(strstr(status, "Not signed in"));
  gpointer connected = purple_plugin_ipc_call(plugin, PPM_IPC_IS_CONNECTED, &ok);
  g_assert_true(ok);
  g_assert_false(GPOINTER_TO_INT(connected));

  ppm_host_clear_notices();
  g_assert_true(ppm_host_run_action(plugin, "Status"));
  g_assert_nonnull(ppm_host_wait_notice("Not signed in", 1000));
  g_assert_true(purple_plugin_unload(plugin));
}

static void
test_actions_sign_in_first(void)
{
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  g_assert_true(ppm_host_run_action(plugin, "Payment history"));
  g_assert_nonnull(ppm_host_wait_notice("Sign in to the platform first", 1000));
  /* Signed out, the first action signs in. */
  g_assert_false(ppm_host_run_action(plugin, "Sign out"));
  g_assert_true(purple_plugin_unload(plugin));
}

static void
test_sign_in_no_url(void)
{
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  ppm_host_sign_in(plugin, "model@example.org", "secret");
  g_assert_true(ppm_host_wait_sign_in_refused("platform URL is not set", 1000));
  g_assert_true(purple_plugin_unload(plugin));
}

static void
test_sign_in_unreachable(void)
{
  /* A port nothing listens on: the words say unreachable, not a password problem. */
  g_autoptr(GSocket) socket
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  g_assert_true(g_socket_bind(socket, any, TRUE, NULL));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket, NULL);
  guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u", port);
  purple_prefs_set_string(PPM_PREF_SERVER_URL, url);

  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  ppm_host_sign_in(plugin, "model@example.org", "secret");
  g_assert_true(ppm_host_wait_sign_in_refused("unreachable", 15000));
  g_assert_true(purple_plugin_unload(plugin));
  purple_prefs_set_string(PPM_PREF_SERVER_URL, "");
}

static void
test_sign_in_plain_http_refused(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, "http://platform.example.org");
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  ppm_host_sign_in(plugin, "model@example.org", "secret");
  g_assert_true(ppm_host_wait_sign_in_refused("platform URL is not valid", 1000));
  g_assert_true(purple_plugin_unload(plugin));
  purple_prefs_set_string(PPM_PREF_SERVER_URL, "");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  ppm_host_init();
  plugin = ppm_host_probe_plugin();
  g_test_add_func("/plugin/host/prefs-at-probe", test_prefs_at_probe);
  g_test_add_func("/plugin/host/plugin-list-info", test_plugin_list_info);
  g_test_add_func("/plugin/host/pref-frame", test_pref_frame);
  g_test_add_func("/plugin/host/load-unload-disconnects", test_load_unload_disconnects);
  g_test_add_func("/plugin/host/reload-without-warnings", test_reload_without_warnings);
  g_test_add_func("/plugin/host/core-log-in-debug-window", test_core_log_in_debug_window);
  g_test_add_func("/plugin/host/status-follows-account", test_status_follows_account);
  g_test_add_func("/plugin/host/ipc-ui-ops", test_ipc_ui_ops);
  g_test_add_func("/plugin/host/ipc-status-signed-out", test_ipc_status_signed_out);
  g_test_add_func("/plugin/host/actions-sign-in-first", test_actions_sign_in_first);
  g_test_add_func("/plugin/host/sign-in-no-url", test_sign_in_no_url);
  g_test_add_func("/plugin/host/sign-in-unreachable", test_sign_in_unreachable);
  g_test_add_func("/plugin/host/sign-in-plain-http-refused", test_sign_in_plain_http_refused);
  int status = g_test_run();
  ppm_host_shutdown();
  return status;
}
