/* Authorization over real HTTP: who may open, charge, close, read history
 * and look members up (docs/openapi.json, docs/billing-rules.md#guards). */
#include <string.h>

#include "ppm-test-api.h"
#include "sec-server.h"

/* POST /v1/sessions with `token` for any pair of handles. */
static PpmTestResponse *
open_as(PpmTestServer *server, const char *token, const char *model_handle,
        const char *member_handle)
{
  g_autofree char *id = g_uuid_string_random();

  return ppm_test_call(server, "POST", "/v1/sessions", token,
                       "{\"client_session_id\": \"%s\", \"protocol\": \"prpl-jabber\","
                       " \"model_handle\": \"%s\", \"member_handle\": \"%s\","
                       " \"elapsed_ms\": 300000}",
                       id, model_handle, member_handle);
}

static void
test_open_with_another_models_handle(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(PpmTestResponse) stolen = NULL, own = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  stolen = open_as(server, bea.model_token, amy.model_handle, amy.member_handle);
  ppm_assert_answer(stolen, 403, "forbidden");
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
  /* The same request with her own handle goes through. */
  own = open_as(server, bea.model_token, bea.model_handle, amy.member_handle);
  ppm_assert_answer(own, 201, NULL);
}

/* Only a member's linked handle can be billed: not a model's, not an
 * unlinked one. */
static void
test_open_against_a_non_member(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(PpmTestResponse) model = NULL, unlinked = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  model = open_as(server, amy.model_token, amy.model_handle, bea.model_handle);
  ppm_assert_answer(model, 404, "not_found");
  unlinked = open_as(server, amy.model_token, amy.model_handle, "nobody@localhost");
  ppm_assert_answer(unlinked, 404, "not_found");
  g_assert_cmpint(ppm_test_balance(server, bea.model_email), ==, 0);
}

static void
test_charge_and_close_another_models_session(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, charge = NULL, close = NULL, own = NULL, owned = NULL;
  const char *session;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  open = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(open, 201, NULL);
  session = ppm_test_string(open, "session_id");

  charge = ppm_test_charge(server, bea.model_token, session, 0);
  ppm_assert_answer(charge, 404, "not_found");
  close = ppm_test_close(server, bea.model_token, session, "local_hangup", 1000);
  ppm_assert_answer(close, 404, "not_found");
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
  g_assert_cmpint(ppm_test_balance(server, bea.model_email), ==, 0);

  /* The session is untouched: its owner still charges seq 0 on it. */
  own = ppm_test_charge(server, amy.model_token, session, 0);
  ppm_assert_answer(own, 201, NULL);
  g_assert_cmpint(ppm_test_int(own, "seq"), ==, 0);
  owned = ppm_test_close(server, amy.model_token, session, "local_hangup", 1000);
  ppm_assert_answer(owned, 200, NULL);
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 1800);
  ppm_test_verify(server);
}

static void
test_member_cannot_bill_or_look_up(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, session = NULL, charge = NULL, close = NULL,
                             lookup = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  open = open_as(server, amy.member_token, amy.model_handle, amy.member_handle);
  ppm_assert_answer(open, 403, "forbidden");
  session = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(session, 201, NULL);
  charge = ppm_test_charge(server, amy.member_token, ppm_test_string(session, "session_id"), 0);
  ppm_assert_answer(charge, 403, "forbidden");
  close = ppm_test_close(server, amy.member_token, ppm_test_string(session, "session_id"),
                         "local_hangup", 0);
  ppm_assert_answer(close, 403, "forbidden");
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
}

/* Every id of `path`'s items for `token` (session_id or id), after checking
 * that the body never names anything of `foreign`. */
