/* ppm-sim: a headless libpurple client that places or answers calls by a
 * script and prints one line per event (docs/ppm-sim.md). */
#include <errno.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gst/gst.h>
#include <purple.h>

#include "sim-events.h"
#include "sim-loop.h"
#include "sim-media.h"
#include "sim-options.h"
#include "sim-plugins.h"
#include "sim-script.h"
#include "sim-ui.h"

#define PPM_SIM_UI_ID "ppm-sim"

static GMainLoop *sim_loop;
static int sim_exit_status = PPM_SIM_EXIT_OK;

static void
sim_done(int status)
{
  sim_exit_status = status;
  g_main_loop_quit(sim_loop);
}

static gboolean
sim_on_signal(gpointer data)
{
  ppm_sim_script_stop();
  return G_SOURCE_CONTINUE;
}

/* UPnP, NAT-PMP and STUN would reach outside the machine. */
static void
sim_prefs_set_network(void)
{
  purple_prefs_set_bool("/purple/network/map_ports", FALSE);
  purple_prefs_set_bool("/purple/network/auto_ip", FALSE);
  purple_prefs_set_string("/purple/network/stun_server", "");
}

static PurpleAccount *
sim_account_new(const PpmSimOptions *opts)
{
  PurpleAccount *account = purple_accounts_find(opts->account, "prpl-jabber");

  if (account == NULL)
    {
      account = purple_account_new(opts->account, "prpl-jabber");
      purple_accounts_add(account);
    }
  /* Kept in memory only: accounts.xml never gets it. */
  purple_account_set_remember_password(account, FALSE);
  purple_account_set_password(account, opts->password);
  purple_account_set_string(account, "connection_security", "opportunistic_tls");
  purple_account_set_bool(account, "auth_plain_in_clear", TRUE);
  purple_account_set_string(account, "connect_server", opts->server);
  purple_account_set_int(account, "port", opts->port);
  return account;
}

static gboolean
sim_setup(const PpmSimOptions *opts, GError **error)
{
  PurpleAccount *account;

  if (g_mkdir_with_parents(opts->user_dir, 0700) != 0)
    {
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s",
                  opts->user_dir, g_strerror(errno));
      return FALSE;
    }
  purple_util_set_user_dir(opts->user_dir);
  purple_core_set_ui_ops(ppm_sim_ui_get_core_ops(opts->debug));
  purple_eventloop_set_ui_ops(ppm_sim_loop_get_ui_ops());
  if (!purple_core_init(PPM_SIM_UI_ID))
    {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "libpurple failed to start");
      return FALSE;
    }
  purple_set_blist(purple_blist_new());
  purple_blist_load();
  purple_prefs_load();
  sim_prefs_set_network();
  if (!ppm_sim_media_init(opts->user_dir, opts->silence, opts->stock_media, error)
      || !ppm_sim_plugins_load(opts->plugins, opts->prefs, opts->unload_after, error))
    return FALSE;
  account = sim_account_new(opts);
  ppm_sim_script_start(opts, account, sim_done);
  ppm_sim_plugins_schedule_actions(opts->plugin_actions, account);
  purple_account_set_enabled(account, PPM_SIM_UI_ID, TRUE);
  purple_savedstatus_activate(purple_savedstatus_new(NULL, PURPLE_STATUS_AVAILABLE));
  return TRUE;
}

int
main(int argc, char **argv)
{
  PpmSimOptions opts;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = g_strdup_printf("%d", (int)getpid());

  gst_init(NULL, NULL);
  if (!ppm_sim_options_parse(&opts, &argc, &argv, &error))
    {
      g_printerr("ppm-sim: %s (see --help)\n", error->message);
      ppm_sim_options_clear(&opts);
      return PPM_SIM_EXIT_USAGE;
    }
  sim_loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGINT, sim_on_signal, NULL);
  g_unix_signal_add(SIGTERM, sim_on_signal, NULL);
  ppm_sim_event("started", "role", opts.role == PPM_SIM_ROLE_MEMBER ? "member" : "model", "account",
                opts.account, "pid", pid, NULL);
  if (!sim_setup(&opts, &error))
    {
      ppm_sim_event("done", "status", "failed", "text", error->message, NULL);
      sim_exit_status = PPM_SIM_EXIT_FAILED;
    }
  else
    g_main_loop_run(sim_loop);
  /* Unloads the plugins (which close their sessions) and disconnects. */
  purple_core_quit();
  g_main_loop_unref(sim_loop);
  ppm_sim_options_clear(&opts);
  return sim_exit_status;
}
