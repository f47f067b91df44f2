/* core-ppm in a real Finch, driven through tmux as a person at the keyboard
 * would (send-keys, then reading the screen with capture-pane), against a
 * real ppm-server on 127.0.0.1 and, for its IM accounts, the lab's Prosody
 * in a private network namespace; Finch talks to nothing else. */
#include "call-lab.h"
#include "ppm-test-server.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define EMAIL "model@example.org"
#define PASSWORD "correct horse battery"

typedef struct
{
  PpmTestServer *server; /* the lab's, or this test's own */
  CallLab *lab;          /* NULL: no IM accounts */
  char *home;
  char *socket; /* tmux -S: a server of this test's own, in `home` */
} Finch;

static void
tmux(Finch *finch, char **out, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, "tmux");
  g_ptr_array_add(argv, "-S");
  g_ptr_array_add(argv, finch->socket);
  va_list ap;
  va_start(ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)arg);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;
  g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, NULL,
               &status, &error);
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
}

static char *
screen(Finch *finch)
{
  char *text = NULL;
  tmux(finch, &text, "capture-pane", "-p", "-t", "finch", NULL);
  return text;
}

/* Waits up to 10 s until the screen shows `needle` (or, with `gone`, no
 * longer shows it); fails the test with the screen otherwise. */
static void
wait_screen(Finch *finch, const char *needle, gboolean gone)
{
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *text = screen(finch);
      if ((strstr(text, needle) != NULL) != gone)
        return;
      if (g_get_monotonic_time() > deadline)
        g_error("the screen %s \"%s\":\n%s", gone ? "still shows" : "never showed", needle, text);
      g_usleep(100 * 1000);
    }
}

static void
keys(Finch *finch, const char *key)
{
  tmux(finch, NULL, "send-keys", "-t", "finch", key, NULL);
  g_usleep(200 * 1000);
}

