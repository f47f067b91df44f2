/* Every route of core/api against a real ppm-server: success and error paths. */
#include "client-platform.h"
#include "client-test-util.h"

#include <string.h>

static PpmTestPlatform *platform;

#define AWAIT(call_finish, api, slot) call_finish(api, ppm_test_await(&slot), &error)

typedef struct
{
  gboolean done;
  PpmOutcomeKind kind;
  PpmErrorCode code;
  char *session_id;
  gint64 seq;
  gint64 total_minor;
  gint64 periods_charged;
  int secured_periods;
  gint64 offset_ms;
} Billing;

static void
billing_clear(Billing *billing)
{
  g_free(billing->session_id);
  *billing = (Billing){ 0 };
}

static void
billing_note(Billing *billing, const PpmOutcome *outcome)
{
  g_assert_false(billing->done);
  billing->done = TRUE;
  billing->kind = outcome->kind;
  billing->code = outcome->code;
}

static void
on_open(const PpmOutcome *outcome, const PpmOpenAnswer *answer, gpointer user_data)
{
  Billing *billing = user_data;

  billing_note(billing, outcome);
  if (answer != NULL)
    {
      billing->session_id = g_strdup(answer->session_id);
      billing->secured_periods = answer->secured_periods;
      billing->offset_ms = answer->offset_ms;
      g_assert_cmpint(answer->rate_minor, ==, PPM_TEST_RATE_MINOR);
      g_assert_cmpint(answer->period_ms, ==, 1000);
    }
}

static void
on_charge(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  Billing *billing = user_data;

  billing_note(billing, outcome);
  if (answer != NULL)
    {
      billing->seq = answer->seq;
      billing->total_minor = answer->total_minor;
    }
}

static void
on_close(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer user_data)
{
  Billing *billing = user_data;

  billing_note(billing, outcome);
  if (answer != NULL)
    {
      billing->session_id = g_strdup(answer->session_id);
      billing->periods_charged = answer->periods_charged;
      billing->total_minor = answer->total_minor;
    }
}

static void
billing_wait(Billing *billing)
{
  g_assert_true(ppm_test_wait_for(&billing->done, 30000));
}

static void
open_session(PpmApi *api, guint member, const char *client_session_id, Billing *billing)
{
  g_autofree char *handle = ppm_test_member_handle(member);
  /* Connected 10 s ago: the 1 s periods of seq 0 and 1 have begun, also when
   * an earlier session of the pair paid for part of that time (this one is
   * then shifted past it). */
  PpmOpenRequest request
      = { client_session_id, "prpl-jabber", PPM_TEST_MODEL_HANDLE, handle, 10000 };

  ppm_api_open(api, &request, NULL, on_open, billing);
  billing_wait(billing);
}

static void
charge(PpmApi *api, const char *session_id, gint64 seq, Billing *billing)
{
  ppm_api_charge(api, session_id, seq, 1000 + seq * 1000, NULL, on_charge, billing);
  billing_wait(billing);
}

static void
close_session(PpmApi *api, const char *session_id, gint64 elapsed_ms, Billing *billing)
{
  ppm_api_close(api, session_id, "local_hangup", elapsed_ms, NULL, on_close, billing);
  billing_wait(billing);
}

static void
test_login(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PpmLogin) login = NULL;

  g_assert_true(ppm_api_is_signed_in(api));
  ppm_api_login(api, PPM_TEST_MODEL, "wrong password", NULL, ppm_test_store_result, &result);
  login = AWAIT(ppm_api_login_finish, api, result);
  g_assert_null(login);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_UNAUTHORIZED);
}

