/* The command line of ppm-sim: who it is and the script it plays. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PPM_SIM_ROLE_MEMBER, /* signs in and calls every --peer */
  PPM_SIM_ROLE_MODEL,  /* signs in and answers calls */
} PpmSimRole;

typedef enum
{
  PPM_SIM_EXPECT_CONNECTED, /* every call must connect before it ends */
  PPM_SIM_EXPECT_ENDED,     /* every call must end without connecting */
  PPM_SIM_EXPECT_ANY,
} PpmSimExpect;

/* What happens in one call.  Times are seconds; a negative time means
 * "never". */
typedef struct
{
  double answer_after; /* model: accept this long after it rings */
  double cancel_after; /* member: hang up this long after calling if not connected */
  double hangup_after; /* the times below count from the call's first CONNECTED */
  double hold_after;
  double hold_for;
} PpmSimCallScript;

/* --peer-script: the call script for calls with one peer. */
typedef struct
{
  char *peer; /* bare JID */
  PpmSimCallScript script;
} PpmSimPeerScript;

/* --plugin-action: a plugin action run SECONDS after the account signed on;
 * a request it opens is answered with BUTTON (NULL: closed, as any other). */
typedef struct
{
  char *name;
  double seconds;
  char *button;
} PpmSimPluginAction;

typedef struct
{
  PpmSimRole role;
  char *account;  /* full JID: user@host/resource */
  char **peers;   /* full JIDs: called by a member, buddies of both roles */
  char *password; /* from the environment, never from argv */
  char *server;   /* XMPP server address */
  int port;
  char *user_dir;
  gboolean video;
  gboolean silence;
  gboolean stock_media; /* no codec preferences, GStreamer's registry as installed */
  gboolean debug;
  int calls;     /* member: calls to place to each peer; model: calls to take; 0 = until stopped */
  int max_calls; /* model: calls up at once; one more rings busy and is declined */
  double pause;
  PpmSimExpect expect;
  gboolean decline;
  PpmSimCallScript call;   /* for every call without a --peer-script */
  GPtrArray *peer_scripts; /* of PpmSimPeerScript */
  double vanish_after;     /* the process as a whole, counted from a call's first CONNECTED */
  double freeze_after;
  double call_timeout;
  gboolean survive_disconnect; /* a connection error does not end the script */
  double timeout;
  char **plugins;
  char **prefs;
  double unload_after;
  GPtrArray *plugin_actions; /* of PpmSimPluginAction, in the order given */
} PpmSimOptions;

/* Parses argv; returns FALSE with an error for bad usage. */
gboolean ppm_sim_options_parse(PpmSimOptions *opts, int *argc, char ***argv, GError **error);
void ppm_sim_options_clear(PpmSimOptions *opts);

/* The call script for calls with `jid` (any resource of it). */
const PpmSimCallScript *ppm_sim_options_script_for(const PpmSimOptions *opts, const char *jid);

/* `jid` without its resource (newly allocated). */
char *ppm_sim_bare_jid(const char *jid);
/* Whether two JIDs name the same user, resources aside (case-insensitive). */
gboolean ppm_sim_jid_same_user(const char *a, const char *b);

G_END_DECLS
