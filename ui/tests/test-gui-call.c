/* A billed call seen in Pidgin: a ppm-sim member calls the model's Pidgin
 * (core-ppm + gtk-ppm) through a private Prosody, billed by a real
 * ppm-server, all inside a private network namespace.  The test reads what
 * the windows show through gtk-ppm's test hook and saves screenshots. */
#include "lab-process.h"
#include "ppm-gui-prosody.h"
#include "ppm-pidgin-lab.h"
#include "ppm-test-server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define XMPP_PORT 5222
#define XMPP_PASSWORD "xmpp-pw"
#define MODEL_PASSWORD "model-platform-pw"
#define PERIOD_SECONDS "3"
#define FEE_BPS "1500"
/* The model's share of one $2.00 minute after the 15 % fee. */
#define EARNED_PER_MINUTE 170

/* The platform fixture does not tie its process to ours: a failed assertion
 * (SIGABRT) kills it here so that it does not outlive the test. */
static volatile GPid platform_pid;

static void
on_abort(int signum)
{
  if (platform_pid > 0)
    kill(platform_pid, SIGKILL);
  signal(SIGABRT, SIG_DFL);
  raise(SIGABRT);
}

static gboolean run(GError **error, const char *first, ...) G_GNUC_NULL_TERMINATED;

static gboolean
run(GError **error, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  va_list args;
  va_start(args, first);
  for (const char *a = first; a != NULL; a = va_arg(args, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(args);
  g_ptr_array_add(argv, NULL);
  int status = 0;
  g_autofree char *err = NULL;
  if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                    &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, error))
    {
      g_prefix_error(error, "%s: %s ", first, err);
      return FALSE;
    }
  return TRUE;
}

/* libnice ignores loopback: a veth pair gives it a host candidate. */
static void
network_up(void)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(
      run(&error, "ip", "link", "set", "lo", "up", NULL)
      && run(&error, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1", NULL)
      && run(&error, "ip", "addr", "add", "10.78.0.1/24", "dev", "v0", NULL)
      && run(&error, "ip", "link", "set", "v0", "up", NULL)
      && run(&error, "ip", "link", "set", "v1", "up", NULL));
  g_assert_no_error(error);
}

static void admin(PpmTestServer *server, const char *stdin_text, const char *first,
                  ...) G_GNUC_NULL_TERMINATED;

/* ppm-admin with up to six arguments after the command. */
static void
admin(PpmTestServer *server, const char *stdin_text, const char *first, ...)
{
  const char *a[7] = { NULL };
  va_list args;
  va_start(args, first);
  for (int i = 0; i < 6 && (a[i] = va_arg(args, const char *)) != NULL; i++)
    ;
  va_end(args);
  g_autoptr(GError) error = NULL;
  g_autofree char *out
      = ppm_test_admin(server, stdin_text, &error, first, a[0], a[1], a[2], a[3], a[4], a[5], NULL);
  g_assert_no_error(error);
}

static PpmTestServer *
platform_start(void)
{
  const char *const args[] = { "--period-seconds", PERIOD_SECONDS, "--fee-bps", FEE_BPS, NULL };
  g_autoptr(GError) error = NULL;
  PpmTestServer *server = ppm_test_server_start(NULL, args, &error);
  g_assert_no_error(error);
  platform_pid = server->pid;
  admin(server, MODEL_PASSWORD "\n", "create-user", "--email", "model@localhost", "--role", "model",
        "--display-name", "Model", NULL);
  admin(server, "member-platform-pw\n", "create-user", "--email", "member@localhost", "--role",
        "member", "--display-name", "Alice Member", NULL);
  admin(server, NULL, "link", "--email", "model@localhost", "--protocol", "prpl-jabber", "--handle",
        "model@localhost", NULL);
  admin(server, NULL, "link", "--email", "member@localhost", "--protocol", "prpl-jabber",
        "--handle", "member@localhost", NULL);
  admin(server, NULL, "set-rate", "--email", "model@localhost", "--amount", "2.00", NULL);
  admin(server, NULL, "fund", "--email", "member@localhost", "--amount", "20.00", NULL);
  return server;
}

