#include "ppm-web-session.h"

#include <sodium.h>
#include <string.h>

#include "ppm-auth.h"
#include "ppm-http-request.h"
#include "ppm-web.h"

#define SESSION_COOKIE "ppm_session"
#define ANONYMOUS_COOKIE "ppm_form"
#define CSRF_FIELD "csrf"
/* Long enough for a form left open over a day. */
#define FORM_COOKIE_SECONDS (24 * 3600)

#define FORM_KEY_META "web-form-key"

G_STATIC_ASSERT(PPM_FORM_KEY_BYTES == crypto_generichash_KEYBYTES);

gboolean
ppm_web_form_key_load(PpmPlatform *platform, GError **error)
{
  guint8 fresh[PPM_FORM_KEY_BYTES];
  char hex[PPM_FORM_KEY_BYTES * 2 + 1];
  g_autofree char *stored = NULL;
  size_t length = 0;

  randombytes_buf(fresh, sizeof fresh);
  sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
  sodium_memzero(fresh, sizeof fresh);
  stored = ppm_store_meta_claim(platform->store, FORM_KEY_META, hex, error);
  sodium_memzero(hex, sizeof hex);
  if (stored == NULL)
    return FALSE;
  if (sodium_hex2bin(platform->form_key, sizeof platform->form_key, stored, strlen(stored), NULL,
                     &length, NULL)
          != 0
      || length != sizeof platform->form_key)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL,
                  "the stored %s is not %d hexadecimal bytes", FORM_KEY_META, PPM_FORM_KEY_BYTES);
      return FALSE;
    }
  return TRUE;
}

/* Cookies live under /account/ only, never reach scripts, never leave with a
 * request another site started, and under TLS never travel in clear text:
 * TLS here, or in front of the server when --public-url is https. */
void
ppm_web_cookie_set(PpmHttpRequest *request, const char *name, const char *value, gint64 max_age_s)
{
  const char *public_url = ppm_http_request_get_platform(request)->billing.public_url;
  gboolean secure
      = ppm_http_request_is_tls(request) || g_ascii_strncasecmp(public_url, "https:", 6) == 0;
  g_autofree char *header = g_strdup_printf("%s=%s; Path=/account/; Max-Age=%" G_GINT64_FORMAT
                                            "; HttpOnly; SameSite=Strict%s",
                                            name, value, max_age_s, secure ? "; Secure" : "");

  ppm_http_add_header(request, "Set-Cookie", header);
}

PpmStoreUser *
ppm_web_session_user(PpmHttpRequest *request)
{
  PpmPlatform *platform = ppm_http_request_get_platform(request);
  const char *token = ppm_http_request_get_cookie(request, SESSION_COOKIE);

  if (token == NULL || *token == '\0')
    return NULL;
  return ppm_auth_user(platform->store, token, ppm_http_request_get_time_ms(request), NULL);
}

void
ppm_web_session_start(PpmHttpRequest *request, const char *access_token)
{
  ppm_web_cookie_set(request, SESSION_COOKIE, access_token, PPM_ACCESS_TOKEN_SECONDS);
}

char *
ppm_web_session_hash(PpmHttpRequest *request)
{
  const char *token = ppm_http_request_get_cookie(request, SESSION_COOKIE);

  return token != NULL && *token != '\0' ? ppm_token_hash(token) : NULL;
}

void
ppm_web_session_end(PpmHttpRequest *request)
{
  PpmPlatform *platform = ppm_http_request_get_platform(request);
  g_autofree char *hash = ppm_web_session_hash(request);

  /* An unknown or already revoked session is signed out all the same. */
  if (hash != NULL)
    ppm_store_tokens_revoke_pair(platform->store, hash, NULL);
  ppm_web_cookie_set(request, SESSION_COOKIE, "", 0);
}

static char *
csrf_token_of(PpmHttpRequest *request, const char *purpose, const char *secret)
{
  const guint8 *key = ppm_http_request_get_platform(request)->form_key;
  g_autofree char *message = g_strconcat(purpose, ":", secret, NULL);
  guint8 digest[crypto_generichash_BYTES];
  char hex[crypto_generichash_BYTES * 2 + 1];

  crypto_generichash(digest, sizeof digest, (const guint8 *)message, strlen(message), key,
                     PPM_FORM_KEY_BYTES);
  return g_strdup(sodium_bin2hex(hex, sizeof hex, digest, sizeof digest));
}

/* The value of cookie `name` that this answer sets already, or NULL: a page
 * with several forms gives them all the same new anonymous cookie. */
static char *
answer_cookie(PpmHttpRequest *request, const char *name)
{
  GPtrArray *headers = ppm_http_request_get_answer_headers(request);
  g_autofree char *prefix = g_strconcat(name, "=", NULL);

  for (guint i = 0; headers != NULL && i + 1 < headers->len; i += 2)
    {
      const char *value = g_ptr_array_index(headers, i + 1);

      if (g_ascii_strcasecmp(g_ptr_array_index(headers, i), "Set-Cookie") == 0
          && g_str_has_prefix(value, prefix))
        return g_strndup(value + strlen(prefix), strcspn(value + strlen(prefix), ";"));
    }
  return NULL;
}

char *
ppm_web_csrf_token(PpmHttpRequest *request, gboolean signed_in)
{
  const char *secret;
  g_autofree char *fresh = NULL;

  if (signed_in)
    return csrf_token_of(request, SESSION_COOKIE,
                         ppm_http_request_get_cookie(request, SESSION_COOKIE));

  secret = ppm_http_request_get_cookie(request, ANONYMOUS_COOKIE);
  if (secret == NULL || *secret == '\0')
    {
      fresh = answer_cookie(request, ANONYMOUS_COOKIE);
      if (fresh == NULL)
        {
          fresh = ppm_token_new();
          ppm_web_cookie_set(request, ANONYMOUS_COOKIE, fresh, FORM_COOKIE_SECONDS);
        }
      secret = fresh;
    }
  return csrf_token_of(request, ANONYMOUS_COOKIE, secret);
}

gboolean
ppm_web_csrf_valid(PpmHttpRequest *request, GHashTable *form, gboolean signed_in)
{
  const char *cookie
      = ppm_http_request_get_cookie(request, signed_in ? SESSION_COOKIE : ANONYMOUS_COOKIE);
  const char *given = form != NULL ? g_hash_table_lookup(form, CSRF_FIELD) : NULL;
  g_autofree char *expected = NULL;

  if (cookie == NULL || *cookie == '\0' || given == NULL)
    return FALSE;
  expected = csrf_token_of(request, signed_in ? SESSION_COOKIE : ANONYMOUS_COOKIE, cookie);
  return strlen(given) == strlen(expected) && sodium_memcmp(given, expected, strlen(expected)) == 0;
}
