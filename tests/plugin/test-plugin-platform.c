/* core-ppm against a real ppm-server on 127.0.0.1: headless sign-in, the
 * sign-in dialog's errors, status, the rate in Settings, payment history. */
#include "plugin-host.h"
#include "ppm-prefs.h"
#include "ppm-test-server.h"
#include "ppm-ui-ops.h"

#include <string.h>

#define MODEL_EMAIL "model@example.org"
#define MEMBER_EMAIL "member@example.org"
#define PASSWORD "correct horse battery"

static PurplePlugin *plugin;
static PpmTestServer *server;

static void
admin(const char *first, ...)
{
  /* Every fixture command has at most 8 words. */
  const char *args[9] = { first };
  va_list ap;
  va_start(ap, first);
  for (int i = 1; i < 8 && args[i - 1] != NULL; i++)
    args[i] = va_arg(ap, const char *);
  va_end(ap);
  g_autoptr(GError) error = NULL;
  g_autofree char *out
      = ppm_test_admin(server, g_str_equal(first, "create-user") ? PASSWORD : NULL, &error, args[0],
                       args[1], args[2], args[3], args[4], args[5], args[6], args[7], NULL);
  g_assert_no_error(error);
}

static char *
status_text(void)
{
  return purple_plugin_ipc_call(plugin, PPM_IPC_GET_STATUS, NULL);
}

static gboolean
status_lacks_signed_out(gpointer data)
{
  g_autofree char *text = status_text();
  return text != NULL && strstr(text, "Not signed in") == NULL;
}

static gboolean
status_mentions(gpointer data)
{
  g_autofree char *text = status_text();
  return text != NULL && strstr(text, data) != NULL;
}

static void
load_signed_in(const char *email)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  purple_prefs_set_string(PPM_PREF_EMAIL, email);
  g_setenv("PPM_PASSWORD", PASSWORD, TRUE);
  g_assert_true(purple_plugin_load(plugin));
  g_assert_true(ppm_host_wait(status_lacks_signed_out, NULL, 10000));
}

static void
unload(void)
{
  g_assert_true(purple_plugin_unload(plugin));
  g_unsetenv("PPM_PASSWORD");
  purple_prefs_set_string(PPM_PREF_EMAIL, "");
}

static void
test_headless_sign_in_status(void)
{
  load_signed_in(MODEL_EMAIL);
  /* The linked account is not online in this host: status says which. */
  g_assert_true(ppm_host_wait(status_mentions, "Linked account model@xmpp.test is offline", 10000));
  gpointer connected = purple_plugin_ipc_call(plugin, PPM_IPC_IS_CONNECTED, NULL);
  g_assert_false(GPOINTER_TO_INT(connected));
  unload();
}

static void
test_no_password_no_sign_in(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  purple_prefs_set_string(PPM_PREF_EMAIL, MODEL_EMAIL);
  g_unsetenv("PPM_PASSWORD");
  g_assert_true(purple_plugin_load(plugin));
  /* Nothing to sign in with: still signed out after a while. */
  g_assert_false(ppm_host_wait(status_lacks_signed_out, NULL, 1000));
  unload();
}

static void
test_wrong_password(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  ppm_host_sign_in(plugin, MODEL_EMAIL, "not the password");
  g_assert_nonnull(ppm_host_wait_notice("Wrong email or password", 10000));
  g_autofree char *text = status_text();
  g_assert_nonnull(strstr(text, "Not signed in"));
  unload();
}

/* https to a server that speaks plain HTTP: the handshake fails, and the
 * words say it is a TLS problem, not a password or reachability one. */
static void
test_tls_problem(void)
{
  g_autofree char *url = g_strdup_printf("https://127.0.0.1:%u", server->port);
  purple_prefs_set_string(PPM_PREF_SERVER_URL, url);
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  ppm_host_sign_in(plugin, MODEL_EMAIL, PASSWORD);
  g_assert_nonnull(ppm_host_wait_notice("TLS problem", 10000));
  unload();
}

