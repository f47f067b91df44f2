/* core-ppm in a libpurple host, without a platform: preferences at probe,
 * clean load and unload, the ui-ops IPC, the actions and their errors. */
#include "plugin-host.h"
#include "ppm-prefs.h"
#include "ppm-ui-ops.h"

#include <gio/gio.h>
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
  g_assert_nonnull(ppm_host_wait_notice("platform URL is not set", 1000));
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
  g_assert_nonnull(ppm_host_wait_notice("unreachable", 15000));
  g_assert_null(ppm_host_wait_notice("Wrong email", 0));
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
  g_assert_nonnull(ppm_host_wait_notice("platform URL is not valid", 1000));
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
  g_test_add_func("/plugin/host/load-unload-disconnects", test_load_unload_disconnects);
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