static GPtrArray *
history_ids(PpmTestServer *server, const char *token, const char *path, const char *id_member,
            const char *const *foreign)
{
  g_autoptr(PpmTestResponse) page = ppm_test_call(server, "GET", path, token, NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
  JsonArray *items;

  ppm_assert_answer(page, 200, NULL);
  for (guint i = 0; foreign[i]; i++)
    if (strstr(page->body, foreign[i]) != NULL)
      g_error("%s shows %s: %s", path, foreign[i], page->body);
  items = json_object_get_array_member(json_node_get_object(page->json), "items");
  for (guint i = 0; i < json_array_get_length(items); i++)
    {
      JsonNode *id = json_object_get_member(json_array_get_object_element(items, i), id_member);
      g_ptr_array_add(ids, json_node_get_value_type(id) == G_TYPE_STRING
                               ? g_strdup(json_node_get_string(id))
                               : g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(id)));
    }
  return ids;
}

/* One pair's billed call: returns its session id. */
static char *
billed_call(PpmTestServer *server, PpmTestPair *pair)
{
  g_autoptr(PpmTestResponse) open = ppm_test_open(server, pair, 300000);
  g_autoptr(PpmTestResponse) charge = NULL, close = NULL;

  ppm_assert_answer(open, 201, NULL);
  charge = ppm_test_charge(server, pair->model_token, ppm_test_string(open, "session_id"), 0);
  ppm_assert_answer(charge, 201, NULL);
  close = ppm_test_close(server, pair->model_token, ppm_test_string(open, "session_id"),
                         "local_hangup", 2000);
  ppm_assert_answer(close, 200, NULL);
  return g_strdup(ppm_test_string(open, "session_id"));
}

static void
assert_disjoint(GPtrArray *mine, GPtrArray *theirs)
{
  for (guint i = 0; i < mine->len; i++)
    for (guint j = 0; j < theirs->len; j++)
      g_assert_cmpstr(mine->pdata[i], !=, theirs->pdata[j]);
}

/* Each user of one pair sees items of their own, none of the other pair's. */
static void
assert_histories_apart(PpmTestServer *server, PpmTestPair *a, const char *a_session, PpmTestPair *b,
                       const char *b_session, const char *before)
{
  const char *const b_names[] = { b_session, b->model_email, b->member_email, NULL };
  const char *const a_names[] = { a_session, a->model_email, a->member_email, NULL };
  const char *tokens[2][2]
      = { { a->model_token, a->member_token }, { b->model_token, b->member_token } };
  const char *const *foreign[2] = { b_names, a_names };
  g_autofree char *transactions = g_strdup_printf("/v1/me/transactions?limit=200%s", before);
  g_autofree char *sessions = g_strdup_printf("/v1/me/sessions?limit=200%s", before);
  GPtrArray *ids[2][2];

  for (int side = 0; side < 2; side++)
    for (int user = 0; user < 2; user++)
      {
        g_autoptr(GPtrArray) own_sessions
            = history_ids(server, tokens[side][user], sessions, "session_id", foreign[side]);

        /* Not vacuous: the user's own call is there. */
        g_assert_cmpuint(own_sessions->len, ==, 1);
        g_assert_cmpstr(own_sessions->pdata[0], ==, side == 0 ? a_session : b_session);
        ids[side][user]
            = history_ids(server, tokens[side][user], transactions, "id", foreign[side]);
        g_assert_cmpuint(ids[side][user]->len, >=, 1);
      }
  for (int user = 0; user < 2; user++)
    for (int other = 0; other < 2; other++)
      assert_disjoint(ids[0][user], ids[1][other]);
  for (int side = 0; side < 2; side++)
    for (int user = 0; user < 2; user++)
      g_ptr_array_unref(ids[side][user]);
}

static void
test_history_shows_only_own(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autofree char *amy_session = NULL, *bea_session = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "30.00");
  amy_session = billed_call(server, &amy);
  bea_session = billed_call(server, &bea);
  assert_histories_apart(server, &amy, amy_session, &bea, bea_session, "");
  /* A cursor past everyone's items still shows only one's own. */
  assert_histories_apart(server, &amy, amy_session, &bea, bea_session, "&before=1000000");
}

