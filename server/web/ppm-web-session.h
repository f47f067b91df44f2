/* The browser session of the account pages and the CSRF token of their forms.
 *
 * Signing in issues an ordinary token pair (ppm_auth_login()); the access
 * token is the session cookie, so the store keeps only its hash and the
 * session ends when the access token expires, is revoked, or the password
 * changes.  The refresh token is not used by browsers.
 *
 * Every form carries a CSRF token: a keyed BLAKE2b hash of the session
 * cookie when signed in, else of a random anonymous cookie.  The key is
 * random once per database and kept in it, so every server of the database
 * and a restarted one accept a form another served.
 */
#pragma once

#include "ppm-http.h"

G_BEGIN_DECLS

/* Sets cookie `name` for the account pages: path /account/, HttpOnly,
 * SameSite=Strict, Secure under TLS or an https --public-url. */
void ppm_web_cookie_set(PpmHttpRequest *request, const char *name, const char *value,
                        gint64 max_age_s);

/* The signed-in user of the request's session cookie; NULL when there is no
 * valid one. */
PpmStoreUser *ppm_web_session_user(PpmHttpRequest *request);
/* Sets the session cookie to `access_token` (the pair's access token). */
void ppm_web_session_start(PpmHttpRequest *request, const char *access_token);
/* Revokes the request's session, if any, and clears the cookie. */
void ppm_web_session_end(PpmHttpRequest *request);
/* The stored hash of the request's session cookie; NULL without one. */
char *ppm_web_session_hash(PpmHttpRequest *request);

/* The token the forms of this answer carry; `signed_in` tells which cookie it
 * is bound to.  May add a Set-Cookie for a new anonymous cookie. */
char *ppm_web_csrf_token(PpmHttpRequest *request, gboolean signed_in);
/* Whether the form's "csrf" field is this request's token. */
gboolean ppm_web_csrf_valid(PpmHttpRequest *request, GHashTable *form, gboolean signed_in);

G_END_DECLS
