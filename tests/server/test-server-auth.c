/* Login, refresh, logout, throttling and /v1/me over real HTTP. */
#include <string.h>

#include "ppm-test-api.h"

static PpmTestServer *
start(void)
{
  g_autoptr(GError) error = NULL;
  PpmTestServer *server = ppm_test_server_start(NULL, NULL, &error);

  g_assert_no_error(error);
  return server;
}

static PpmTestResponse *
login(PpmTestServer *server, const char *email, const char *password)
{
  return ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                       "{\"email\": \"%s\", \"password\": \"%s\"}", email, password);
}

static void
test_login_answer(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(PpmTestResponse) ok = NULL, upper = NULL, wrong = NULL, unknown = NULL;

  ppm_test_user(server, "amy@example.com", "model");
  ok = login(server, "amy@example.com", "password-amy@example.com");
  ppm_assert_answer(ok, 200, NULL);
  g_assert_cmpint(strlen(ppm_test_string(ok, "access_token")), >=, 43); /* ≥ 256 bits */
  g_assert_cmpstr(ppm_test_string(ok, "access_token"), !=, ppm_test_string(ok, "refresh_token"));
  g_assert_cmpint(ppm_test_int(ok, "expires_in"), ==, 3600);
  g_assert_cmpint(ppm_test_int(ok, "user.id"), >, 0);
  g_assert_cmpstr(ppm_test_string(ok, "user.email"), ==, "amy@example.com");
  g_assert_cmpstr(ppm_test_string(ok, "user.role"), ==, "model");
  g_assert_cmpstr(ppm_test_string(ok, "user.display_name"), ==, "amy@example.com");
  upper = login(server, "AMY@example.com", "password-amy@example.com");
  ppm_assert_answer(upper, 200, NULL);
  wrong = login(server, "amy@example.com", "password-wrong");
  ppm_assert_answer(wrong, 401, "unauthorized");
  unknown = login(server, "bob@example.com", "password-bob@example.com");
  ppm_assert_answer(unknown, 401, "unauthorized");
}

static void
test_disabled_user(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(PpmTestResponse) me = NULL, again = NULL;
  g_autofree char *token = NULL;

  ppm_test_user(server, "amy@example.com", "member");
  token = ppm_test_login(server, "amy@example.com");
  g_free(ppm_test_admin_ok(server, "disable-user", "--email", "amy@example.com", NULL));
  me = ppm_test_call(server, "GET", "/v1/me", token, NULL);
  ppm_assert_answer(me, 401, "unauthorized");
  again = login(server, "amy@example.com", "password-amy@example.com");
  ppm_assert_answer(again, 401, "unauthorized");
}

static void
test_refresh_rotation(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(PpmTestResponse) first = NULL, rotated = NULL, grace = NULL, bogus = NULL, me = NULL;

  ppm_test_user(server, "amy@example.com", "member");
  first = login(server, "amy@example.com", "password-amy@example.com");
  rotated = ppm_test_call(server, "POST", "/v1/auth/refresh", NULL, "{\"refresh_token\": \"%s\"}",
                          ppm_test_string(first, "refresh_token"));
  ppm_assert_answer(rotated, 200, NULL);
  g_assert_cmpstr(ppm_test_string(rotated, "refresh_token"), !=,
                  ppm_test_string(first, "refresh_token"));
  g_assert_cmpstr(ppm_test_string(rotated, "user.email"), ==, "amy@example.com");
  /* The old refresh token stays valid for 60 s after its rotation. */
  grace = ppm_test_call(server, "POST", "/v1/auth/refresh", NULL, "{\"refresh_token\": \"%s\"}",
                        ppm_test_string(first, "refresh_token"));
  ppm_assert_answer(grace, 200, NULL);
  bogus = ppm_test_call(server, "POST", "/v1/auth/refresh", NULL,
                        "{\"refresh_token\": \"not-a-token\"}");
  ppm_assert_answer(bogus, 401, "unauthorized");
  me = ppm_test_call(server, "GET", "/v1/me", ppm_test_string(rotated, "access_token"), NULL);
  ppm_assert_answer(me, 200, NULL);
}

static void
test_logout_revokes_pair(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(PpmTestResponse) first = NULL, out = NULL, me = NULL, refresh = NULL, other = NULL;
  g_autofree char *second = NULL;

  ppm_test_user(server, "amy@example.com", "member");
  first = login(server, "amy@example.com", "password-amy@example.com");
  second = ppm_test_login(server, "amy@example.com");
  out = ppm_test_call(server, "POST", "/v1/auth/logout", ppm_test_string(first, "access_token"),
                      NULL);
  ppm_assert_answer(out, 204, NULL);
  me = ppm_test_call(server, "GET", "/v1/me", ppm_test_string(first, "access_token"), NULL);
  ppm_assert_answer(me, 401, "unauthorized");
  refresh = ppm_test_call(server, "POST", "/v1/auth/refresh", NULL, "{\"refresh_token\": \"%s\"}",
                          ppm_test_string(first, "refresh_token"));
  ppm_assert_answer(refresh, 401, "unauthorized");
  /* Another sign-in of the same user is not affected. */
  other = ppm_test_call(server, "GET", "/v1/me", second, NULL);
  ppm_assert_answer(other, 200, NULL);
}

