/* The command line of ppm-sim: who it is and the script it plays. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PPM_SIM_ROLE_MEMBER, /* signs in and calls --peer */
  PPM_SIM_ROLE_MODEL,  /* signs in and answers calls */
} PpmSimRole;

typedef enum
{
  PPM_SIM_EXPECT_CONNECTED, /* every call must connect before it ends */
  PPM_SIM_EXPECT_ENDED,     /* every call must end without connecting */
  PPM_SIM_EXPECT_ANY,
} PpmSimExpect;

/* Times are seconds; a negative time means "never". */
typedef struct
{
  PpmSimRole role;
  char *account;  /* full JID: user@host/resource */
  char *peer;     /* the other side's full JID */
  char *password; /* from the environment, never from argv */
  char *server;   /* XMPP server address */
  int port;
  char *user_dir;
  gboolean video;
  gboolean silence;
  gboolean debug;
  int calls; /* calls to place (member) or take (model); 0 = run until stopped */
  double pause;
  PpmSimExpect expect;
  double answer_after;
  gboolean decline;
  double cancel_after; /* member: hang up this long after calling if not connected */
  double hangup_after; /* the times below count from the call's first CONNECTED */
  double hold_after;
  double hold_for;
  double vanish_after;
  double freeze_after;
  double call_timeout;
  double timeout;
  char **plugins;
  char **prefs;
  double unload_after;
} PpmSimOptions;

/* Parses argv; returns FALSE with an error for bad usage. */
gboolean ppm_sim_options_parse(PpmSimOptions *opts, int *argc, char ***argv, GError **error);
void ppm_sim_options_clear(PpmSimOptions *opts);

G_END_DECLS
