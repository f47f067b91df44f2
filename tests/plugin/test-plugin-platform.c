/* core-ppm against a real ppm-server on 127.0.0.1: headless sign-in, the
 * sign-in dialog's errors, status, linking an IM account, the rate in
 * Settings, payment history. */
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

/* Whether the platform stored `data` (a count, as text) app ratings. */
static gboolean
app_ratings_are(gpointer data)
{
  g_autofree char *count = ppm_test_server_sql(server, "SELECT count(*) FROM app_ratings");
  return g_strcmp0(count, data) == 0;
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
  g_assert_true(ppm_host_wait_sign_in_refused("TLS problem", 10000));
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

/* A wrong password opens the dialog again saying why, the email kept and
 * the password not; the second try signs in. */
static void
test_wrong_password(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  ppm_host_sign_in(plugin, MODEL_EMAIL, "not-the-password");
  PpmHostRequest *again = ppm_host_wait_request("Sign in", 10000);
  g_assert_nonnull(again);
  g_assert_cmpstr(again->secondary, ==, "Wrong email or password, or the account is disabled.");
  g_assert_cmpstr(purple_request_fields_get_string(again->fields, "email"), ==, MODEL_EMAIL);
  g_assert_cmpstr(purple_request_fields_get_string(again->fields, "password"), ==, NULL);
  g_assert_true(ppm_host_wait(status_mentions, "Not signed in", 5000));

  purple_request_field_string_set_value(purple_request_fields_get_field(again->fields, "password"),
                                        PASSWORD);
  ppm_host_request_ok(again);
  g_assert_nonnull(ppm_host_wait_notice("Signed in", 10000));
  g_assert_cmpuint(ppm_host_n_requests(), ==, 0);
  unload();
}

/* What the sign-in IPC answered: "" for success, the words otherwise. */
typedef struct
{
  char *answer;
  guint calls;
} IpcAnswer;

static void
ipc_signed_in(const char *error_words, gpointer user_data)
{
  IpcAnswer *answer = user_data;
  answer->calls++;
  g_free(answer->answer);
  answer->answer = g_strdup(error_words != NULL ? error_words : "");
}

static gboolean
ipc_answered(gpointer data)
{
  return ((IpcAnswer *)data)->answer != NULL;
}

/* Signs in through the IPC and waits for its answer (owned by the caller). */
static char *
ipc_sign_in(const char *email, const char *password)
{
  IpcAnswer answer = { 0 };
  PpmSignInRequest request
      = { .email = email, .password = password, .done = ipc_signed_in, .user_data = &answer };
  ppm_host_clear_notices();
  purple_plugin_ipc_call(plugin, PPM_IPC_SIGN_IN, NULL, &request);
  g_assert_true(ppm_host_wait(ipc_answered, &answer, 10000));
  g_assert_cmpuint(answer.calls, ==, 1);
  /* The UI shows the answer itself: no dialog, no notice from the core. */
  g_assert_cmpuint(ppm_host_notices()->len, ==, 0);
  g_assert_cmpuint(ppm_host_n_requests(), ==, 0);
  return answer.answer;
}

static void
test_ipc_sign_in_and_out(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  g_assert_true(purple_plugin_load(plugin));
  g_autofree char *wrong = ipc_sign_in(MODEL_EMAIL, "not the password");
  g_assert_nonnull(strstr(wrong, "Wrong email or password"));
  g_autofree char *empty = ipc_sign_in(MODEL_EMAIL, "");
  g_assert_cmpstr(empty, ==, "Enter your email and password.");
  g_autofree char *still = status_text();
  g_assert_nonnull(strstr(still, "Not signed in"));

  g_autofree char *right = ipc_sign_in(MODEL_EMAIL, PASSWORD);
  g_assert_cmpstr(right, ==, "");
  g_assert_cmpstr(purple_prefs_get_string(PPM_PREF_EMAIL), ==, MODEL_EMAIL);
  g_assert_true(ppm_host_wait(status_lacks_signed_out, NULL, 5000));

  purple_plugin_ipc_call(plugin, PPM_IPC_SIGN_OUT, NULL);
  g_assert_true(ppm_host_wait(status_mentions, "Not signed in", 5000));
  unload();
}

/* A UI that replaces its table (it unloads) gets no answer any more. */
static void
test_ipc_sign_in_ui_gone(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  g_assert_true(purple_plugin_load(plugin));
  IpcAnswer answer = { 0 };
  PpmSignInRequest request
      = { .email = MODEL_EMAIL, .password = PASSWORD, .done = ipc_signed_in, .user_data = &answer };
  purple_plugin_ipc_call(plugin, PPM_IPC_SIGN_IN, NULL, &request);
  purple_plugin_ipc_call(plugin, PPM_IPC_SET_UI_OPS, NULL, NULL);
  /* The sign-in itself goes on. */
  g_assert_true(ppm_host_wait(status_lacks_signed_out, NULL, 10000));
  g_assert_cmpuint(answer.calls, ==, 0);
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
  g_assert_nonnull(strstr(notice, "Deposit"));
  g_assert_nonnull(strstr(notice, "$20.00"));
  unload();
}

/* Linking needs a platform account first: the action says so, and asks
 * nothing. */
static void
test_link_signed_out(void)
{
  purple_prefs_set_string(PPM_PREF_SERVER_URL, server->url);
  g_assert_true(purple_plugin_load(plugin));
  ppm_host_clear_notices();
  g_assert_true(ppm_host_run_action(plugin, "Link IM account…"));
  const char *notice = ppm_host_wait_notice("Link IM account", 1000);
  g_assert_nonnull(notice);
  g_assert_nonnull(strstr(notice, "Sign in to the platform first."));
  g_assert_cmpuint(ppm_host_n_requests(), ==, 0);
  unload();
}

/* Signed in, with no IM account online: nothing to link, and the notice
 * names the account that is linked already.  The status offers no "Link". */
static void
test_link_nothing_online(void)
{
  load_signed_in(MODEL_EMAIL);
  g_assert_true(ppm_host_wait(status_mentions, "Linked account model@xmpp.test is offline", 10000));
  ppm_host_clear_notices();
  g_assert_true(ppm_host_run_action(plugin, "Link IM account…"));
  const char *notice = ppm_host_wait_notice("No online IM account to link", 1000);
  g_assert_nonnull(notice);
  g_assert_nonnull(strstr(notice, "Linked to your platform account: model@xmpp.test (XMPP)."));
  g_assert_cmpuint(ppm_host_n_requests(), ==, 0);

  ppm_host_clear_notices();
  g_assert_true(ppm_host_run_action(plugin, "Status"));
  notice = ppm_host_wait_notice("Not connected", 1000);
  g_assert_nonnull(notice);
  g_assert_null(strstr(notice, "(action)"));
  unload();
}

/* Rating the app from its dialog stores the stars picked, whichever label
 * it is, and the dialog opens at five stars. */
static void
test_rate_app_stars(void)
{
  static const char *const labels[] = { "★", "★★", "★★★", "★★★★", "★★★★★" };
  load_signed_in(MODEL_EMAIL);
  for (gsize i = 0; i < G_N_ELEMENTS(labels); i++)
    {
      g_assert_true(ppm_host_run_action(plugin, "Rate the app"));
      PpmHostRequest *dialog = ppm_host_wait_request("Rate the app", 1000);
      g_assert_nonnull(dialog);
      PurpleRequestField *stars = purple_request_fields_get_field(dialog->fields, "stars");
      g_assert_true(purple_request_field_list_is_selected(stars, "★★★★★"));
      ppm_host_request_pick(dialog, "stars", labels[i]);
      ppm_host_request_ok(dialog);
      g_autofree char *count = g_strdup_printf("%" G_GSIZE_FORMAT, i + 1);
      g_assert_true(ppm_host_wait(app_ratings_are, count, 10000));
    }
  ppm_test_server_assert_sql(server, "SELECT stars FROM app_ratings ORDER BY id", "1\n2\n3\n4\n5");
  unload();
}

/* A UI's list: what history_page received, copied. */
typedef struct
{
  char *before;
  GPtrArray *rows; /* "time|kind|amount|balance_after|counterparty" */
  char *balance;
  char *next_before;
  char *error;
} ListPage;

static ListPage *list_page;
static PpmHistoryMore list_more;
static gpointer list_more_data;

static void
list_page_free(ListPage *page)
{
  g_free(page->before);
  g_ptr_array_unref(page->rows);
  g_free(page->balance);
  g_free(page->next_before);
  g_free(page->error);
  g_free(page);
}

static void
list_history_page(const PpmHistoryPage *page, PpmHistoryMore more, gpointer more_data)
{
  g_clear_pointer(&list_page, list_page_free);
  list_page = g_new0(ListPage, 1);
  list_page->before = g_strdup(page->before);
  list_page->rows = g_ptr_array_new_with_free_func(g_free);
  for (gsize i = 0; i < page->n_rows; i++)
    g_ptr_array_add(list_page->rows,
                    g_strjoin("|", page->rows[i].time, page->rows[i].kind, page->rows[i].amount,
                              page->rows[i].balance_after,
                              page->rows[i].counterparty != NULL ? page->rows[i].counterparty : "",
                              NULL));
  list_page->balance = g_strdup(page->balance);
  list_page->next_before = g_strdup(page->next_before);
  list_page->error = g_strdup(page->error);
  list_more = more;
  list_more_data = more_data;
}

static const PpmUiOps list_ops = {
  .version = PPM_UI_OPS_VERSION,
  .history_page = list_history_page,
};

static gboolean
list_answered(gpointer data)
{
  return list_page != NULL;
}

/* Forgets the last page, so that list_answered waits for the next one. */
static void
list_forget(void)
{
  g_clear_pointer(&list_page, list_page_free);
}

static void
list_assert_row(guint i, const char *kind, const char *amount, const char *balance_after)
{
  g_auto(GStrv) cells = g_strsplit(list_page->rows->pdata[i], "|", -1);
  g_assert_cmpuint(g_strv_length(cells), ==, 5);
  /* Local time as the locale writes it (C.UTF-8 here: %x %X), and the kind in words. */
  g_assert_true(g_regex_match_simple("^[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$",
                                     cells[0], 0, 0));
  g_assert_cmpstr(cells[1], ==, kind);
  g_assert_cmpstr(cells[2], ==, amount);
  g_assert_cmpstr(cells[3], ==, balance_after);
}

static void
test_history_list(void)
{
  const char *email = "paging@example.org";
  admin("create-user", "--email", email, "--role", "member", "--display-name", "Pat", NULL);
  /* One page more than fits: the 21st deposit is on the second page. */
  for (int i = 0; i < 21; i++)
    admin("fund", "--email", email, "--amount", "1.00", NULL);
  load_signed_in(email);
  purple_plugin_ipc_call(plugin, PPM_IPC_SET_UI_OPS, NULL, &list_ops);
  ppm_host_clear_notices();
  list_forget();
  g_assert_true(ppm_host_run_action(plugin, "Payment history"));
  g_assert_true(ppm_host_wait(list_answered, NULL, 10000));
  /* The list, not the HTML notice. */
  g_assert_cmpuint(ppm_host_notices()->len, ==, 0);
  g_assert_null(list_page->before);
  g_assert_null(list_page->error);
  g_assert_cmpuint(list_page->rows->len, ==, 20);
  g_assert_cmpstr(list_page->balance, ==, "$21.00");
  list_assert_row(0, "Deposit", "$1.00", "$21.00");
  list_assert_row(19, "Deposit", "$1.00", "$2.00");
  g_assert_nonnull(list_page->next_before);

  /* Scrolled to the end: the next page, older, and the last. */
  g_autofree char *cursor = g_strdup(list_page->next_before);
  list_forget();
  list_more(cursor, list_more_data);
  g_assert_true(ppm_host_wait(list_answered, NULL, 10000));
  g_assert_cmpstr(list_page->before, ==, cursor);
  g_assert_cmpuint(list_page->rows->len, ==, 1);
  list_assert_row(0, "Deposit", "$1.00", "$1.00");
  g_assert_null(list_page->next_before);

  /* Signed out, a refresh gets the reason instead of rows. */
  purple_plugin_ipc_call(plugin, PPM_IPC_SIGN_OUT, NULL);
  g_assert_true(ppm_host_wait(status_mentions, "Not signed in", 5000));
  list_forget();
  list_more(NULL, list_more_data);
  g_assert_true(ppm_host_wait(list_answered, NULL, 10000));
  g_assert_cmpstr(list_page->error, ==, "Sign in to the platform first.");
  g_assert_cmpuint(list_page->rows->len, ==, 0);
  list_forget();
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
  g_test_add_func("/plugin/platform/ipc-sign-in-and-out", test_ipc_sign_in_and_out);
  g_test_add_func("/plugin/platform/ipc-sign-in-ui-gone", test_ipc_sign_in_ui_gone);
  g_test_add_func("/plugin/platform/settings-rate", test_settings_rate);
  g_test_add_func("/plugin/platform/link-signed-out", test_link_signed_out);
  g_test_add_func("/plugin/platform/link-nothing-online", test_link_nothing_online);
  g_test_add_func("/plugin/platform/rate-app-stars", test_rate_app_stars);
  g_test_add_func("/plugin/platform/history", test_history);
  g_test_add_func("/plugin/platform/history-list", test_history_list);
  int status = g_test_run();
  ppm_host_shutdown();
  ppm_test_server_free(server);
  return status;
}
