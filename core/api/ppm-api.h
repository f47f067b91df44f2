/* The platform client: every route a model's client uses (docs/openapi.json), on the
 * GLib main context that created it, never blocking it.
 *
 * Requests with a user token refresh it once on 401 and retry; if the
 * platform still says 401 the request fails with PPM_API_ERROR_UNAUTHORIZED
 * and the client forgets its tokens (the user must sign in again).  Tokens
 * stay in memory: connect to "refresh-token-changed" to keep the refresh
 * token in a credential store.  Each request in flight holds a reference on
 * the PpmApi. */
#pragma once

#include "ppm-api-error.h"
#include "ppm-api-types.h"
#include "ppm-port.h"

G_BEGIN_DECLS

#define PPM_TYPE_API (ppm_api_get_type())
G_DECLARE_FINAL_TYPE(PpmApi, ppm_api, PPM, API, GObject)

/* NULL and PPM_API_ERROR_INVALID_URL if ppm_url_validate() refuses the URL. */
PpmApi *ppm_api_new(const char *server_url, GError **error);

const char *ppm_api_get_server_url(PpmApi *api);
/* Defaults: 5 s to connect, 10 s for a whole request. */
void ppm_api_set_timeouts(PpmApi *api, guint connect_timeout_ms, guint timeout_ms);
/* A PEM file of CAs to trust instead of the system's; NULL or "" for the system's. */
void ppm_api_set_ca_file(PpmApi *api, const char *ca_file);

gboolean ppm_api_is_signed_in(PpmApi *api);
/* Signs in with a stored refresh token: the next request refreshes first. */
void ppm_api_set_refresh_token(PpmApi *api, const char *refresh_token);
/* The deployment's currency once an answer told it, else NULL. */
const char *ppm_api_get_currency(PpmApi *api);
/* Requests in flight (for tests and benchmarks). */
guint ppm_api_get_n_active(PpmApi *api);

void ppm_api_login(PpmApi *api, const char *email, const char *password, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data);
PpmLogin *ppm_api_login_finish(PpmApi *api, GAsyncResult *result, GError **error);
/* POST /v1/auth/refresh with the current refresh token. */
void ppm_api_refresh(PpmApi *api, GCancellable *cancellable, GAsyncReadyCallback callback,
                     gpointer user_data);
PpmLogin *ppm_api_refresh_finish(PpmApi *api, GAsyncResult *result, GError **error);
/* Forgets the tokens locally whatever the platform answers. */
void ppm_api_logout(PpmApi *api, GCancellable *cancellable, GAsyncReadyCallback callback,
                    gpointer user_data);
gboolean ppm_api_logout_finish(PpmApi *api, GAsyncResult *result, GError **error);

void ppm_api_me(PpmApi *api, GCancellable *cancellable, GAsyncReadyCallback callback,
                gpointer user_data);
PpmMe *ppm_api_me_finish(PpmApi *api, GAsyncResult *result, GError **error);
/* PUT /v1/me/rate; the answer is the new rate (free with g_free). */
void ppm_api_set_rate(PpmApi *api, gint64 amount_minor, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data);
PpmMoney *ppm_api_set_rate_finish(PpmApi *api, GAsyncResult *result, GError **error);
/* POST or DELETE /v1/me/handles; the answer is the account's handles (PpmHandle*). */
void ppm_api_link_handle(PpmApi *api, const char *protocol, const char *handle,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data);
void ppm_api_unlink_handle(PpmApi *api, const char *protocol, const char *handle,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
GPtrArray *ppm_api_handles_finish(PpmApi *api, GAsyncResult *result, GError **error);
void ppm_api_lookup(PpmApi *api, const char *protocol, const char *handle,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
PpmLookup *ppm_api_lookup_finish(PpmApi *api, GAsyncResult *result, GError **error);
/* `comment` may be NULL. */
void ppm_api_rate_session(PpmApi *api, const char *session_id, int stars, const char *comment,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data);
/* `comment` and `session_id` may be NULL. */
void ppm_api_rate_app(PpmApi *api, int stars, const char *comment, const char *session_id,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean ppm_api_rating_finish(PpmApi *api, GAsyncResult *result, GError **error);
/* `limit` 0 means the platform's default; `before` may be NULL. */
void ppm_api_list_sessions(PpmApi *api, int limit, const char *before, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
void ppm_api_list_transactions(PpmApi *api, int limit, const char *before,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
PpmPage *ppm_api_list_finish(PpmApi *api, GAsyncResult *result, GError **error);

/* The billing requests, with core/ppm-port.h's contract (a cancelled request
 * never calls back).  An answer that breaks docs/openapi.json is PPM_OUTCOME_RETRYABLE. */
void ppm_api_open(PpmApi *api, const PpmOpenRequest *request, GCancellable *cancellable,
                  PpmOpenDone done, gpointer user_data);
void ppm_api_charge(PpmApi *api, const char *session_id, gint64 seq, gint64 elapsed_ms,
                    GCancellable *cancellable, PpmChargeDone done, gpointer user_data);
void ppm_api_close(PpmApi *api, const char *session_id, const char *reason, gint64 elapsed_ms,
                   GCancellable *cancellable, PpmCloseDone done, gpointer user_data);
/* A port for core/meter that bills through `api` (which must outlive it). */
PpmPort ppm_api_get_port(PpmApi *api);

G_END_DECLS
