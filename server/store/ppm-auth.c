#include "ppm-auth.h"

#include <pwquality.h>
#include <sodium.h>
#include <string.h>

#include "ppm-validate.h"

gboolean
ppm_auth_init(GError **error)
{
  if (sodium_init() < 0)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL, "libsodium failed to start");
      return FALSE;
    }
  return TRUE;
}

gboolean
ppm_password_acceptable(const char *password)
{
  gsize length = password ? strlen(password) : 0;
  return length >= 8 && length <= PPM_PASSWORD_MAX_BYTES && g_utf8_validate(password, -1, NULL);
}

/* libpwquality's defaults, not the machine's pwquality.conf (meant for its
 * own accounts), with the platform's minimum length. */
static pwquality_settings_t *
quality_settings(void)
{
  static gsize done;
  static pwquality_settings_t *settings;

  if (g_once_init_enter(&done))
    {
      settings = pwquality_default_settings();
      if (settings == NULL
          || pwquality_set_int_value(settings, PWQ_SETTING_MIN_LENGTH, PPM_PASSWORD_MIN_CHOSEN)
                 != 0)
        g_error("libpwquality could not be set up");
      g_once_init_leave(&done, 1);
    }
  return settings;
}

static gboolean
only_space(const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p))
    if (!g_unichar_isspace(g_utf8_get_char(p)))
      return FALSE;
  return TRUE;
}

gboolean
ppm_password_choice_check(const char *password, const char *email, GError **error)
{
  /* cracklib, under libpwquality, keeps state between calls. */
  static GMutex lock;
  void *auxerror = NULL;
  char buffer[PWQ_MAX_ERROR_MESSAGE_LEN];
  g_autofree char *message = NULL;
  int score;

  if (strlen(password) > PPM_PASSWORD_MAX_BYTES || !g_utf8_validate(password, -1, NULL))
    {
      g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID,
                          "The password must be UTF-8 of at most 1024 bytes");
      return FALSE;
    }
  if (only_space(password))
    {
      g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID,
                          "The password is only spaces");
      return FALSE;
    }
  g_mutex_lock(&lock);
  score = pwquality_check(quality_settings(), password, NULL, email, &auxerror);
  if (score < 0)
    message = g_strdup(pwquality_strerror(buffer, sizeof buffer, score, auxerror));
  g_mutex_unlock(&lock);
  if (score >= 0)
    return TRUE;
  g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID, message);
  return FALSE;
}

char *
ppm_password_hash(const char *password, GError **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE)
      != 0)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL,
                  "out of memory while hashing a password");
      return NULL;
    }
  return g_strdup(hash);
}

gboolean
ppm_password_verify(const char *hash, const char *password)
{
  return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash of no one's password, made with the same limits as every stored
 * one: checking against it costs what checking a real one does. */
static const char *
dummy_hash(void)
{
  static char *hash;

  if (g_once_init_enter(&hash))
    {
      guint8 secret[32];
      char text[2 * sizeof secret + 1];
      char *made;

      randombytes_buf(secret, sizeof secret);
      made = ppm_password_hash(sodium_bin2hex(text, sizeof text, secret, sizeof secret), NULL);
      if (made == NULL)
        g_error("out of memory while hashing a password");
      g_once_init_leave(&hash, made);
    }
  return hash;
}

char *
ppm_token_new(void)
{
  guint8 bytes[32];
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf(bytes, sizeof bytes);
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return g_strdup(text);
}

char *
ppm_token_hash(const char *token)
{
  guint8 digest[32];
  char hex[2 * sizeof digest + 1];

  crypto_generichash(digest, sizeof digest, (const guint8 *)token, strlen(token), NULL, 0);
  return g_strdup(sodium_bin2hex(hex, sizeof hex, digest, sizeof digest));
}

char *
ppm_token_new_id(void)
{
  guint8 bytes[16];
  char hex[2 * sizeof bytes + 1];

  randombytes_buf(bytes, sizeof bytes);
  return g_strdup(sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes));
}

void
ppm_token_pair_clear(PpmTokenPair *pair)
{
  g_clear_pointer(&pair->access_token, g_free);
  g_clear_pointer(&pair->refresh_token, g_free);
  g_clear_pointer(&pair->user, ppm_store_user_free);
}

static void
pair_fill(PpmTokenPair *pair, char **access_hash, char **refresh_hash)
{
  pair->access_token = ppm_token_new();
  pair->refresh_token = ppm_token_new();
  *access_hash = ppm_token_hash(pair->access_token);
  *refresh_hash = ppm_token_hash(pair->refresh_token);
}

static gboolean
fail_unauthorized(GError **error)
{
  g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_UNAUTHORIZED, "wrong email or password");
  return FALSE;
}

gboolean
ppm_auth_login(PpmStore *store, const char *typed_email, const char *password, const char *address,
               gint64 now_ms, PpmTokenPair *pair, gint64 *retry_after_s, GError **error)
{
  g_autoptr(PpmStoreUser) user = NULL;
  g_autofree char *access_hash = NULL, *refresh_hash = NULL;
  g_autofree char *email = ppm_email_normalize(typed_email, error);
  g_autoptr(GError) lookup_error = NULL;
  gboolean good;

  /* Made before the first check, so that no login pays for it. */
  dummy_hash();
  if (email == NULL
      || !ppm_store_login_attempt(store, email, address, now_ms, retry_after_s, error))
    return FALSE;
  user = ppm_store_get_user_by_email(store, email, &lookup_error);
  if (user == NULL && !g_error_matches(lookup_error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error(error, g_steal_pointer(&lookup_error));
      return FALSE;
    }
  /* An unknown email costs the same time as a wrong password. */
  good = ppm_password_verify(user != NULL ? user->password_hash : dummy_hash(), password)
         && user != NULL && !user->disabled;
  if (!good)
    return fail_unauthorized(error);
  if (!ppm_store_login_forget(store, email, address, error))
    return FALSE;
  pair_fill(pair, &access_hash, &refresh_hash);
  if (!ppm_store_tokens_issue(store, user->id, access_hash, refresh_hash, now_ms, error))
    return FALSE;
  pair->user = g_steal_pointer(&user);
  return TRUE;
}

gboolean
ppm_auth_refresh(PpmStore *store, const char *refresh_token, gint64 now_ms, PpmTokenPair *pair,
                 GError **error)
{
  g_autofree char *old_hash = ppm_token_hash(refresh_token);
  g_autofree char *access_hash = NULL, *refresh_hash = NULL;

  pair_fill(pair, &access_hash, &refresh_hash);
  pair->user = ppm_store_tokens_refresh(store, old_hash, access_hash, refresh_hash, now_ms, error);
  return pair->user != NULL;
}

PpmStoreUser *
ppm_auth_user(PpmStore *store, const char *access_token, gint64 now_ms, GError **error)
{
  g_autofree char *hash = ppm_token_hash(access_token);
  return ppm_store_tokens_authenticate(store, hash, now_ms, error);
}
