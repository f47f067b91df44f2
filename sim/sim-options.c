#include "sim-options.h"

#include <stddef.h>
#include <string.h>

#define PPM_SIM_PASSWORD_ENV "PPM_SIM_PASSWORD"

char *
ppm_sim_bare_jid(const char *jid)
{
  const char *slash = strchr(jid, '/');

  return slash != NULL ? g_strndup(jid, slash - jid) : g_strdup(jid);
}

gboolean
ppm_sim_jid_same_user(const char *a, const char *b)
{
  g_autofree char *bare_a = ppm_sim_bare_jid(a);
  g_autofree char *bare_b = ppm_sim_bare_jid(b);

  return g_ascii_strcasecmp(bare_a, bare_b) == 0;
}

static void
peer_script_free(gpointer data)
{
  PpmSimPeerScript *peer_script = data;

  g_free(peer_script->peer);
  g_free(peer_script);
}

/* The keys of --peer-script, as the options of the same name. */
static const struct
{
  const char *key;
  size_t offset;
} script_keys[] = {
  { "answer-after", offsetof(PpmSimCallScript, answer_after) },
  { "cancel-after", offsetof(PpmSimCallScript, cancel_after) },
  { "hangup-after", offsetof(PpmSimCallScript, hangup_after) },
  { "hold-after", offsetof(PpmSimCallScript, hold_after) },
  { "hold-for", offsetof(PpmSimCallScript, hold_for) },
};

static gboolean
script_set(PpmSimCallScript *script, const char *assignment, GError **error)
{
  g_auto(GStrv) parts = g_strsplit(assignment, "=", 2);

  for (gsize i = 0; g_strv_length(parts) == 2 && i < G_N_ELEMENTS(script_keys); i++)
    if (g_str_equal(parts[0], script_keys[i].key))
      {
        char *end = NULL;
        double seconds = g_ascii_strtod(parts[1], &end);

        if (end == parts[1] || *end != '\0')
          break;
        *(double *)((char *)script + script_keys[i].offset) = seconds;
        return TRUE;
      }
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
              "--peer-script: \"%s\" is not KEY=SECONDS with KEY one of answer-after, "
              "cancel-after, hangup-after, hold-after, hold-for",
              assignment);
  return FALSE;
}

/* "JID:KEY=S[,KEY=S...]", starting from the script of every call.  The
 * last colon ends the JID: the keys have none. */
static gboolean
parse_peer_script(PpmSimOptions *opts, const char *text, GError **error)
{
  const char *colon = strrchr(text, ':');
  g_autofree char *jid = colon != NULL ? g_strndup(text, colon - text) : NULL;
  g_auto(GStrv) assignments = NULL;
  PpmSimPeerScript *peer_script;

  if (jid == NULL || *jid == '\0')
    {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "--peer-script must be JID:KEY=SECONDS[,KEY=SECONDS...]");
      return FALSE;
    }
  peer_script = g_new0(PpmSimPeerScript, 1);
  peer_script->peer = ppm_sim_bare_jid(jid);
  peer_script->script = opts->call;
  g_ptr_array_add(opts->peer_scripts, peer_script);
  assignments = g_strsplit(colon + 1, ",", -1);
  for (int i = 0; assignments[i] != NULL; i++)
    if (!script_set(&peer_script->script, assignments[i], error))
      return FALSE;
  return TRUE;
}

const PpmSimCallScript *
ppm_sim_options_script_for(const PpmSimOptions *opts, const char *jid)
{
  /* The last one given for a peer wins, as with any repeated option. */
  for (guint i = opts->peer_scripts->len; i > 0; i--)
    {
      const PpmSimPeerScript *peer_script = g_ptr_array_index(opts->peer_scripts, i - 1);

      if (ppm_sim_jid_same_user(peer_script->peer, jid))
        return &peer_script->script;
    }
  return &opts->call;
}

