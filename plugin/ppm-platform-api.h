/* The platform client of the signed-in model, for the modules that make
 * their own requests (history, settings, sign-in). */
#pragma once

#include "ppm-api.h"

G_BEGIN_DECLS

/* NULL when no platform URL is configured or it is invalid. */
PpmApi *ppm_platform_get_api(void);
/* Cancelled when the plugin unloads: for every request of the plugin. */
GCancellable *ppm_platform_get_cancellable(void);
/* Forgets the history's paging cursors (unload). */
void ppm_history_shutdown(void);

/* GET /v1/me as last fetched; NULL when signed out. */
const PpmMe *ppm_platform_get_me(void);
/* Refetches GET /v1/me (after a change of rate or handles). */
void ppm_platform_refresh_me(void);

/* Signs in; `remember` stores the password in the credential store.  The
 * result, in words, goes to the sign-in dialog's caller through `done`. */
typedef void (*PpmSignInDone)(const GError *error, gpointer user_data);
void ppm_platform_sign_in(const char *email, const char *password, gboolean remember,
                          PpmSignInDone done, gpointer user_data);

/* A sign-in error in words: wrong password, server unreachable, TLS problem. */
char *ppm_platform_error_words(const GError *error);

G_END_DECLS
