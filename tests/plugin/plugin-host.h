/* A minimal libpurple host for testing core-ppm in-process: GLib event loop,
 * a fresh user dir, and notify/request/debug ui-ops that record what the
 * plugin shows so a test can read it and answer dialogs. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* Starts libpurple with a fresh user dir (removed by ppm_host_shutdown()). */
void ppm_host_init(void);
void ppm_host_shutdown(void);

/* Probes the plugin named by PPM_PLUGIN_PATH (set by meson). */
PurplePlugin *ppm_host_probe_plugin(void);

/* Runs the main loop until `done(data)` or `timeout_ms`; the result of done. */
gboolean ppm_host_wait(gboolean (*done)(gpointer data), gpointer data, guint timeout_ms);

/* Every purple_notify_* so far as "title / primary / secondary / text",
 * oldest first. */
GPtrArray *ppm_host_notices(void);
void ppm_host_clear_notices(void);
/* Waits for a notice containing `needle`; returns it or NULL. */
const char *ppm_host_wait_notice(const char *needle, guint timeout_ms);

/* Every purple_debug_* line so far (what Pidgin's Debug window shows), oldest
 * first. */
typedef struct
{
  PurpleDebugLevel level;
  char *category;
  char *message;
} PpmHostDebugLine;

GPtrArray *ppm_host_debug_lines(void);
void ppm_host_clear_debug_lines(void);

/* The open purple_request_fields dialogs, oldest first. */
typedef struct
{
  char *title;
  char *secondary; /* the dialog's secondary text, "" when none */
  PurpleRequestFields *fields;
  GCallback ok_cb;
  GCallback cancel_cb;
  gpointer user_data;
} PpmHostRequest;

/* The oldest open request_fields dialog whose title contains `needle`,
 * waiting for it up to `timeout_ms`; NULL if none came. */
PpmHostRequest *ppm_host_wait_request(const char *needle, guint timeout_ms);
/* Presses OK or Cancel, which closes the dialog. */
void ppm_host_request_ok(PpmHostRequest *request);
void ppm_host_request_cancel(PpmHostRequest *request);
guint ppm_host_n_requests(void);
/* Picks `label` in the single-select list field `id`, as Pidgin (a tree
 * view) and Finch (a combo box) both answer one: by the label, never by a
 * position, which the two UIs number differently.  Fails the test unless
 * the field is such a list holding `label`. */
void ppm_host_request_pick(PpmHostRequest *request, const char *id, const char *label);

/* Whether core-ppm's sign-in dialog came back within `timeout_ms` saying
 * `words` (a failed sign-in asks again); that dialog is then cancelled. */
gboolean ppm_host_wait_sign_in_refused(const char *words, guint timeout_ms);

/* Runs the plugin action labelled `label`; FALSE when there is none. */
gboolean ppm_host_run_action(PurplePlugin *plugin, const char *label);

/* Runs "Sign in…" and answers its dialog (field ids email, password masked,
 * remember) with `email` and `password`. */
void ppm_host_sign_in(PurplePlugin *plugin, const char *email, const char *password);

G_END_DECLS