static void
test_me(void)
{
  g_autoptr(PpmApi) model = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autofree char *email = ppm_test_member_email(0);
  g_autoptr(PpmApi) member = ppm_test_platform_sign_in(platform, email);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(PpmMe) me = NULL;
  g_autoptr(PpmMe) member_me = NULL;
  PpmHandle *handle;

  ppm_api_me(model, NULL, ppm_test_store_result, &r1);
  me = AWAIT(ppm_api_me_finish, model, r1);
  g_assert_no_error(error);
  g_assert_cmpstr(me->user.role, ==, "model");
  g_assert_true(me->has_rate);
  g_assert_cmpint(me->rate.minor, ==, PPM_TEST_RATE_MINOR);
  g_assert_cmpint(me->billing.period_seconds, ==, 1);
  g_assert_cmpstr(me->billing.currency, ==, "USD");
  g_assert_cmpstr(ppm_api_get_currency(model), ==, "USD");
  g_assert_cmpuint(me->handles->len, ==, 1);
  handle = me->handles->pdata[0];
  g_assert_cmpstr(handle->protocol, ==, "prpl-jabber");
  g_assert_cmpstr(handle->handle, ==, PPM_TEST_MODEL_HANDLE);

  ppm_api_me(member, NULL, ppm_test_store_result, &r2);
  member_me = AWAIT(ppm_api_me_finish, member, r2);
  g_assert_no_error(error);
  g_assert_cmpstr(member_me->user.role, ==, "member");
  g_assert_true(member_me->has_available);
  g_assert_true(member_me->has_max_rate);
}

static void
test_set_rate(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autofree PpmMoney *rate = NULL;
  g_autofree PpmMoney *refused = NULL;
  g_autofree PpmMoney *back = NULL;

  ppm_api_set_rate(api, 350, NULL, ppm_test_store_result, &r1);
  rate = AWAIT(ppm_api_set_rate_finish, api, r1);
  g_assert_no_error(error);
  g_assert_cmpint(rate->minor, ==, 350);
  ppm_api_set_rate(api, 0, NULL, ppm_test_store_result, &r2);
  refused = AWAIT(ppm_api_set_rate_finish, api, r2);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_INVALID);
  g_clear_error(&error);
  ppm_api_set_rate(api, PPM_TEST_RATE_MINOR, NULL, ppm_test_store_result, &r3);
  back = AWAIT(ppm_api_set_rate_finish, api, r3);
  g_assert_no_error(error);
}

static gboolean
has_handle(GPtrArray *handles, const char *name)
{
  for (guint i = 0; i < handles->len; i++)
    if (g_str_equal(((PpmHandle *)handles->pdata[i])->handle, name))
      return TRUE;
  return FALSE;
}

static void
test_handles(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GPtrArray) linked = NULL;
  g_autoptr(GPtrArray) taken = NULL;
  g_autoptr(GPtrArray) unlinked = NULL;
  g_autofree char *member_handle = ppm_test_member_handle(0);

  ppm_api_link_handle(api, "prpl-jabber", "second@localhost", NULL, ppm_test_store_result, &r1);
  linked = AWAIT(ppm_api_handles_finish, api, r1);
  g_assert_no_error(error);
  g_assert_true(has_handle(linked, "second@localhost"));
  g_assert_true(has_handle(linked, PPM_TEST_MODEL_HANDLE));

  ppm_api_link_handle(api, "prpl-jabber", member_handle, NULL, ppm_test_store_result, &r2);
  taken = AWAIT(ppm_api_handles_finish, api, r2);
  g_assert_null(taken);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_HANDLE_TAKEN);
  g_clear_error(&error);

  ppm_api_unlink_handle(api, "prpl-jabber", "second@localhost", NULL, ppm_test_store_result, &r3);
  unlinked = AWAIT(ppm_api_handles_finish, api, r3);
  g_assert_no_error(error);
  g_assert_false(has_handle(unlinked, "second@localhost"));
}

