/* Tokens the platform must refuse with 401 unauthorized: forged, revoked
 * (logout, ppm-admin revoke-tokens), of a disabled user, expired and
 * rotated out; and what a refresh keeps valid (docs/security.md). */
#include <string.h>

#include "ppm-test-api.h"
#include "ppm-test-clock.h"
#include "ppm-test-missing.h"
#include "sec-server.h"

#define EMAIL "amy@example.com"

/* A user and a fresh login answer (access_token, refresh_token). */
static PpmTestResponse *
login(PpmTestServer *server)
{
  PpmTestResponse *r
      = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                      "{\"email\": \"" EMAIL "\", \"password\": \"password-" EMAIL "\"}");
  ppm_assert_answer(r, 200, NULL);
  return r;
}

static PpmTestResponse *
refresh(PpmTestServer *server, const char *refresh_token)
{
  return ppm_test_call(server, "POST", "/v1/auth/refresh", NULL, "{\"refresh_token\": \"%s\"}",
                       refresh_token);
}

static void
assert_refused(PpmTestServer *server, const char *access_token)
{
  g_autoptr(PpmTestResponse) me = ppm_test_call(server, "GET", "/v1/me", access_token, NULL);
  ppm_assert_answer(me, 401, "unauthorized");
}

static void
assert_accepted(PpmTestServer *server, const char *access_token)
{
  g_autoptr(PpmTestResponse) me = ppm_test_call(server, "GET", "/v1/me", access_token, NULL);
  ppm_assert_answer(me, 200, NULL);
  g_assert_cmpstr(ppm_test_string(me, "email"), ==, EMAIL);
}

static void
assert_refresh_refused(PpmTestServer *server, const char *refresh_token)
{
  g_autoptr(PpmTestResponse) r = refresh(server, refresh_token);
  ppm_assert_answer(r, 401, "unauthorized");
}

static void
test_forged(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(PpmTestResponse) pair = NULL, none = NULL;
  g_autofree char *random = NULL, *altered = NULL;

  ppm_test_user(server, EMAIL, "model");
  pair = login(server);
  assert_accepted(server, ppm_test_string(pair, "access_token"));

  none = ppm_test_call(server, "GET", "/v1/me", NULL, NULL);
  ppm_assert_answer(none, 401, "unauthorized");
  assert_refused(server, "");
  random = g_strnfill(43, 'A');
  assert_refused(server, random);
  /* One character changed in a real token. */
  altered = g_strdup(ppm_test_string(pair, "access_token"));
  altered[10] = altered[10] == 'x' ? 'y' : 'x';
  assert_refused(server, altered);
  assert_refresh_refused(server, altered);
  /* Each half of a pair is only good for its own use. */
  assert_refused(server, ppm_test_string(pair, "refresh_token"));
  assert_refresh_refused(server, ppm_test_string(pair, "access_token"));
}

static void
test_revoked_by_logout(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(PpmTestResponse) phone = NULL, laptop = NULL, out = NULL;

  ppm_test_user(server, EMAIL, "model");
  phone = login(server);
  laptop = login(server);
  out = ppm_test_call(server, "POST", "/v1/auth/logout", ppm_test_string(phone, "access_token"),
                      NULL);
  ppm_assert_answer(out, 204, NULL);
  assert_refused(server, ppm_test_string(phone, "access_token"));
  assert_refresh_refused(server, ppm_test_string(phone, "refresh_token"));
  /* Only this pair: the other sign-in goes on. */
  assert_accepted(server, ppm_test_string(laptop, "access_token"));
}

static void
test_revoked_by_admin(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(PpmTestResponse) phone = NULL, laptop = NULL, other_me = NULL, again = NULL;
  g_autofree char *other = NULL;

  ppm_test_user(server, EMAIL, "model");
  ppm_test_user(server, "bea@example.com", "model");
  phone = login(server);
  laptop = login(server);
  other = ppm_test_login(server, "bea@example.com");
  g_free(ppm_test_admin_ok(server, "revoke-tokens", "--email", EMAIL, NULL));
  assert_refused(server, ppm_test_string(phone, "access_token"));
  assert_refused(server, ppm_test_string(laptop, "access_token"));
  assert_refresh_refused(server, ppm_test_string(phone, "refresh_token"));
  assert_refresh_refused(server, ppm_test_string(laptop, "refresh_token"));
  other_me = ppm_test_call(server, "GET", "/v1/me", other, NULL);
  ppm_assert_answer(other_me, 200, NULL);
  /* Revoking is not disabling: the user signs in again. */
  again = login(server);
  assert_accepted(server, ppm_test_string(again, "access_token"));
}

static void
test_revoked_by_password_change(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(PpmTestResponse) pair = NULL, again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  ppm_test_user(server, EMAIL, "model");
  pair = login(server);
  out = ppm_test_admin(server, "Another-Heron-Password-8\n", &error, "set-password", "--email",
                       EMAIL, NULL);
  g_assert_no_error(error);
  assert_refused(server, ppm_test_string(pair, "access_token"));
  assert_refresh_refused(server, ppm_test_string(pair, "refresh_token"));
  again = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                        "{\"email\": \"" EMAIL "\", \"password\": \"Another-Heron-Password-8\"}");
  ppm_assert_answer(again, 200, NULL);
}