static PpmTestResponse *
rate_session(PpmTestServer *server, const char *token, const char *session)
{
  g_autofree char *path = g_strdup_printf("/v1/sessions/%s/rating", session);
  return ppm_test_call(server, "POST", path, token, "{\"stars\": 1}");
}

static void
test_rating_only_by_session_parties(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autofree char *session = NULL;
  g_autoptr(PpmTestResponse) by_model = NULL, by_member = NULL, own = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  session = billed_call(server, &amy);
  by_model = rate_session(server, bea.model_token, session);
  ppm_assert_answer(by_model, 404, "not_found");
  by_member = rate_session(server, bea.member_token, session);
  ppm_assert_answer(by_member, 404, "not_found");
  /* The strangers' attempts used up nothing. */
  own = rate_session(server, amy.member_token, session);
  ppm_assert_answer(own, 204, NULL);
}

/* A handle linked to one account cannot be taken or dropped by another. */
static void
test_handles_of_another_account(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) take = NULL, drop = NULL, me = NULL, open = NULL;
  JsonArray *handles;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  take = ppm_test_call(server, "POST", "/v1/me/handles", amy.model_token,
                       "{\"protocol\": \"prpl-jabber\", \"handle\": \"%s\"}", amy.member_handle);
  ppm_assert_answer(take, 409, "handle_taken");
  drop = ppm_test_call(server, "DELETE", "/v1/me/handles", amy.model_token,
                       "{\"protocol\": \"prpl-jabber\", \"handle\": \"%s\"}", amy.member_handle);
  g_assert_cmpint(drop->status, >=, 400);
  g_assert_cmpint(drop->status, <, 500);
  me = ppm_test_call(server, "GET", "/v1/me", amy.member_token, NULL);
  ppm_assert_answer(me, 200, NULL);
  handles = json_object_get_array_member(json_node_get_object(me->json), "handles");
  g_assert_cmpuint(json_array_get_length(handles), ==, 1);
  g_assert_cmpstr(
      json_object_get_string_member(json_array_get_object_element(handles, 0), "handle"), ==,
      amy.member_handle);
  open = ppm_test_open(server, &amy, 0);
  ppm_assert_answer(open, 201, NULL);
}

static void
test_rate_above_member_max(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) refused = NULL, accepted = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  g_free(ppm_test_admin_ok(server, "set-max-rate", "--email", amy.member_email, "--amount", "1.99",
                           NULL));
  refused = ppm_test_open(server, &amy, 0);
  ppm_assert_answer(refused, 403, "rate_not_accepted");
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
  g_free(ppm_test_admin_ok(server, "set-max-rate", "--email", amy.member_email, "--amount", "2.00",
                           NULL));
  accepted = ppm_test_open(server, &amy, 0);
  ppm_assert_answer(accepted, 201, NULL);
}

static void
test_rate_above_platform_max(void)
{
  const char *const args[] = { "--max-rate", "1.50", NULL };
  g_autoptr(SecServer) server = sec_server_start(args);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) refused = NULL, accepted = NULL;

  /* The pair's rate is 2.00, under the member's default cap of 10.00. */
  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  refused = ppm_test_open(server, &amy, 0);
  ppm_assert_answer(refused, 403, "rate_not_accepted");
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", amy.model_email, "--amount", "1.50", NULL));
  accepted = ppm_test_open(server, &amy, 0);
  ppm_assert_answer(accepted, 201, NULL);
}

static gint64
minutes_affordable(PpmTestServer *server, PpmTestPair *pair)
{
  g_autofree char *path
      = g_strdup_printf("/v1/members/lookup?protocol=prpl-jabber&handle=%s", pair->member_handle);
  g_autoptr(PpmTestResponse) r = ppm_test_call(server, "GET", path, pair->model_token, NULL);

  ppm_assert_answer(r, 200, NULL);
  g_assert_cmpstr(ppm_test_string(r, "status"), ==, "funded");
  g_assert_false(ppm_test_has(r, "balance"));
  g_assert_false(ppm_test_has(r, "available"));
  return ppm_test_int(r, "minutes_affordable");
}