static void
test_lookup(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(PpmLookup) funded = NULL;
  g_autoptr(PpmLookup) stranger = NULL;
  g_autofree char *handle = ppm_test_member_handle(1);

  ppm_api_lookup(api, "prpl-jabber", handle, NULL, ppm_test_store_result, &r1);
  funded = AWAIT(ppm_api_lookup_finish, api, r1);
  g_assert_no_error(error);
  g_assert_cmpint(funded->status, ==, PPM_LOOKUP_FUNDED);
  g_assert_cmpstr(funded->display_name, ==, "Member 1");
  g_assert_cmpint(funded->minutes_affordable, ==, 50);

  ppm_api_lookup(api, "prpl-jabber", "nobody@localhost", NULL, ppm_test_store_result, &r2);
  stranger = AWAIT(ppm_api_lookup_finish, api, r2);
  g_assert_no_error(error);
  g_assert_cmpint(stranger->status, ==, PPM_LOOKUP_NOT_MEMBER);
}

static void
test_lookup_needs_model(void)
{
  g_autofree char *email = ppm_test_member_email(0);
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, email);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(PpmLookup) lookup = NULL;

  ppm_api_lookup(api, "prpl-jabber", PPM_TEST_MODEL_HANDLE, NULL, ppm_test_store_result, &r1);
  lookup = AWAIT(ppm_api_lookup_finish, api, r1);
  g_assert_null(lookup);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_FORBIDDEN);
}