static void
test_dialog_sign_in_and_out(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  ppm_host_sign_in(plugin, MODEL_EMAIL, PASSWORD);
  g_assert_nonnull(ppm_host_wait_notice("Signed in", 10000));
  g_assert_cmpstr(purple_prefs_get_string(PPM_PREF_EMAIL), ==, MODEL_EMAIL);

  g_assert_true(ppm_host_run_action(plugin, "Sign out"));
  g_assert_true(ppm_host_wait(status_mentions, "Not signed in", 5000));
  unload();
}

static gboolean
rate_field_is(gpointer data)
{
  ppm_host_run_action(plugin, "Settings");
  PpmHostRequest *dialog = ppm_host_wait_request("Settings", 1000);
  g_assert_nonnull(dialog);
  const char *value = purple_request_fields_get_string(dialog->fields, "rate");
  gboolean same = g_strcmp0(value, data) == 0;
  ppm_host_request_cancel(dialog);
  return same;
}

static void
test_settings_rate(void)
{
  load_signed_in(MODEL_EMAIL);
  g_assert_true(ppm_host_wait(rate_field_is, "2.00", 5000));

  ppm_host_run_action(plugin, "Settings");
  PpmHostRequest *dialog = ppm_host_wait_request("Settings", 1000);
  purple_request_field_string_set_value(purple_request_fields_get_field(dialog->fields, "rate"),
                                        "2.50");
  purple_request_field_int_set_value(
      purple_request_fields_get_field(dialog->fields, "ring_timeout_seconds"), 45);
  ppm_host_request_ok(dialog);
  g_assert_cmpint(purple_prefs_get_int(PPM_PREF_RING_TIMEOUT_SECONDS), ==, 45);
  g_assert_true(ppm_host_wait(rate_field_is, "2.50", 5000));

  /* A rate the amount grammar refuses is not sent, and the model is told. */
  ppm_host_clear_notices();
  ppm_host_run_action(plugin, "Settings");
  dialog = ppm_host_wait_request("Settings", 1000);
  purple_request_field_string_set_value(purple_request_fields_get_field(dialog->fields, "rate"),
                                        "2.5.0");
  ppm_host_request_ok(dialog);
  g_assert_nonnull(ppm_host_wait_notice("The rate was not changed", 1000));
  g_assert_true(ppm_host_wait(rate_field_is, "2.50", 5000));
  purple_prefs_set_int(PPM_PREF_RING_TIMEOUT_SECONDS, 60);
  unload();
}

static void
test_history(void)
{
  admin("fund", "--email", MEMBER_EMAIL, "--amount", "20.00", NULL);
  load_signed_in(MEMBER_EMAIL);
  ppm_host_clear_notices();
  g_assert_true(ppm_host_run_action(plugin, "Payment history"));
  const char *notice = ppm_host_wait_notice("Transactions", 10000);
  g_assert_nonnull(notice);
  g_assert_nonnull(strstr(notice, "deposit"));
  g_assert_nonnull(strstr(notice, "$20.00"));
  unload();
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_autoptr(GError) error = NULL;
  server = ppm_test_server_start(NULL, NULL, &error);
  g_assert_no_error(error);
  admin("create-user", "--email", MODEL_EMAIL, "--role", "model", "--display-name", "Model", NULL);
  admin("create-user", "--email", MEMBER_EMAIL, "--role", "member", "--display-name", "Member",
        NULL);
  admin("link", "--email", MODEL_EMAIL, "--protocol", "prpl-jabber", "--handle", "model@xmpp.test",
        NULL);
  admin("set-rate", "--email", MODEL_EMAIL, "--amount", "2.00", NULL);

  ppm_host_init();
  plugin = ppm_host_probe_plugin();
  g_test_add_func("/plugin/platform/headless-sign-in-status", test_headless_sign_in_status);
  g_test_add_func("/plugin/platform/no-password-no-sign-in", test_no_password_no_sign_in);
  g_test_add_func("/plugin/platform/wrong-password", test_wrong_password);
  g_test_add_func("/plugin/platform/tls-problem", test_tls_problem);
  g_test_add_func("/plugin/platform/dialog-sign-in-and-out", test_dialog_sign_in_and_out);
  g_test_add_func("/plugin/platform/settings-rate", test_settings_rate);
  g_test_add_func("/plugin/platform/history", test_history);
  int status = g_test_run();
  ppm_host_shutdown();
  ppm_test_server_free(server);
  return status;
}