static const char accounts_xml[]
    = "<?xml version='1.0' encoding='UTF-8' ?>\n"
      "<account version='1.0'>\n <account>\n  <protocol>prpl-jabber</protocol>\n"
      "  <name>model@localhost/pidgin</name>\n  <password>" XMPP_PASSWORD "</password>\n"
      "  <settings>\n"
      "   <setting name='connect_server' type='string'>127.0.0.1</setting>\n"
      "   <setting name='port' type='int'>5222</setting>\n"
      "   <setting name='connection_security' type='string'>opportunistic_tls</setting>\n"
      "   <setting name='auth_plain_in_clear' type='bool'>1</setting>\n"
      "  </settings>\n"
      "  <settings ui='gtk-gaim'>\n   <setting name='auto-login' type='bool'>1</setting>\n  "
      "</settings>\n"
      " </account>\n</account>\n";

static GPid
sim_start(const char *dir, gboolean video)
{
  g_autofree char *user_dir = g_build_filename(dir, "sim", NULL);
  const char *artifacts = g_getenv("PPM_GUI_ARTIFACTS");
  g_autofree char *log_path
      = g_build_filename(artifacts != NULL ? artifacts : ".", "sim-call.log", NULL);
  g_auto(GStrv) env = g_get_environ();
  env = g_environ_setenv(env, "PPM_SIM_PASSWORD", XMPP_PASSWORD, TRUE);
  env = g_environ_setenv(env, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  env = g_environ_unsetenv(env, "DISPLAY");
  /* In a sanitized build: libpurple's own allocations at exit are not this
   * test's subject and would turn the member's exit status into a failure. */
  env = g_environ_setenv(env, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
  g_autofree char *port = g_strdup_printf("--port=%d", XMPP_PORT);
  g_autofree char *user_dir_arg = g_strconcat("--user-dir=", user_dir, NULL);
  const char *argv[] = { g_getenv("PPM_SIM_BIN"), "--role=member", "--account=member@localhost/sim",
                         "--peer=model@localhost/pidgin", port, user_dir_arg, "--calls=1",
                         /* Between two charges, so the last charge is never at the edge. */
                         "--hangup-after=14.5", "--call-timeout=60", "--timeout=120",
                         video ? "--video" : NULL, NULL };
  int log = g_open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint(log, >=, 0);
  GPid pid = 0;
  g_autoptr(GError) error = NULL;
  g_spawn_async_with_pipes_and_fds(NULL, argv, (const char *const *)env, G_SPAWN_DO_NOT_REAP_CHILD,
                                   ppm_lab_child_setup, NULL, -1, log, log, NULL, NULL, 0, &pid,
                                   NULL, NULL, NULL, &error);
  close(log);
  g_assert_no_error(error);
  return pid;
}

static char *
hook(PpmPidginLab *lab, const char *command)
{
  g_autoptr(GError) error = NULL;
  char *reply = ppm_pidgin_lab_command(lab, &error, "%s", command);
  g_assert_no_error(error);
  return reply;
}

static void
screenshot(PpmPidginLab *lab, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_usleep(300 * 1000);
  ppm_pidgin_lab_screenshot(lab, name, NULL, &error);
  g_assert_no_error(error);
}

/* "$12.34" -> 1234 */
static gint64
cents(const char *money)
{
  g_assert_nonnull(money);
  const char *digits = strchr(money, '$');
  g_assert_nonnull(digits);
  guint64 units = 0, hundredths = 0;
  g_assert_cmpint(
      sscanf(digits + 1, "%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT, &units, &hundredths), ==, 2);
  return (gint64)(units * 100 + hundredths);
}

/* Prosody, the platform and the model's Pidgin (GStreamer as installed:
 * what breaks calls there is core-ppm's to take out of Pidgin's process),
 * then the member's call. */
typedef struct
{
  char *dir;
  PpmGuiProsody *prosody;
  PpmTestServer *server;
  PpmPidginLab *lab;
  GPid sim;
} GuiCall;

static void
gui_call_start(GuiCall *call, gboolean video)
{
  g_autoptr(GError) error = NULL;
  call->dir = g_dir_make_tmp("ppm-gui-call-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *xmpp_dir = g_build_filename(call->dir, "xmpp", NULL);
  const char *const users[] = { "model", "member", NULL };
  call->prosody = ppm_gui_prosody_start(xmpp_dir, XMPP_PORT, users, XMPP_PASSWORD, &error);
  g_assert_no_error(error);
  call->server = platform_start();

  g_autofree char *server_pref = g_markup_printf_escaped(
      "<pref name='server_url' type='string' value='%s'/>", call->server->url);
  const char *const prefs[]
      = { server_pref, "<pref name='email' type='string' value='model@localhost'/>", NULL };
  const char *const env[] = { "PPM_PASSWORD=" MODEL_PASSWORD, NULL };
  PpmPidginLabConfig config
      = { .accounts_xml = accounts_xml, .extra_prefs_xml = prefs, .env = env };
  call->lab = ppm_pidgin_lab_start(&config, &error);
  g_assert_no_error(error);
  call->sim = sim_start(call->dir, video);
}

/* On success nothing is kept; a failure leaves the directory to look at. */
static void
gui_call_finish(GuiCall *call)
{
  g_clear_pointer(&call->lab, ppm_pidgin_lab_free);
  platform_pid = 0;
  g_clear_pointer(&call->server, ppm_test_server_free);
  g_clear_pointer(&call->prosody, ppm_gui_prosody_free);
  ppm_lab_remove_tree(call->dir);
  g_free(call->dir);
}

static void
test_call_billed(void)
{
  g_autoptr(GError) error = NULL;
  GuiCall call = { 0 };
  gui_call_start(&call, FALSE);
  PpmPidginLab *lab = call.lab;
  PpmTestServer *server = call.server;
  GPid sim = call.sim;

  /* Before answering: who calls, and that the member is funded. */
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "window ppm-banner visible=1", 60000));
  g_autofree char *banner = ppm_pidgin_lab_widget(lab, "ppm-banner", "ppm-banner-status");
  g_assert_nonnull(strstr(banner, "Alice Member"));
  g_assert_nonnull(strstr(banner, "funded member, 10 minutes affordable"));
  screenshot(lab, "gui-call-banner");
  /* Signed in after Pidgin built its Tools menu: the menu followed. */
  g_autofree char *tools = hook(lab, "tools-menu");
  g_assert_nonnull(strstr(tools, " › Sign out\n"));
  g_assert_null(strstr(tools, " › Sign in…\n"));
  g_free(hook(lab, "accept"));

  /* Billed: charging, the clock running, the total growing by the rate. */
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "ppm-state: ● Charging", 20000));
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "ppm-total: $4.00", 10000));
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(dump, "window ppm-banner"));
  g_autofree char *elapsed = ppm_pidgin_lab_widget(lab, "ppm-tracker", "ppm-elapsed");
  int minutes = -1, seconds = -1;
  g_assert_cmpint(sscanf(elapsed, "%d:%d", &minutes, &seconds), ==, 2);
  g_assert_cmpint(minutes * 60 + seconds, >=, 3);
  g_assert_cmpint(minutes * 60 + seconds, <, 10);
  /* What core-ppm knows of the call: the caller's standing and the rate. */
  g_autofree char *standing = ppm_pidgin_lab_widget(lab, "ppm-tracker", "ppm-caller-status");
  g_assert_cmpstr(standing, ==, "funded member");
  g_autofree char *rate = ppm_pidgin_lab_widget(lab, "ppm-tracker", "ppm-rate");
  g_assert_cmpstr(rate, ==, "$2.00 / minute");
  screenshot(lab, "gui-call-charging");

  /* The platform stops answering: "Not charging", with the minutes the hold
   * secured; when it answers again billing catches up. */
  ppm_test_server_pause(server);
  gboolean not_charging = ppm_pidgin_lab_wait_dump(lab, "ppm-state: ● Not charging — ", 8000);
  if (not_charging)
    screenshot(lab, "gui-call-not-charging");
  ppm_test_server_resume(server);
  g_assert_true(not_charging);
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "ppm-state: ● Charging", 10000));

  /* The member hangs up: the tracker says so and stays a while; the model
   * is asked to rate the app. */
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "ppm-state: ■ Ended: the member hung up", 20000));
  g_autofree char *total = ppm_pidgin_lab_widget(lab, "ppm-tracker", "ppm-total");
  g_autofree char *charged = ppm_pidgin_lab_widget(lab, "ppm-tracker", "ppm-minutes");
  g_autofree char *earnings = ppm_pidgin_lab_widget(lab, "ppm-tracker", "ppm-earnings");
  g_assert_cmpint(cents(earnings), ==, g_ascii_strtoll(charged, NULL, 10) * EARNED_PER_MINUTE);
  /* The clock stopped at the call's own length: the member hangs up 14.5 s
   * after the call is up. */
  g_autofree char *length = ppm_pidgin_lab_widget(lab, "ppm-tracker", "ppm-elapsed");
  g_assert_cmpint(sscanf(length, "%d:%d", &minutes, &seconds), ==, 2);
  g_assert_cmpint(minutes * 60 + seconds, >=, 13);
  g_assert_cmpint(minutes * 60 + seconds, <=, 15);
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "window ppm-rating visible=1", 10000));
  screenshot(lab, "gui-call-ended");
  int status = 0;
  g_assert_true(ppm_lab_process_wait(&sim, 20000, &status));
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* What the tracker said is what the platform took from the member. */
  g_autofree char *balance
      = ppm_test_admin(server, NULL, &error, "balance", "--email", "member@localhost", NULL);
  g_assert_no_error(error);
  g_autofree char *balance_money = g_strconcat("$", balance, NULL);
  g_assert_cmpint(cents(total), >=, 400);
  g_assert_cmpint(2000 - cents(total), ==, cents(balance_money));

  g_free(hook(lab, "click name=ppm-star-5"));
  g_free(hook(lab, "click name=ppm-rating-send"));
  g_autofree char *after = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(after, "window ppm-rating"));

  /* core-ppm's "Payment history" opens the list, filled from the platform:
   * one earning per minute charged, and the call's earnings as balance. */
  g_free(hook(lab, "core-action label=Payment%20history"));
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "window ppm-history visible=1", 10000));
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "ppm-spinner: hidden", 10000));
  g_autofree char *history = ppm_pidgin_lab_dump(lab, NULL);
  int earning_rows = 0;
  for (const char *row = strstr(history, "| Earning | $1.70 |"); row != NULL;
       row = strstr(row + 1, "| Earning | $1.70 |"))
    earning_rows++;
  g_assert_cmpint(earning_rows, ==, g_ascii_strtoll(charged, NULL, 10));
  g_autofree char *balance_line = ppm_pidgin_lab_widget(lab, "ppm-history", "ppm-balance");
  g_autofree char *expected_balance = g_strconcat("Balance: ", earnings, NULL);
  g_assert_cmpstr(balance_line, ==, expected_balance);
  screenshot(lab, "gui-call-history");

  /* Settings shows the rate the platform has for the model. */
  g_free(hook(lab, "settings"));
  g_autofree char *rate_setting = ppm_pidgin_lab_widget(lab, "ppm-settings", "ppm-rate-setting");
  g_assert_cmpstr(rate_setting, ==, "2.00");
  g_free(hook(lab, "click name=ppm-settings-cancel"));

  gui_call_finish(&call);
}