static void
test_lookup_caps_minutes(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };

  ppm_test_pair_init(&amy, server, "amy", "mia", "9.00");
  g_assert_cmpint(minutes_affordable(server, &amy), ==, 4);
  g_free(
      ppm_test_admin_ok(server, "fund", "--email", amy.member_email, "--amount", "491.00", NULL));
  /* 500.00 at 2.00 buys 250 minutes; the lookup says no more than 60. */
  g_assert_cmpint(minutes_affordable(server, &amy), ==, 60);
}

static void
test_lookup_floor_one_unit(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };

  ppm_test_pair_init(&amy, server, "amy", "mia", "10.00");
  /* At 0.10 a minute 10.00 buys 100 minutes: a lookup would reveal the
   * balance to the cent, so it counts at 1.00 a minute. */
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", amy.model_email, "--amount", "0.10", NULL));
  g_assert_cmpint(minutes_affordable(server, &amy), ==, 10);
  g_free(ppm_test_admin_ok(server, "fund", "--email", amy.member_email, "--amount", "0.99", NULL));
  g_assert_cmpint(minutes_affordable(server, &amy), ==, 10);
}

static void
test_lookup_rate_limit(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(PpmTestResponse) limited = NULL, other = NULL;
  gint64 retry_after;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  for (int i = 0; i < 30; i++)
    {
      /* Different handles, as a model probing for members would use. */
      g_autofree char *path
          = g_strdup_printf("/v1/members/lookup?protocol=prpl-jabber&handle=probe%d@localhost", i);
      g_autoptr(PpmTestResponse) r = ppm_test_call(server, "GET", path, amy.model_token, NULL);
      ppm_assert_answer(r, 200, NULL);
      g_assert_cmpstr(ppm_test_string(r, "status"), ==, "not_member");
    }
  limited
      = ppm_test_call(server, "GET", "/v1/members/lookup?protocol=prpl-jabber&handle=mia@localhost",
                      amy.model_token, NULL);
  ppm_assert_answer(limited, 429, "rate_limited");
  g_assert_true(g_hash_table_contains(limited->headers, "retry-after"));
  retry_after = g_ascii_strtoll(g_hash_table_lookup(limited->headers, "retry-after"), NULL, 10);
  g_assert_cmpint(retry_after, >=, 1);
  g_assert_cmpint(retry_after, <=, 60);
  g_assert_null(strstr(limited->body, amy.member_email));
  /* The limit is per model. */
  other
      = ppm_test_call(server, "GET", "/v1/members/lookup?protocol=prpl-jabber&handle=mia@localhost",
                      bea.model_token, NULL);
  ppm_assert_answer(other, 200, NULL);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/authz/open-with-another-models-handle",
                  test_open_with_another_models_handle);
  g_test_add_func("/security/authz/open-against-a-non-member", test_open_against_a_non_member);
  g_test_add_func("/security/authz/charge-and-close-another-models-session",
                  test_charge_and_close_another_models_session);
  g_test_add_func("/security/authz/member-cannot-bill-or-look-up",
                  test_member_cannot_bill_or_look_up);
  g_test_add_func("/security/authz/history-shows-only-own", test_history_shows_only_own);
  g_test_add_func("/security/authz/rating-only-by-session-parties",
                  test_rating_only_by_session_parties);
  g_test_add_func("/security/authz/handles-of-another-account", test_handles_of_another_account);
  g_test_add_func("/security/authz/rate-above-member-max", test_rate_above_member_max);
  g_test_add_func("/security/authz/rate-above-platform-max", test_rate_above_platform_max);
  g_test_add_func("/security/authz/lookup-caps-minutes", test_lookup_caps_minutes);
  g_test_add_func("/security/authz/lookup-floor-one-unit", test_lookup_floor_one_unit);
  g_test_add_func("/security/authz/lookup-rate-limit", test_lookup_rate_limit);
  return g_test_run();
}
