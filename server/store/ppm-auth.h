/* Secrets: passwords (argon2id) and tokens (random, stored as BLAKE2b). */
#pragma once

#include <glib.h>

#include "ppm-store.h"

G_BEGIN_DECLS

/* libsodium must be initialized once per process before any of these. */
gboolean ppm_auth_init(GError **error);

/* crypto_pwhash_str (argon2id, interactive limits).  Memory-hard and slow
 * on purpose: ppm-server runs every request that hashes or verifies in its
 * bounded hashing pool (PPM_HTTP_LANE_HASHING, ppm-http-request.h). */
char *ppm_password_hash(const char *password, GError **error);
gboolean ppm_password_verify(const char *hash, const char *password);
#define PPM_PASSWORD_MAX_BYTES 1024
/* 8..1024 bytes of valid UTF-8: any password a user may have. */
gboolean ppm_password_acceptable(const char *password);

/* The minimum length of a password a member or model chooses. */
#define PPM_PASSWORD_MIN_CHOSEN 10
/* A password a member or model chooses for itself (sign-up, change):
 * UTF-8 of at most 1024 bytes, not only spaces, that passes libpwquality's
 * checks (at least PPM_PASSWORD_MIN_CHOSEN characters, not a dictionary
 * word, not too simple, not containing `email`, which may be NULL).
 * INVALID with libpwquality's message otherwise.  The operator (ppm-admin)
 * is not held to it. */
gboolean ppm_password_choice_check(const char *password, const char *email, GError **error);

/* 32 random bytes, base64url without padding (43 characters). */
char *ppm_token_new(void);
/* The stored form of a token: BLAKE2b-256, lowercase hex. */
char *ppm_token_hash(const char *token);
/* 16 random bytes as 32 lowercase hex characters (session ids). */
char *ppm_token_new_id(void);

typedef struct
{
  char *access_token;
  char *refresh_token;
  PpmStoreUser *user;
} PpmTokenPair;

void ppm_token_pair_clear(PpmTokenPair *pair);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpmTokenPair, ppm_token_pair_clear)

/* Login (docs/openapi.json): the email normalized (INVALID when it is not a
 * plausible address, ppm_email_normalize()), the attempt counted as a failure
 * in advance (login_attempt, RATE_LIMITED), user lookup, password check
 * (UNAUTHORIZED for an unknown email, a wrong password or a disabled user; an
 * unknown email is checked against a dummy hash, so it takes as long), the
 * failures forgotten on success, then a new token pair. */
gboolean ppm_auth_login(PpmStore *store, const char *email, const char *password,
                        const char *address, gint64 now_ms, PpmTokenPair *pair,
                        gint64 *retry_after_s, GError **error);
/* Rotates a refresh token into a new pair. */
gboolean ppm_auth_refresh(PpmStore *store, const char *refresh_token, gint64 now_ms,
                          PpmTokenPair *pair, GError **error);
/* The user of an access token; UNAUTHORIZED. */
PpmStoreUser *ppm_auth_user(PpmStore *store, const char *access_token, gint64 now_ms,
                            GError **error);

G_END_DECLS
