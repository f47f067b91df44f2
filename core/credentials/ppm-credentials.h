/* Where the platform password (or refresh token) is kept between runs: the
 * desktop's Secret Service through libsecret, under the schema
 * "org.purple-ppm.Platform" with the attributes server_url and email.  When
 * no Secret Service answers, every call fails with
 * PPM_CREDENTIALS_ERROR_UNAVAILABLE and nothing is written anywhere: there is
 * no plain-text fallback.  An in-memory store exists for tests. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PPM_CREDENTIALS_ERROR (ppm_credentials_error_quark())
GQuark ppm_credentials_error_quark(void);

typedef enum
{
  PPM_CREDENTIALS_ERROR_UNAVAILABLE, /* no Secret Service reachable, or it refused */
  PPM_CREDENTIALS_ERROR_FAILED,
} PpmCredentialsError;

#define PPM_CREDENTIALS_SCHEMA_NAME "org.purple-ppm.Platform"

#define PPM_TYPE_CREDENTIALS (ppm_credentials_get_type())
G_DECLARE_FINAL_TYPE(PpmCredentials, ppm_credentials, PPM, CREDENTIALS, GObject)

/* The Secret Service store. */
PpmCredentials *ppm_credentials_new_secret_service(void);
/* A store that keeps secrets in this object's memory only (tests). */
PpmCredentials *ppm_credentials_new_memory(void);

void ppm_credentials_store(PpmCredentials *credentials, const char *server_url, const char *email,
                           const char *secret, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
gboolean ppm_credentials_store_finish(PpmCredentials *credentials, GAsyncResult *result,
                                      GError **error);

/* The secret (free with g_free), or NULL with no error when none is stored. */
void ppm_credentials_lookup(PpmCredentials *credentials, const char *server_url, const char *email,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
char *ppm_credentials_lookup_finish(PpmCredentials *credentials, GAsyncResult *result,
                                    GError **error);

/* TRUE also when nothing was stored. */
void ppm_credentials_delete(PpmCredentials *credentials, const char *server_url, const char *email,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
gboolean ppm_credentials_delete_finish(PpmCredentials *credentials, GAsyncResult *result,
                                       GError **error);

G_END_DECLS
