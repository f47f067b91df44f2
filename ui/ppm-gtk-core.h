/* The IPC commands of core-ppm, which gtk-ppm calls but never links to. */
#pragma once

#include "ppm-ui-ops.h"

#include <glib.h>

G_BEGIN_DECLS

/* Installs `ops` (NULL restores core-ppm's defaults).  FALSE when core-ppm is
 * not loaded or refused the table. */
gboolean ppm_gtk_core_set_ui_ops(const PpmUiOps *ops);
/* The plugin's status in words ("Connected", "Not signed in", ...). */
char *ppm_gtk_core_status(void);
/* Sets the model's rate on the platform, e.g. "2.50"; core-ppm reports the outcome. */
void ppm_gtk_core_set_rate(const char *amount);
/* The model's rate now ("2.50", newly allocated), NULL while not known. */
char *ppm_gtk_core_rate(void);
/* Signs in with the model's email and password (`remember`: kept in the
 * system keyring by core-ppm); `done` gets NULL or the failure in words. */
void ppm_gtk_core_sign_in(const char *email, const char *password, gboolean remember,
                          PpmSignInResult done, gpointer user_data);
void ppm_gtk_core_sign_out(void);
/* Runs core-ppm's plugin action with this (untranslated) label, e.g. "Sign in…".
 * FALSE when there is no such action. */
gboolean ppm_gtk_core_run_action(const char *label);
gboolean ppm_gtk_core_has_action(const char *label);

G_END_DECLS