static void
test_billing_routes(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autofree char *member = ppm_test_member_email(2);
  gint64 before = ppm_test_platform_balance(platform, member);
  g_autofree char *csid = g_uuid_string_random();
  g_autofree char *session_id = NULL;
  Billing billing = { 0 };
  gint64 offset_ms;

  open_session(api, 2, csid, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpint(billing.secured_periods, >=, 1);
  offset_ms = billing.offset_ms;
  session_id = g_strdup(billing.session_id);
  billing_clear(&billing);

  /* The same open again is the same session. */
  open_session(api, 2, csid, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpstr(billing.session_id, ==, session_id);
  billing_clear(&billing);

  charge(api, session_id, 0, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpint(billing.seq, ==, 0);
  g_assert_cmpint(billing.total_minor, ==, PPM_TEST_RATE_MINOR);
  billing_clear(&billing);

  /* A replay answers the first answer and charges nothing more. */
  charge(api, session_id, 0, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpint(billing.total_minor, ==, PPM_TEST_RATE_MINOR);
  billing_clear(&billing);

  charge(api, session_id, 2, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_FINAL);
  g_assert_cmpint(billing.code, ==, PPM_ERROR_CODE_SEQ_GAP);
  billing_clear(&billing);

  charge(api, session_id, 1, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  billing_clear(&billing);

  /* Half a period after seq 1 fell due. */
  close_session(api, session_id, offset_ms + 1500, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpint(billing.periods_charged, ==, 2);
  g_assert_cmpint(billing.total_minor, ==, 2 * PPM_TEST_RATE_MINOR);
  billing_clear(&billing);

  close_session(api, session_id, 9999, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpint(billing.periods_charged, ==, 2);
  billing_clear(&billing);

  charge(api, session_id, 2, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_FINAL);
  g_assert_cmpint(billing.code, ==, PPM_ERROR_CODE_SESSION_CLOSED);
  billing_clear(&billing);

  charge(api, "no-such-session", 0, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_FINAL);
  g_assert_cmpint(billing.code, ==, PPM_ERROR_CODE_NOT_FOUND);
  billing_clear(&billing);

  g_assert_cmpint(ppm_test_platform_balance(platform, member), ==,
                  before - 2 * PPM_TEST_RATE_MINOR);
  ppm_test_platform_assert_verified(platform);
}

static void
test_open_errors(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autofree char *csid = g_uuid_string_random();
  PpmOpenRequest stranger = { csid, "prpl-jabber", PPM_TEST_MODEL_HANDLE, "nobody@localhost", 0 };
  PpmOpenRequest not_mine = { csid, "prpl-jabber", "someone@localhost", "member-0@localhost", 0 };
  Billing billing = { 0 };

  ppm_api_open(api, &stranger, NULL, on_open, &billing);
  billing_wait(&billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_FINAL);
  g_assert_cmpint(billing.code, ==, PPM_ERROR_CODE_NOT_FOUND);
  billing_clear(&billing);

  ppm_api_open(api, &not_mine, NULL, on_open, &billing);
  billing_wait(&billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_FINAL);
  g_assert_cmpint(billing.code, ==, PPM_ERROR_CODE_FORBIDDEN);
  billing_clear(&billing);
}

static void
test_ratings(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autofree char *csid = g_uuid_string_random();
  g_autofree char *session_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  Billing billing = { 0 };
  gint64 offset_ms;

  /* Only a call with a paid minute can be rated. */
  open_session(api, 3, csid, &billing);
  session_id = g_strdup(billing.session_id);
  offset_ms = billing.offset_ms;
  billing_clear(&billing);
  charge(api, session_id, 0, &billing);
  g_assert_cmpint(billing.kind, ==, PPM_OUTCOME_OK);
  billing_clear(&billing);
  close_session(api, session_id, offset_ms + 500, &billing);
  billing_clear(&billing);

  ppm_api_rate_session(api, session_id, 5, "great", NULL, ppm_test_store_result, &r1);
  g_assert_true(AWAIT(ppm_api_rating_finish, api, r1));
  g_assert_no_error(error);
  ppm_api_rate_session(api, session_id, 4, NULL, NULL, ppm_test_store_result, &r2);
  g_assert_false(AWAIT(ppm_api_rating_finish, api, r2));
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_ALREADY_RATED);
  g_clear_error(&error);

  ppm_api_rate_app(api, 6, NULL, NULL, NULL, ppm_test_store_result, &r3);
  g_assert_false(AWAIT(ppm_api_rating_finish, api, r3));
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_INVALID);
  g_clear_error(&error);
  ppm_api_rate_app(api, 4, "works", session_id, NULL, ppm_test_store_result, &r4);
  g_assert_true(AWAIT(ppm_api_rating_finish, api, r4));
  g_assert_no_error(error);
}

static void
test_lists(void)
{
  g_autofree char *email = ppm_test_member_email(2);
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, email);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(PpmPage) first = NULL;
  g_autoptr(PpmPage) second = NULL;
  g_autoptr(PpmPage) sessions = NULL;
  PpmTransaction *newest;

  /* Member 2 has a deposit and the charges of the billing test. */
  test_billing_routes();
  ppm_api_list_transactions(api, 1, NULL, NULL, ppm_test_store_result, &r1);
  first = AWAIT(ppm_api_list_finish, api, r1);
  g_assert_no_error(error);
  g_assert_cmpuint(first->items->len, ==, 1);
  newest = first->items->pdata[0];
  g_assert_cmpstr(newest->kind, ==, "charge");
  g_assert_cmpint(newest->amount.minor, ==, -PPM_TEST_RATE_MINOR);
  g_assert_nonnull(first->next_before);

  ppm_api_list_transactions(api, 200, first->next_before, NULL, ppm_test_store_result, &r2);
  second = AWAIT(ppm_api_list_finish, api, r2);
  g_assert_no_error(error);
  g_assert_cmpuint(second->items->len, >=, 2);
  g_assert_cmpstr(((PpmTransaction *)second->items->pdata[second->items->len - 1])->kind, ==,
                  "deposit");

  ppm_api_list_sessions(api, 0, NULL, NULL, ppm_test_store_result, &r3);
  sessions = AWAIT(ppm_api_list_finish, api, r3);
  g_assert_no_error(error);
  g_assert_cmpuint(sessions->items->len, >=, 1);
  g_assert_cmpint(((PpmSessionItem *)sessions->items->pdata[0])->periods_charged, ==, 2);
}

static void
test_list_limit_invalid(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(PpmPage) page = NULL;

  ppm_api_list_transactions(api, 201, NULL, NULL, ppm_test_store_result, &r1);
  page = AWAIT(ppm_api_list_finish, api, r1);
  g_assert_null(page);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_INVALID);
}

static void
on_token(PpmApi *api, const char *token, gpointer user_data)
{
  g_free(*(char **)user_data);
  *(char **)user_data = g_strdup(token);
}

static void
test_refresh_and_logout(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(PpmLogin) login = NULL;
  g_autoptr(PpmMe) me = NULL;
  g_autofree char *token = NULL;

  g_signal_connect(api, "refresh-token-changed", G_CALLBACK(on_token), &token);
  ppm_api_refresh(api, NULL, ppm_test_store_result, &r1);
  login = AWAIT(ppm_api_refresh_finish, api, r1);
  g_assert_no_error(error);
  g_assert_cmpstr(token, ==, login->refresh_token);

  ppm_api_logout(api, NULL, ppm_test_store_result, &r2);
  g_assert_true(AWAIT(ppm_api_logout_finish, api, r2));
  g_assert_no_error(error);
  g_assert_null(token);
  g_assert_false(ppm_api_is_signed_in(api));

  ppm_api_me(api, NULL, ppm_test_store_result, &r3);
  me = AWAIT(ppm_api_me_finish, api, r3);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_NOT_SIGNED_IN);
}

/* A stored refresh token signs in by itself at the first request. */
static void
test_restore_from_refresh_token(void)
{
  g_autoptr(PpmApi) first = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmApi) second = ppm_api_new(platform->server->url, &error);
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(PpmLogin) login = NULL;
  g_autoptr(PpmMe) me = NULL;

  ppm_api_refresh(first, NULL, ppm_test_store_result, &r1);
  login = AWAIT(ppm_api_refresh_finish, first, r1);
  g_assert_no_error(error);
  ppm_api_set_refresh_token(second, login->refresh_token);
  ppm_api_me(second, NULL, ppm_test_store_result, &r2);
  me = AWAIT(ppm_api_me_finish, second, r2);
  g_assert_no_error(error);
  g_assert_cmpstr(me->user.email, ==, PPM_TEST_MODEL);
}

/* Revoked tokens: the client refreshes once, fails, and asks to sign in. */
static void
test_revoked_tokens(void)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(PpmMe) me = NULL;
  g_autofree char *out = NULL;

  out = ppm_test_admin(platform->server, NULL, &error, "revoke-tokens", "--email", PPM_TEST_MODEL,
                       NULL);
  g_assert_no_error(error);
  ppm_api_me(api, NULL, ppm_test_store_result, &r1);
  me = AWAIT(ppm_api_me_finish, api, r1);
  g_assert_null(me);
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_UNAUTHORIZED);
  g_assert_false(ppm_api_is_signed_in(api));
}

int
main(int argc, char **argv)
{
  const char *const args[] = { "--period-seconds", "1", NULL };
  int status;

  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/api/login", test_login);
  g_test_add_func("/client/api/me", test_me);
  g_test_add_func("/client/api/set-rate", test_set_rate);
  g_test_add_func("/client/api/handles", test_handles);
  g_test_add_func("/client/api/lookup", test_lookup);
  g_test_add_func("/client/api/lookup-needs-model", test_lookup_needs_model);
  g_test_add_func("/client/api/billing-routes", test_billing_routes);
  g_test_add_func("/client/api/open-errors", test_open_errors);
  g_test_add_func("/client/api/ratings", test_ratings);
  g_test_add_func("/client/api/lists", test_lists);
  g_test_add_func("/client/api/list-limit-invalid", test_list_limit_invalid);
  g_test_add_func("/client/api/refresh-and-logout", test_refresh_and_logout);
  g_test_add_func("/client/api/restore-from-refresh-token", test_restore_from_refresh_token);
  g_test_add_func("/client/api/revoked-tokens", test_revoked_tokens);
  platform = ppm_test_platform_new(args, 4);
  status = g_test_run();
  ppm_test_platform_free(platform);
  return status;
}