static void
test_disabled_user(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(PpmTestResponse) pair = NULL, again = NULL;

  ppm_test_user(server, EMAIL, "model");
  pair = login(server);
  g_free(ppm_test_admin_ok(server, "disable-user", "--email", EMAIL, NULL));
  assert_refused(server, ppm_test_string(pair, "access_token"));
  assert_refresh_refused(server, ppm_test_string(pair, "refresh_token"));
  again = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                        "{\"email\": \"" EMAIL "\", \"password\": \"password-" EMAIL "\"}");
  ppm_assert_answer(again, 401, "unauthorized");
}

static void
test_refresh_rotation_grace(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(PpmTestResponse) first = NULL, second = NULL, replay = NULL, third = NULL;
  const char *old_refresh;

  ppm_test_user(server, EMAIL, "model");
  first = login(server);
  old_refresh = ppm_test_string(first, "refresh_token");
  second = refresh(server, old_refresh);
  ppm_assert_answer(second, 200, NULL);
  g_assert_cmpstr(ppm_test_string(second, "refresh_token"), !=, old_refresh);
  g_assert_cmpstr(ppm_test_string(second, "access_token"), !=,
                  ppm_test_string(first, "access_token"));
  assert_accepted(server, ppm_test_string(second, "access_token"));
  /* Within 60 s the rotated-out token still works (a lost answer must not
   * sign the client out), and what it gives works too. */
  replay = refresh(server, old_refresh);
  ppm_assert_answer(replay, 200, NULL);
  assert_accepted(server, ppm_test_string(replay, "access_token"));
  third = refresh(server, ppm_test_string(second, "refresh_token"));
  ppm_assert_answer(third, 200, NULL);
  assert_accepted(server, ppm_test_string(third, "access_token"));
}

static PpmTestClock *
clock_start(void)
{
  g_autoptr(GError) error = NULL;
  PpmTestClock *clock = ppm_test_clock_start(NULL, &error);

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      ppm_test_missing(error->message);
      return NULL;
    }
  g_assert_no_error(error);
  return clock;
}

static void
test_access_token_expires(void)
{
  g_autoptr(PpmTestClock) clock = clock_start();
  g_autoptr(PpmTestResponse) pair = NULL, renewed = NULL;

  if (clock == NULL)
    return;
  ppm_test_user(clock->server, EMAIL, "model");
  pair = login(clock->server);
  ppm_test_clock_advance(clock, 3500);
  assert_accepted(clock->server, ppm_test_string(pair, "access_token"));
  ppm_test_clock_advance(clock, 101);
  assert_refused(clock->server, ppm_test_string(pair, "access_token"));
  /* The refresh token outlives it. */
  renewed = refresh(clock->server, ppm_test_string(pair, "refresh_token"));
  ppm_assert_answer(renewed, 200, NULL);
  assert_accepted(clock->server, ppm_test_string(renewed, "access_token"));
}

static void
test_rotated_out_after_grace(void)
{
  g_autoptr(PpmTestClock) clock = clock_start();
  g_autoptr(PpmTestResponse) first = NULL, second = NULL, third = NULL;

  if (clock == NULL)
    return;
  ppm_test_user(clock->server, EMAIL, "model");
  first = login(clock->server);
  second = refresh(clock->server, ppm_test_string(first, "refresh_token"));
  ppm_assert_answer(second, 200, NULL);
  ppm_test_clock_advance(clock, 61);
  assert_refresh_refused(clock->server, ppm_test_string(first, "refresh_token"));
  third = refresh(clock->server, ppm_test_string(second, "refresh_token"));
  ppm_assert_answer(third, 200, NULL);
}

static void
test_refresh_token_expires(void)
{
  g_autoptr(PpmTestClock) clock = clock_start();
  g_autoptr(PpmTestResponse) early = NULL, late = NULL, renewed = NULL;

  if (clock == NULL)
    return;
  ppm_test_user(clock->server, EMAIL, "model");
  early = login(clock->server);
  late = login(clock->server);
  ppm_test_clock_advance(clock, 30 * 86400 - 300);
  renewed = refresh(clock->server, ppm_test_string(early, "refresh_token"));
  ppm_assert_answer(renewed, 200, NULL);
  ppm_test_clock_advance(clock, 301);
  assert_refresh_refused(clock->server, ppm_test_string(late, "refresh_token"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/tokens/forged", test_forged);
  g_test_add_func("/security/tokens/revoked-by-logout", test_revoked_by_logout);
  g_test_add_func("/security/tokens/revoked-by-admin", test_revoked_by_admin);
  g_test_add_func("/security/tokens/revoked-by-password-change", test_revoked_by_password_change);
  g_test_add_func("/security/tokens/disabled-user", test_disabled_user);
  g_test_add_func("/security/tokens/refresh-rotation-grace", test_refresh_rotation_grace);
  g_test_add_func("/security/tokens/access-token-expires", test_access_token_expires);
  g_test_add_func("/security/tokens/rotated-out-after-grace", test_rotated_out_after_grace);
  g_test_add_func("/security/tokens/refresh-token-expires", test_refresh_token_expires);
  return g_test_run();
}
