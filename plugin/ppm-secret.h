/* The model's platform password in the credential store (core/credentials). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* `password` is NULL when nothing is stored or no store answers; the callee
 * owns it.  Not called when `cancellable` fired. */
typedef void (*PpmSecretFound)(char *password, gpointer user_data);

void ppm_secret_lookup(const char *server_url, const char *email, GCancellable *cancellable,
                       PpmSecretFound found, gpointer user_data);
/* Stores or forgets it; failures are logged, never fatal. */
void ppm_secret_store(const char *server_url, const char *email, const char *password);
void ppm_secret_forget(const char *server_url, const char *email);
/* Drops the store (unload). */
void ppm_secret_shutdown(void);

G_END_DECLS