static void
plugin_action_free(gpointer data)
{
  PpmSimPluginAction *action = data;

  g_free(action->name);
  g_free(action->button);
  g_free(action);
}

/* "NAME@SECONDS[:BUTTON]".  The last "@" ends the name, which may have
 * spaces; the button starts after the first colon behind it. */
static gboolean
parse_plugin_action(PpmSimOptions *opts, const char *text, GError **error)
{
  const char *at = strrchr(text, '@');
  g_autofree char *when = NULL;
  const char *colon;
  char *end = NULL;
  double seconds;
  PpmSimPluginAction *action;

  if (at == NULL || at == text)
    goto bad;
  colon = strchr(at, ':');
  when = colon != NULL ? g_strndup(at + 1, colon - at - 1) : g_strdup(at + 1);
  seconds = g_ascii_strtod(when, &end);
  if (end == when || *end != '\0' || seconds < 0 || (colon != NULL && colon[1] == '\0'))
    goto bad;
  action = g_new0(PpmSimPluginAction, 1);
  action->name = g_strndup(text, at - text);
  action->seconds = seconds;
  action->button = colon != NULL ? g_strdup(colon + 1) : NULL;
  g_ptr_array_add(opts->plugin_actions, action);
  return TRUE;

bad:
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
              "--plugin-action: \"%s\" is not NAME@SECONDS[:BUTTON]", text);
  return FALSE;
}

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
  g_auto(GStrv) peer_scripts = NULL;
  g_auto(GStrv) plugin_actions = NULL;
  gboolean no_answer = FALSE;
  *opts = (PpmSimOptions){
    .server = g_strdup("127.0.0.1"),
    .port = 5222,
    .calls = 1,
    .max_calls = 1,
    .pause = 1.0,
    .call = {
      .answer_after = 0.0,
      .cancel_after = -1.0,
      .hangup_after = -1.0,
      .hold_after = -1.0,
      .hold_for = -1.0,
    },
    .peer_scripts = g_ptr_array_new_with_free_func(peer_script_free),
    .vanish_after = -1.0,
    .freeze_after = -1.0,
    .call_timeout = 20.0,
    .timeout = -1.0,
    .unload_after = -1.0,
    .plugin_actions = g_ptr_array_new_with_free_func(plugin_action_free),
  };
  const GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "member (calls) or model (answers)", "ROLE" },
    { "account", 0, 0, G_OPTION_ARG_STRING, &opts->account, "Own XMPP JID with resource", "JID" },
    { "peer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->peers,
      "The other side's JID with resource (repeatable: a member calls each at once)", "JID" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &opts->server, "XMPP server [127.0.0.1]", "ADDR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &opts->port, "XMPP client port [5222]", "PORT" },
    { "user-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->user_dir, "libpurple user directory", "DIR" },
    { "video", 0, 0, G_OPTION_ARG_NONE, &opts->video, "Member: call with audio and video", NULL },
    { "survive-disconnect", 0, 0, G_OPTION_ARG_NONE, &opts->survive_disconnect,
      "A lost XMPP connection is reported but does not end the script (as Pidgin stays open)",
      NULL },
    { "silence", 0, 0, G_OPTION_ARG_NONE, &opts->silence, "Send silence (still sends RTP)", NULL },
    { "stock-media", 0, 0, G_OPTION_ARG_NONE, &opts->stock_media,
      "GStreamer and farstream as installed, as in Pidgin: no fs-codec.conf, nothing taken out of "
      "the registry",
      NULL },
    { "calls", 0, 0, G_OPTION_ARG_INT, &opts->calls,
      "Calls to place to each peer or to take, then exit; 0 = until stopped [1]", "N" },
    { "max-calls", 0, 0, G_OPTION_ARG_INT, &opts->max_calls,
      "Model: calls up at once; one more is declined as busy [1]", "N" },
    { "pause", 0, 0, G_OPTION_ARG_DOUBLE, &opts->pause, "Member: seconds between calls [1]", "S" },
    { "expect", 0, 0, G_OPTION_ARG_STRING, &expect,
      "Member: each call must be connected, ended (never connects) or any [connected]", "WHAT" },
    { "answer-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->call.answer_after,
      "Model: accept a call this long after it rings [0]", "S" },
    { "no-answer", 0, 0, G_OPTION_ARG_NONE, &no_answer, "Model: never accept", NULL },
    { "decline", 0, 0, G_OPTION_ARG_NONE, &opts->decline,
      "Model: decline calls (after --answer-after)", NULL },
    { "cancel-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->call.cancel_after,
      "Member: hang up a call not connected this long after calling", "S" },
    { "hangup-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->call.hangup_after,
      "Hang up this long after connected (default: wait for the peer)", "S" },
    { "hold-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->call.hold_after,
      "Put the call on hold this long after connected", "S" },
    { "hold-for", 0, 0, G_OPTION_ARG_DOUBLE, &opts->call.hold_for, "Resume after this long on hold",
      "S" },
    { "vanish-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->vanish_after,
      "Exit without hanging up this long after connected", "S" },
    { "freeze-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->freeze_after,
      "Stop itself (SIGSTOP) this long after connected", "S" },
    { "call-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opts->call_timeout,
      "Fail when a call takes longer to connect, or to end after a hangup [20]", "S" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opts->timeout, "Fail when the script runs longer",
      "S" },
    { "peer-script", 0, 0, G_OPTION_ARG_STRING_ARRAY, &peer_scripts,
      "Script for calls with one peer: the keys answer-after, cancel-after, hangup-after, "
      "hold-after, hold-for override the options of the same name (repeatable)",
      "JID:KEY=S[,KEY=S]" },
    { "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opts->plugins,
      "Load this libpurple plugin (repeatable)", "PATH" },
    { "pref", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->prefs,
      "Set a pref after the plugins are probed, before they load (repeatable)", "PATH=VALUE" },
    { "unload-after", 0, 0, G_OPTION_ARG_DOUBLE, &opts->unload_after,
      "Unload the plugins this long after they loaded", "S" },
    /* Raw bytes, not converted from the locale: labels are UTF-8 ("…")
     * whatever the locale is. */
    { "plugin-action", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_actions,
      "Run the --plugin action labelled NAME this long after the account signed on; a "
      "request it opens is answered with BUTTON, else closed (repeatable)",
      "NAME@S[:BUTTON]" },
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
      || !require(opts->peers != NULL ? opts->peers[0] : NULL, "--peer", error)
      || !require(opts->user_dir, "--user-dir", error)
      || !require(g_getenv(PPM_SIM_PASSWORD_ENV), PPM_SIM_PASSWORD_ENV, error))
    return FALSE;
  if (opts->calls < 0 || opts->max_calls < 1 || opts->port <= 0 || opts->port > 65535)
    {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "--calls must be >= 0, --max-calls >= 1 and --port within 1-65535");
      return FALSE;
    }
  if (no_answer)
    opts->call.answer_after = -1.0;
  for (int i = 0; peer_scripts != NULL && peer_scripts[i] != NULL; i++)
    if (!parse_peer_script(opts, peer_scripts[i], error))
      return FALSE;
  for (int i = 0; plugin_actions != NULL && plugin_actions[i] != NULL; i++)
    if (!parse_plugin_action(opts, plugin_actions[i], error))
      return FALSE;
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
  g_strfreev(opts->peers);
  if (opts->password != NULL)
    memset(opts->password, 0, strlen(opts->password));
  g_free(opts->password);
  g_free(opts->server);
  g_free(opts->user_dir);
  g_strfreev(opts->plugins);
  g_strfreev(opts->prefs);
  g_clear_pointer(&opts->peer_scripts, g_ptr_array_unref);
  g_clear_pointer(&opts->plugin_actions, g_ptr_array_unref);
}