/* An audio and video call into Pidgin (its video source a test pattern):
 * both media reach the member, billed like an audio call. */
static void
test_call_video_billed(void)
{
  g_autoptr(GError) error = NULL;
  GuiCall call = { 0 };
  gui_call_start(&call, TRUE);
  g_assert_true(ppm_pidgin_lab_wait_dump(call.lab, "window ppm-banner visible=1", 60000));
  g_free(hook(call.lab, "accept"));
  g_assert_true(ppm_pidgin_lab_wait_dump(call.lab, "ppm-state: ● Charging", 20000));
  g_assert_true(ppm_pidgin_lab_wait_dump(call.lab, "ppm-total: $4.00", 10000));
  screenshot(call.lab, "gui-call-video-charging");
  g_assert_true(
      ppm_pidgin_lab_wait_dump(call.lab, "ppm-state: ■ Ended: the member hung up", 30000));
  g_autofree char *total = ppm_pidgin_lab_widget(call.lab, "ppm-tracker", "ppm-total");
  int status = 0;
  g_assert_true(ppm_lab_process_wait(&call.sim, 20000, &status));
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* The member's side: both sessions up, decoded audio and video. */
  const char *artifacts = g_getenv("PPM_GUI_ARTIFACTS");
  g_autofree char *log_path
      = g_build_filename(artifacts != NULL ? artifacts : ".", "sim-call.log", NULL);
  g_autofree char *log = NULL;
  g_assert_true(g_file_get_contents(log_path, &log, NULL, &error));
  g_assert_true(
      g_regex_match_simple("^event=connected .* sid=video-session ", log, G_REGEX_MULTILINE, 0));
  g_assert_nonnull(strstr(log, " kind=audio sid=audio-session"));
  g_assert_nonnull(strstr(log, " kind=video sid=video-session"));

  g_autofree char *balance
      = ppm_test_admin(call.server, NULL, &error, "balance", "--email", "member@localhost", NULL);
  g_assert_no_error(error);
  g_autofree char *balance_money = g_strconcat("$", balance, NULL);
  g_assert_cmpint(cents(total), >=, 400);
  g_assert_cmpint(2000 - cents(total), ==, cents(balance_money));
  gui_call_finish(&call);
}

