#include "sim-options.h"

#include <string.h>

#define PPM_SIM_PASSWORD_ENV "PPM_SIM_PASSWORD"

static gboolean
parse_role(const char *text, PpmSimRole *role, GError **error)
{
  if (g_strcmp0(text, "member") == 0)
    *role = PPM_SIM_ROLE_MEMBER;
  else if (g_strcmp0(text, "model") == 0)
    *role = PPM_SIM_ROLE_MODEL;
  else
    {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "--role must be member or model");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_expect(const char *text, PpmSimExpect *expect, GError **error)
{
  if (text == NULL || g_str_equal(text, "connected"))
    *expect = PPM_SIM_EXPECT_CONNECTED;
  else if (g_str_equal(text, "ended"))
    *expect = PPM_SIM_EXPECT_ENDED;
  else if (g_str_equal(text, "any"))
    *expect = PPM_SIM_EXPECT_ANY;
  else
    {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "--expect must be connected, ended or any");
      return FALSE;
    }
  return TRUE;
}

static gboolean
require(const char *value, const char *option, GError **error)
{
  if (value != NULL && *value != '\0')
    return TRUE;
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s is required", option);
  return FALSE;
}

gboolean
ppm_sim_options_parse(PpmSimOptions *opts, int *argc, char ***argv, GError **error)
{
  g_autofree char *role = NULL;
  g_autofree char *expect = NULL;
  gboolean no_answer = FALSE;
  *opts = (PpmSimOptions){
    .server = g_strdup("127.0.0.1"),
    .port = 5222,
    .calls = 1,
    .pause = 1.0,
    .answer_after = 0.0,
    .cancel_after = -1.0,
    .hangup_after = -1.0,
    .hold_after = -1.0,
    .hold_for = -1.0,
    .vanish_after = -1.0,
    .freeze_after = -1.0,
    .call_timeout = 20.0,
    .timeout = -1.0,
    .unload_after = -1.0,
  };
  const GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "member (calls) or model (answers)", "ROLE" },
    { "account", 0, 0, G_OPTION_ARG_STRING, &opts->account, "Own XMPP JID with resource", "JID" },
    { "peer", 0, 0, G_OPTION_ARG_STRING, &opts->peer, "The other side's JID with resource", "JID" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &opts->server, "XMPP server [127.0.0.1]", "ADDR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &opts->port, "XMPP client port [5222]", "PORT" },
    { "user-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->user_dir, "libpurple user directory", "DIR" },
    { "video", 0, 0, G_OPTION_ARG_NONE, &opts->video, "Member: call with audio and video", NULL },
    { "silence", 0, 0, G_OPTION_ARG_NONE, &opts->silence, "Send silence (still sends RTP)", NULL },
    { "calls", 0, 0, G_OPTION_ARG_INT, &opts->calls,
      "Calls to place or take, then exit; 0 = until stopped [1]", "N" },
    { "pause", 0, 0, G_OPTION_ARG_DOUBLE, &opts->pause, "Member: seconds between calls [1]", "S" },
    { "expect", 0, 0, G_OPTION_ARG_STRING, &expect,
      "Member: each call must be connected, ended (never connects) or any [connected]", "WHAT" },
    { "answer-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->answer_after,
      "Model: accept a call this long after it rings [0]", "S" },
    { "no-answer", 0, 0, G_OPTION_ARG_NONE, &no_answer, "Model: never accept", NULL },
    { "decline", 0, 0, G_OPTION_ARG_NONE, &opts->decline,
      "Model: decline calls (after --answer-after)", NULL },
    { "cancel-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->cancel_after,
      "Member: hang up a call not connected this long after calling", "S" },
    { "hangup-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->hangup_after,
      "Hang up this long after connected (default: wait for the peer)", "S" },
    { "hold-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->hold_after,
      "Put the call on hold this long after connected", "S" },
    { "hold-for", 0, 0, G_OPTION_ARG_DOUBLE, &opts->hold_for, "Resume after this long on hold",
      "S" },
    { "vanish-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->vanish_after,
      "Exit without hanging up this long after connected", "S" },
    { "freeze-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->freeze_after,
      "Stop itself (SIGSTOP) this long after connected", "S" },
    { "call-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opts->call_timeout,
      "Fail when a call takes longer to connect, or to end after a hangup [20]", "S" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opts->timeout, "Fail when the script runs longer",
      "S" },
    { "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opts->plugins,
      "Load this libpurple plugin (repeatable)", "PATH" },
    { "pref", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->prefs,
      "Set a pref after the plugins are probed, before they load (repeatable)", "PATH=VALUE" },
    { "unload-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->unload_after,
      "Unload the plugins this long after they loaded", "S" },
    { "debug", 0, 0, G_OPTION_ARG_NONE, &opts->debug, "libpurple debug output on stderr", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- headless libpurple caller");

  g_option_context_set_summary(
      context, "Signs in to XMPP and places or answers calls by a script, printing one\n"
               "line per event on standard output. The XMPP password is read from the\n"
               "environment variable " PPM_SIM_PASSWORD_ENV ".");
  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, argc, argv, error))
    return FALSE;
  if (!require(role, "--role", error) || !parse_role(role, &opts->role, error)
      || !parse_expect(expect, &opts->expect, error) || !require(opts->account, "--account", error)
      || !require(opts->peer, "--peer", error) || !require(opts->user_dir, "--user-dir", error)
      || !require(g_getenv(PPM_SIM_PASSWORD_ENV), PPM_SIM_PASSWORD_ENV, error))
    return FALSE;
  if (opts->calls < 0 || opts->port <= 0 || opts->port > 65535)
    {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "--calls must be >= 0 and --port within 1-65535");
      return FALSE;
    }
  if (no_answer)
    opts->answer_after = -1.0;
  /* A model that never accepts expects its calls to end unconnected. */
  if (expect == NULL && opts->role == PPM_SIM_ROLE_MODEL && (no_answer || opts->decline))
    opts->expect = PPM_SIM_EXPECT_ENDED;
  opts->password = g_strdup(g_getenv(PPM_SIM_PASSWORD_ENV));
  /* Children (and plugins) have no business with it. */
  g_unsetenv(PPM_SIM_PASSWORD_ENV);
  return TRUE;
}

void
ppm_sim_options_clear(PpmSimOptions *opts)
{
  g_free(opts->account);
  g_free(opts->peer);
  if (opts->password != NULL)
    memset(opts->password, 0, strlen(opts->password));
  g_free(opts->password);
  g_free(opts->server);
  g_free(opts->user_dir);
  g_strfreev(opts->plugins);
  g_strfreev(opts->prefs);
}