static void
test_revoke_tokens_command(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(PpmTestResponse) me = NULL;
  g_autofree char *token = NULL;

  ppm_test_user(server, "amy@example.com", "member");
  token = ppm_test_login(server, "amy@example.com");
  g_free(ppm_test_admin_ok(server, "revoke-tokens", "--email", "amy@example.com", NULL));
  me = ppm_test_call(server, "GET", "/v1/me", token, NULL);
  ppm_assert_answer(me, 401, "unauthorized");
}

static void
test_login_throttling(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(PpmTestResponse) ok = NULL, limited = NULL, right_but_limited = NULL;

  ppm_test_user(server, "amy@example.com", "member");
  /* Nine failures, then a success resets the count ... */
  for (int i = 0; i < 9; i++)
    {
      g_autoptr(PpmTestResponse) r = login(server, "amy@example.com", "wrong-password");
      ppm_assert_answer(r, 401, "unauthorized");
    }
  ok = login(server, "amy@example.com", "password-amy@example.com");
  ppm_assert_answer(ok, 200, NULL);
  /* ... so ten more failures are answered 401, and the eleventh 429. */
  for (int i = 0; i < 10; i++)
    {
      g_autoptr(PpmTestResponse) r = login(server, "amy@example.com", "wrong-password");
      ppm_assert_answer(r, 401, "unauthorized");
    }
  limited = login(server, "amy@example.com", "wrong-password");
  ppm_assert_answer(limited, 429, "rate_limited");
  g_assert_cmpint(g_ascii_strtoll(g_hash_table_lookup(limited->headers, "retry-after"), NULL, 10),
                  >, 800);
  right_but_limited = login(server, "amy@example.com", "password-amy@example.com");
  ppm_assert_answer(right_but_limited, 429, "rate_limited");
}

static void
test_me(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) model = NULL, member = NULL, none = NULL, bad = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  model = ppm_test_call(server, "GET", "/v1/me", pair.model_token, NULL);
  ppm_assert_answer(model, 200, NULL);
  g_assert_cmpstr(ppm_test_string(model, "role"), ==, "model");
  g_assert_cmpint(ppm_test_int(model, "rate.amount_minor"), ==, 200);
  g_assert_cmpint(ppm_test_int(model, "balance.amount_minor"), ==, 0);
  g_assert_false(ppm_test_has(model, "available"));
  g_assert_cmpint(ppm_test_int(model, "billing.period_seconds"), ==, 60);
  g_assert_cmpint(ppm_test_int(model, "billing.offset_ms"), ==, 1000);
  g_assert_cmpint(ppm_test_int(model, "billing.hold_periods"), ==, 2);
  g_assert_cmpint(ppm_test_int(model, "billing.fee_bps"), ==, 2000);
  g_assert_cmpstr(ppm_test_string(model, "billing.currency"), ==, "USD");
  g_assert_true(strstr(model->body, "\"handle\":\"model@localhost\"") != NULL);

  member = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
  g_assert_cmpint(ppm_test_int(member, "balance.amount_minor"), ==, 2000);
  g_assert_cmpint(ppm_test_int(member, "available.amount_minor"), ==, 2000);
  g_assert_cmpint(ppm_test_int(member, "max_rate.amount_minor"), ==, 1000); /* default 10.00 */

  none = ppm_test_call(server, "GET", "/v1/me", NULL, NULL);
  ppm_assert_answer(none, 401, "unauthorized");
  bad = ppm_test_call(server, "GET", "/v1/me", "forged-token", NULL);
  ppm_assert_answer(bad, 401, "unauthorized");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/auth/login-answer", test_login_answer);
  g_test_add_func("/server/auth/disabled-user", test_disabled_user);
  g_test_add_func("/server/auth/refresh-rotation", test_refresh_rotation);
  g_test_add_func("/server/auth/logout-revokes-pair", test_logout_revokes_pair);
  g_test_add_func("/server/auth/revoke-tokens-command", test_revoke_tokens_command);
  g_test_add_func("/server/auth/login-throttling", test_login_throttling);
  g_test_add_func("/server/auth/me", test_me);
  return g_test_run();
}
