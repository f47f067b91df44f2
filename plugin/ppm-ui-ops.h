/* What core-ppm shows to the model, as a table a UI can replace.
 *
 * core-ppm works in any libpurple UI with its defaults (purple_notify,
 * purple_request_fields, system lines in the conversation).  A UI plugin such
 * as gtk-ppm installs its own table without linking to core-ppm, through
 * libpurple's plugin IPC (docs/plugin-contract.md#ipc):
 *
 *   PurplePlugin *core = purple_plugins_find_with_id (PPM_PLUGIN_ID);
 *   purple_plugin_ipc_call (core, PPM_IPC_SET_UI_OPS, NULL, &my_ops);
 *
 * NULL members fall back to the defaults; passing NULL restores all of them.
 * The table must stay valid until it is replaced or gtk-ppm unloads (it then
 * passes NULL).  Strings passed to the ops are valid only during the call. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PPM_PLUGIN_ID "core-ppm"

/* IPC commands registered by core-ppm. */
#define PPM_IPC_SET_UI_OPS "set-ui-ops"     /* void (const PpmUiOps *ops) */
#define PPM_IPC_GET_STATUS "get-status"     /* char * (void): newly allocated text */
#define PPM_IPC_IS_CONNECTED "is-connected" /* gboolean (void), as GINT_TO_POINTER */

/* Bumped whenever a member is added; a table with another version is refused. */
#define PPM_UI_OPS_VERSION 2

typedef enum
{
  PPM_TRACKER_OPENING,      /* the call is up, the session is being opened */
  PPM_TRACKER_CHARGING,     /* the last charge was confirmed */
  PPM_TRACKER_NOT_CHARGING, /* the platform does not answer; `secured` minutes are reserved */
  PPM_TRACKER_UNBILLED,     /* billing stopped for good, the call goes on */
  PPM_TRACKER_ENDED,
} PpmTrackerState;

/* One billed call, as the tracker in the lower-right corner shows it. */
typedef struct
{
  const char *call_id; /* the same string from show to hide */
  const char *member;  /* display name, or the handle */
  PpmTrackerState state;
  gint64 minutes;    /* charges confirmed */
  const char *total; /* "$4.00" */
  int secured;       /* minutes reserved on the platform */
  const char *line;  /* the last chat line about this call */
  /* Since version 2. */
  gint64 elapsed_ms;         /* the call's time since t0 when this was sent */
  const char *rate;          /* per minute ("$2.50"); NULL before the open is confirmed */
  const char *earnings;      /* the model's share after the fee; NULL before the open */
  const char *caller_status; /* "funded member", "member", ...; NULL when unknown */
  const char *reason;        /* UNBILLED and ENDED: why, in words ("remote hangup") */
} PpmTrackerInfo;

/* An incoming call, before the model answers. */
typedef struct
{
  const char *account;  /* the model's IM account, as libpurple names it */
  const char *protocol; /* e.g. "prpl-jabber" */
  const char *caller;   /* the caller's handle */
  int kind;             /* a PpmCallerKind (plugin/ppm-text.h) */
  const char *text;     /* "Incoming call from Alice: funded member, ..." */
} PpmBanner;

/* stars 1–5, or 0 when the model declined to rate; comment may be NULL. */
typedef void (*PpmRatingDone)(int stars, const char *comment, gpointer user_data);
typedef void (*PpmMoreRequested)(gpointer user_data);

/* One transaction of the payment history, formatted for people. */
typedef struct
{
  const char *time; /* local, to the minute */
  const char *kind; /* in words: "Deposit", "Charge", "Refund", "Earning", "Payout" */
  const char *amount;
  const char *balance_after;
  const char *counterparty; /* may be NULL */
} PpmHistoryRow;

/* One page of the payment history, newest first. */
typedef struct
{
  const char *before; /* the cursor this page answers; NULL: the newest page */
  const PpmHistoryRow *rows;
  gsize n_rows;
  const char *balance;     /* the balance now; NULL when not known */
  const char *next_before; /* the cursor of the next older page; NULL: none */
  const char *error;       /* the page could not be loaded (no rows), in words */
} PpmHistoryPage;

/* Asks core-ppm for the page older than `before` (NULL: the newest again);
 * it answers through history_page. */
typedef void (*PpmHistoryMore)(const char *before, gpointer more_data);

typedef struct
{
  int version; /* PPM_UI_OPS_VERSION */

  void (*tracker_show)(const PpmTrackerInfo *info);
  void (*tracker_update)(const PpmTrackerInfo *info);
  void (*tracker_hide)(const char *call_id);

  /* Shown while the call rings; the default is a purple_notify_info. */
  void (*incoming_call)(const PpmBanner *banner);
  /* The call was answered, declined or ended before an answer. */
  void (*incoming_call_done)(const char *caller);

  /* `html`: transactions and sessions, newest first.  `more` (may be NULL
   * when there is nothing older) fetches the next page and calls
   * history_show again. */
  void (*history_show)(const char *title, const char *html, PpmMoreRequested more,
                       gpointer more_data);

  /* Since version 2: the payment history as a list.  When set, the
   * "Payment history" action sends the newest page here instead of
   * history_show, and `more` fetches the others. */
  void (*history_page)(const PpmHistoryPage *page, PpmHistoryMore more, gpointer more_data);

  /* Opens the settings; the default is a purple_request_fields dialog.  A
   * replacement edits the prefs under /plugins/core/ppm/ itself and sets the
   * rate with the PPM_IPC_SET_RATE command. */
  void (*settings_show)(void);

  /* Asks the model to rate the app after a call. */
  void (*rating_request)(const char *title, PpmRatingDone done, gpointer user_data);
} PpmUiOps;

#define PPM_IPC_SET_RATE "set-rate" /* void (const char *amount), e.g. "2.50" */
/* char * (void): the model's rate now as "2.50", newly allocated; NULL while
 * it is not known (signed out). */
#define PPM_IPC_GET_RATE "get-rate"

/* The answer to a sign-in: NULL when signed in, else why not, in words. */
typedef void (*PpmSignInResult)(const char *error_words, gpointer user_data);

/* A sign-in from the UI's own dialog.  `done` runs once, when the platform
 * answered (before the command returns when a field is empty or the platform
 * address is not valid); never once the UI's table was replaced (the UI may
 * be unloading), nor after core-ppm unloaded. */
typedef struct
{
  const char *email;
  const char *password;
  gboolean remember; /* keep the password in the system keyring */
  PpmSignInResult done;
  gpointer user_data;
} PpmSignInRequest;

#define PPM_IPC_SIGN_IN "sign-in"   /* void (const PpmSignInRequest *request) */
#define PPM_IPC_SIGN_OUT "sign-out" /* void (void) */

G_END_DECLS