/* Runs the test program again inside its own network namespace. */
static int
reexec_in_netns(int argc, char **argv)
{
  const char *unshare_flags = geteuid() == 0 ? "-n" : "-rn";
  g_autoptr(GError) error = NULL;
  if (!run(&error, "unshare", unshare_flags, "true", NULL))
    {
      g_print("1..0 # SKIP no private network namespace: %s\n", error->message);
      return 0;
    }
  g_autofree char *self = g_file_read_link("/proc/self/exe", &error);
  g_assert_no_error(error);
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, (gpointer) "unshare");
  g_ptr_array_add(args, (gpointer)unshare_flags);
  g_ptr_array_add(args, (gpointer) "--");
  g_ptr_array_add(args, self);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add(args, argv[i]);
  g_ptr_array_add(args, NULL);
  g_setenv("PPM_GUI_NETNS", "1", TRUE);
  execvp("unshare", (char **)args->pdata);
  g_printerr("unshare: %s\n", g_strerror(errno));
  return 1;
}

int
main(int argc, char **argv)
{
  if (g_getenv("PPM_GUI_NETNS") == NULL)
    return reexec_in_netns(argc, argv);
  g_test_init(&argc, &argv, NULL);
  network_up();
  signal(SIGABRT, on_abort);
  g_test_add_func("/gui/call/billed", test_call_billed);
  g_test_add_func("/gui/call/video-billed", test_call_video_billed);
  return g_test_run();
}