static void
write_prefs(Finch *finch, const char *email)
{
  g_autofree char *plugins = g_build_filename(finch->home, "plugins", NULL);
  g_assert_cmpint(g_mkdir(plugins, 0700), ==, 0);
  g_autofree char *plugin = g_build_filename(plugins, "ppm.so", NULL);
  g_assert_cmpint(symlink(g_getenv("PPM_PLUGIN_PATH"), plugin), ==, 0);
  g_autofree char *prefs = g_strdup_printf(
      "<?xml version='1.0' encoding='UTF-8' ?>\n"
      "<pref version='1' name='/'>"
      "<pref name='finch'><pref name='plugins'><pref name='loaded' type='pathlist'>"
      "<item value='%s'/></pref></pref></pref>"
      "<pref name='plugins'><pref name='core'><pref name='ppm'>"
      "<pref name='server_url' type='string' value='%s'/>"
      "<pref name='email' type='string' value='%s'/>"
      "</pref></pref></pref></pref>\n",
      plugin, finch->server->url, email);
  g_autofree char *path = g_build_filename(finch->home, "prefs.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_set_contents(path, prefs, -1, &error));
}

/* XMPP accounts USER@localhost on the lab's Prosody, enabled in Finch. */
static void
write_accounts(Finch *finch, const char *const *users)
{
  g_autoptr(GString) xml = g_string_new("<?xml version='1.0' encoding='UTF-8' ?>\n"
                                        "<account version='1.0'>");
  for (gsize i = 0; users[i] != NULL; i++)
    g_string_append_printf(
        xml,
        "<account><protocol>prpl-jabber</protocol><name>%s@localhost/f</name>"
        "<password>pw</password><settings>"
        "<setting name='connect_server' type='string'>127.0.0.1</setting>"
        "<setting name='port' type='int'>5222</setting>"
        "<setting name='connection_security' type='string'>opportunistic_tls</setting>"
        "<setting name='auth_plain_in_clear' type='bool'>1</setting></settings>"
        "<settings ui='gnt-purple'><setting name='auto-login' type='bool'>1</setting>"
        "</settings></account>",
        users[i]);
  g_string_append(xml, "</account>\n");
  g_autofree char *path = g_build_filename(finch->home, "accounts.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_set_contents(path, xml->str, -1, &error));
}

/* Finch signed in to the platform as `email` (`password`), with the XMPP
 * accounts `users` (NULL: none), the buddy list in front. */
static Finch *
finch_start(CallLab *lab, const char *email, const char *password, const char *const *users)
{
  Finch *finch = g_new0(Finch, 1);
  g_autoptr(GError) error = NULL;
  finch->lab = lab;
  if (lab != NULL)
    finch->server = lab->server;
  else
    {
      finch->server = ppm_test_server_start(NULL, NULL, &error);
      g_assert_no_error(error);
      g_autofree char *user
          = ppm_test_admin(finch->server, password, &error, "create-user", "--email", email,
                           "--role", "model", "--display-name", "Mia", NULL);
      g_assert_no_error(error);
    }
  finch->home = g_dir_make_tmp("ppm-finch-XXXXXX", &error);
  g_assert_no_error(error);
  finch->socket = g_build_filename(finch->home, "tmux", NULL);
  write_prefs(finch, email);
  if (users != NULL)
    write_accounts(finch, users);
  g_autofree char *password_env = g_strdup_printf("PPM_PASSWORD=%s", password);

  tmux(finch, NULL, "new-session", "-d", "-s", "finch", "-x", "160", "-y", "50", "env",
       /* Finch reads the arrow keys tmux sends only as xterm's. */
       "TERM=xterm", password_env,
       /* A test that fails leaves no Finch (nor tmux server) behind for long. */
       "timeout", "100", "finch", "-c", finch->home, NULL);
  /* Without IM accounts Finch opens Accounts and New Account first. */
  if (users == NULL)
    {
      wait_screen(finch, "New Account", FALSE);
      keys(finch, "M-c");
      wait_screen(finch, "New Account", TRUE);
      keys(finch, "M-c");
      wait_screen(finch, "Accounts ", TRUE);
    }
  wait_screen(finch, "Buddy List", FALSE);
  return finch;
}

static void
finch_stop(Finch *finch)
{
  tmux(finch, NULL, "kill-server", NULL);
  if (finch->lab == NULL)
    ppm_test_server_free(finch->server);
  g_autofree char *rm = g_strdup_printf("rm -rf '%s'", finch->home);
  g_assert_cmpint(system(rm), ==, 0);
  g_free(finch->home);
  g_free(finch->socket);
  g_free(finch);
}

/* Buddy List › Plugins › Pay per minute › `key` (the entry's letter). */
static void
open_action(Finch *finch, const char *key)
{
  keys(finch, "F10");
  wait_screen(finch, "Plugins", FALSE);
  /* From Options, the last menu; Right would enter Accounts' submenus. */
  keys(finch, "Left");
  wait_screen(finch, "Pay per minute", FALSE);
  keys(finch, "Right");
  wait_screen(finch, "Rate the app", FALSE);
  keys(finch, key);
}

/* Rate the app opens at five stars, and two stars picked in Finch's list
 * are stored as two (Finch numbers a choice field's entries from 1). */
static void
test_rate_app(void)
{
  Finch *finch = finch_start(NULL, EMAIL, PASSWORD, NULL);
  open_action(finch, "r");
  wait_screen(finch, "How do you like the pay-per-minute plugin?", FALSE);
  wait_screen(finch, "Stars                x★★★★★ ", FALSE);
  keys(finch, "Down");
  keys(finch, "Up");
  keys(finch, "Up");
  keys(finch, "Up");
  keys(finch, "Enter");
  wait_screen(finch, "Stars                x★★ ", FALSE);
  keys(finch, "Tab");
  keys(finch, "Tab");
  keys(finch, "Enter");
  wait_screen(finch, "How do you like", TRUE);

  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *stars = ppm_test_server_sql(finch->server, "SELECT stars FROM app_ratings");
      if (*stars != '\0')
        {
          g_assert_cmpstr(stars, ==, "2");
          break;
        }
      g_assert_cmpint(g_get_monotonic_time(), <, deadline);
      g_usleep(100 * 1000);
    }
  finch_stop(finch);
}

/* Until the dialog's combo box shows `want`: opens its list, moves one
 * down (wrapping) and picks. */
static void
pick_in_combo(Finch *finch, const char *want, guint n_entries)
{
  for (guint i = 0; i <= n_entries; i++)
    {
      g_autofree char *text = screen(finch);
      if (strstr(text, want) != NULL)
        return;
      keys(finch, "Down");
      keys(finch, "Down");
      keys(finch, "Enter");
    }
  g_autofree char *text = screen(finch);
  g_error("could not pick \"%s\":\n%s", want, text);
}

/* Two XMPP accounts online and unlinked: the one picked in Finch's
 * "Link IM account…" list is the one linked. */
static void
test_link_im_account(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CallLab) lab = call_lab_new(NULL, &error);
  g_assert_no_error(error);
  call_lab_add_model_linked(lab, "model", "2.00", NULL);
  const char *const users[] = { "model", "model2", NULL };
  Finch *finch = finch_start(lab, "model@example.org", "platform-pw", users);

  /* Both accounts connect in their own time: ask until both are offered. */
  gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      open_action(finch, "l");
      wait_screen(finch, "Link IM account", FALSE);
      g_autofree char *text = screen(finch);
      if (strstr(text, "Which IM account do you want to link") != NULL)
        break;
      g_assert_cmpint(g_get_monotonic_time(), <, deadline);
      keys(finch, "M-c");
      g_usleep(500 * 1000);
    }
  /* The accounts are offered in the order they came online; the one not
   * shown at first is picked.  The combo box is narrower than the labels:
   * their starts differ. */
  g_autofree char *first = screen(finch);
  gboolean model2_first = strstr(first, "xmodel2@") != NULL;
  pick_in_combo(finch, model2_first ? "xmodel@" : "xmodel2@", 2);
  keys(finch, "Tab");
  keys(finch, "Enter");
  wait_screen(finch, "is now linked to your platform account", FALSE);
  g_autofree char *handles = call_lab_handles(lab, "model");
  g_assert_cmpstr(handles, ==,
                  model2_first ? "prpl-jabber model@localhost" : "prpl-jabber model2@localhost");
  finch_stop(finch);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/plugin/finch/rate-app", test_rate_app);
  /* IM accounts need the lab's Prosody, in a network namespace of its own. */
  g_autoptr(GError) error = NULL;
  g_autofree char *prosody = g_find_program_in_path("prosody");
  if (prosody == NULL)
    g_test_message("no Finch test with IM accounts: prosody is not installed");
  else if (call_lab_enter_netns(&error))
    g_test_add_func("/plugin/finch/link-im-account", test_link_im_account);
  else
    g_test_message("no Finch test with IM accounts: %s", error->message);
  return g_test_run();
}
