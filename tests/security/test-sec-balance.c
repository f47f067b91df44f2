/* Nothing reveals a member's balance, and a member chooses who may bill it
 * (docs/billing-rules.md#balance-secrecy): charge answers show at most 60 periods, opens count
 * against the lookup limit so that they cannot probe who is a member, and
 * the allow-list refuses other models.  Real ppm-server, real SQLite. */
#include <string.h>

#include "ppm-test-api.h"
#include "sec-browser.h"
#include "sec-server.h"

#define LOOKUP_LIMIT 30

/* POST /v1/sessions by the pair's model with `client_session_id` against
 * `member_handle`. */
static PpmTestResponse *
open_with(PpmTestServer *server, PpmTestPair *pair, const char *client_session_id,
          const char *member_handle)
{
  return ppm_test_call(server, "POST", "/v1/sessions", pair->model_token,
                       "{\"client_session_id\": \"%s\", \"protocol\": \"prpl-jabber\","
                       " \"model_handle\": \"%s\", \"member_handle\": \"%s\","
                       " \"elapsed_ms\": 300000}",
                       client_session_id, pair->model_handle, member_handle);
}

static PpmTestResponse *
open_handle(PpmTestServer *server, PpmTestPair *pair, const char *member_handle)
{
  g_autofree char *id = g_uuid_string_random();

  return open_with(server, pair, id, member_handle);
}

static PpmTestResponse *
lookup(PpmTestServer *server, PpmTestPair *pair, const char *handle)
{
  g_autofree char *path
      = g_strdup_printf("/v1/members/lookup?protocol=prpl-jabber&handle=%s", handle);

  return ppm_test_call(server, "GET", path, pair->model_token, NULL);
}

/* `count` opens of handles nobody has, each refused 404 (and counted). */
static void
probe_opens(PpmTestServer *server, PpmTestPair *pair, int count)
{
  for (int i = 0; i < count; i++)
    {
      g_autofree char *handle = g_strdup_printf("probe%d@localhost", i);
      g_autoptr(PpmTestResponse) r = open_handle(server, pair, handle);

      ppm_assert_answer(r, 404, "not_found");
    }
}

/* A lookup answer's billing_allowed, asserted present and boolean. */
static gboolean
billing_allowed(PpmTestResponse *r)
{
  JsonNode *node;

  ppm_assert_answer(r, 200, NULL);
  node = json_object_get_member(json_node_get_object(r->json), "billing_allowed");
  g_assert_nonnull(node);
  g_assert_true(json_node_get_value_type(node) == G_TYPE_BOOLEAN);
  return json_node_get_boolean(node);
}

static void
assert_rate_limited(PpmTestResponse *r)
{
  ppm_assert_answer(r, 429, "rate_limited");
  g_assert_true(g_hash_table_contains(r->headers, "retry-after"));
  g_assert_cmpint(g_ascii_strtoll(g_hash_table_lookup(r->headers, "retry-after"), NULL, 10), >=, 1);
}

static void
test_charge_shows_at_most_60_periods(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, first = NULL, second = NULL;

  /* 500.00 at 2.00: 250 periods. */
  ppm_test_pair_init(&amy, server, "amy", "mia", "500.00");
  open = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(open, 201, NULL);
  first = ppm_test_charge(server, amy.model_token, ppm_test_string(open, "session_id"), 0);
  ppm_assert_answer(first, 201, NULL);
  g_assert_cmpint(ppm_test_int(first, "member_balance_periods"), ==, 60);
  /* The hold is what it is: two periods. */
  g_assert_cmpint(ppm_test_int(first, "secured_periods"), ==, 2);
}

static void
test_charge_below_60_periods_is_exact(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, charge = NULL;

  /* 100.00 at 2.00: 49 periods left after the first. */
  ppm_test_pair_init(&amy, server, "amy", "mia", "100.00");
  open = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(open, 201, NULL);
  charge = ppm_test_charge(server, amy.model_token, ppm_test_string(open, "session_id"), 0);
  ppm_assert_answer(charge, 201, NULL);
  g_assert_cmpint(ppm_test_int(charge, "member_balance_periods"), ==, 49);
  g_assert_cmpint(ppm_test_int(charge, "secured_periods"), ==, 2);
}

static void
test_last_paid_period_shows_zero(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, refused = NULL;
  const gint64 periods_after[] = { 2, 1, 0 };
  const char *session;

  /* 6.00 at 2.00: three periods; the third is the last paid one. */
  ppm_test_pair_init(&amy, server, "amy", "mia", "6.00");
  open = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(open, 201, NULL);
  session = ppm_test_string(open, "session_id");
  for (gint64 seq = 0; seq < 3; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, amy.model_token, session, seq);

      ppm_assert_answer(r, 201, NULL);
      g_assert_cmpint(ppm_test_int(r, "member_balance_periods"), ==, periods_after[seq]);
      g_assert_cmpint(ppm_test_int(r, "secured_periods"), ==, periods_after[seq]);
    }
  refused = ppm_test_charge(server, amy.model_token, session, 3);
  ppm_assert_answer(refused, 402, "insufficient_funds");
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 0);
  ppm_test_verify(server);
}

/* A model that opens against handle after handle learns no more than 30 a
 * minute, and the 31st answer is the same whether the handle is a member's
 * or nobody's. */
static void
test_probing_opens_are_limited(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) member = NULL, nobody = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  probe_opens(server, &amy, LOOKUP_LIMIT);
  member = open_handle(server, &amy, amy.member_handle);
  nobody = open_handle(server, &amy, "nobody@localhost");
  assert_rate_limited(member);
  assert_rate_limited(nobody);
  g_assert_cmpstr(member->body, ==, nobody->body);
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
  g_assert_cmpint(ppm_test_balance(server, amy.model_email), ==, 0);
  ppm_test_verify(server);
}

/* An open that is refused still uses up the allowance: here lookups find
 * none left after 30 refused opens. */
static void
test_refused_open_counts(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) limited = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  probe_opens(server, &amy, LOOKUP_LIMIT);
  limited = lookup(server, &amy, amy.member_handle);
  assert_rate_limited(limited);
}

/* What the plugin does before every call, a lookup, lets the open through
 * at the limit; so does an open of that handle that counted already. */
static void
test_looked_up_handle_opens_freely(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autoptr(PpmTestResponse) looked = NULL, first = NULL, again = NULL, over = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  looked = lookup(server, &amy, amy.member_handle);
  ppm_assert_answer(looked, 200, NULL);
  probe_opens(server, &amy, LOOKUP_LIMIT - 1);
  over = open_handle(server, &amy, "nobody@localhost");
  assert_rate_limited(over);
  first = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(first, 201, NULL);
  again = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(again, 201, NULL);
}

/* A repeat of a recorded open answers first, also over the limit. */
static void
test_replay_is_never_limited(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_autofree char *id = g_uuid_string_random();
  g_autoptr(PpmTestResponse) first = NULL, replay = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  first = open_with(server, &amy, id, amy.member_handle);
  ppm_assert_answer(first, 201, NULL);
  probe_opens(server, &amy, LOOKUP_LIMIT - 1);
  replay = open_with(server, &amy, id, amy.member_handle);
  ppm_assert_answer(replay, 201, NULL);
  g_assert_cmpstr(g_hash_table_lookup(replay->headers, "idempotent-replayed"), ==, "true");
  g_assert_cmpstr(replay->body, ==, first->body);
}

/* Signs `email` in (password as ppm_test_user sets it). */
static void
sign_in(SecBrowser *browser, const char *email)
{
  g_autofree char *csrf = sec_browser_form_token(browser, "/account/login");
  g_autofree char *escaped = g_uri_escape_string(email, NULL, FALSE);
  g_autofree char *rest = g_strdup_printf("email=%s&password=password-%s", escaped, escaped);
  g_autofree char *form = sec_form(csrf, rest);
  g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/login", form);

  g_assert_cmpint(r->status, ==, 303);
}

/* POSTs the settings form `rest` with this browser's token (or none). */
static SecResponse *
post_settings(SecBrowser *browser, gboolean with_token, const char *rest)
{
  g_autofree char *csrf = with_token ? sec_browser_form_token(browser, "/account/settings") : NULL;
  g_autofree char *form = sec_form(csrf, rest);

  return sec_browser_visit(browser, "/account/settings", form);
}

/* The member turns the allow-list on from its settings page and allows one
 * model: the other is refused with a code of its own, and lookups say so. */
static void
test_allow_list_refuses_other_models(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(SecBrowser) mia = sec_browser_new(server, NULL);
  g_autoptr(SecResponse) on = NULL, added = NULL;
  g_autoptr(PpmTestResponse) refused = NULL, refused_lookup = NULL, allowed = NULL,
                             allowed_lookup = NULL, charge = NULL;
  g_autofree char *add = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  sign_in(mia, amy.member_email);
  on = post_settings(mia, TRUE, "action=only&only=on");
  g_assert_cmpint(on->status, ==, 200);
  add = g_strdup_printf("action=add&kind=prpl-jabber&who=%s", amy.model_handle);
  added = post_settings(mia, TRUE, add);
  g_assert_cmpint(added->status, ==, 200);

  refused = open_handle(server, &bea, amy.member_handle);
  ppm_assert_answer(refused, 403, "model_not_allowed");
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
  refused_lookup = lookup(server, &bea, amy.member_handle);
  g_assert_false(billing_allowed(refused_lookup));
  g_assert_cmpstr(ppm_test_string(refused_lookup, "status"), ==, "funded");

  allowed_lookup = lookup(server, &amy, amy.member_handle);
  g_assert_true(billing_allowed(allowed_lookup));
  allowed = ppm_test_open(server, &amy, 300000);
  ppm_assert_answer(allowed, 201, NULL);
  charge = ppm_test_charge(server, amy.model_token, ppm_test_string(allowed, "session_id"), 0);
  ppm_assert_answer(charge, 201, NULL);
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 1800);
  g_assert_cmpint(ppm_test_balance(server, bea.model_email), ==, 0);
  ppm_test_verify(server);
}

/* The page: add by email and remove; an email of nobody and a member's
 * email get the same answer; no change without the CSRF token; models have
 * no such page. */
static void
test_allow_list_page(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(SecBrowser) mia = sec_browser_new(server, NULL);
  g_autoptr(SecBrowser) model = sec_browser_new(server, NULL);
  g_autoptr(SecResponse) history = NULL, forged = NULL, added = NULL, nobody = NULL, member = NULL,
                         on = NULL, removed = NULL, model_page = NULL, page = NULL;
  g_autoptr(PpmTestResponse) call = NULL, before = NULL, after = NULL, amy_refused = NULL,
                             bea_refused = NULL;
  g_autofree char *add = NULL, *add_member = NULL, *model_field = NULL, *remove = NULL;
  g_autofree char *escaped = NULL;
  const char *name;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  /* A call with amy (nothing charged), so that the page offers her. */
  call = ppm_test_open(server, &amy, 0);
  ppm_assert_answer(call, 201, NULL);
  sign_in(mia, amy.member_email);
  history = sec_browser_visit(mia, "/account/payments/history", NULL);
  g_assert_cmpint(history->status, ==, 200);
  g_assert_nonnull(strstr(history->body, "/account/settings\""));

  /* Without the token: refused, and the allow-list stays off. */
  forged = post_settings(mia, FALSE, "action=only&only=on");
  g_assert_cmpint(forged->status, ==, 403);
  before = lookup(server, &bea, amy.member_handle);
  g_assert_true(billing_allowed(before));

  escaped = g_uri_escape_string(bea.model_email, NULL, FALSE);
  add = g_strdup_printf("action=add&kind=email&who=%s", escaped);
  added = post_settings(mia, TRUE, add);
  g_assert_cmpint(added->status, ==, 200);
  name = strstr(added->body, "<table id=\"allowed\">");
  g_assert_nonnull(name);
  g_assert_nonnull(strstr(name, "<input type=\"hidden\" name=\"model\""));

  /* Nobody's email and a member's email: one answer. */
  nobody = post_settings(mia, TRUE, "action=add&kind=email&who=nobody%40example.com");
  g_free(escaped);
  escaped = g_uri_escape_string(amy.member_email, NULL, FALSE);
  add_member = g_strdup_printf("action=add&kind=email&who=%s", escaped);
  member = post_settings(mia, TRUE, add_member);
  g_assert_cmpint(nobody->status, ==, 404);
  g_assert_cmpint(member->status, ==, 404);
  g_assert_nonnull(strstr(nobody->body, "No model has that email or IM handle."));
  g_assert_nonnull(strstr(member->body, "No model has that email or IM handle."));

  /* Turned on, bea may bill (she is on the list), amy may not. */
  on = post_settings(mia, TRUE, "action=only&only=on");
  g_assert_cmpint(on->status, ==, 200);
  after = lookup(server, &bea, amy.member_handle);
  g_assert_true(billing_allowed(after));
  amy_refused = open_handle(server, &amy, amy.member_handle);
  ppm_assert_answer(amy_refused, 403, "model_not_allowed");

  /* Removed, bea is refused too. */
  model_field = sec_html_field(name, "model");
  g_assert_nonnull(model_field);
  remove = g_strdup_printf("action=remove&model=%s", model_field);
  removed = post_settings(mia, TRUE, remove);
  g_assert_cmpint(removed->status, ==, 200);
  g_assert_nonnull(strstr(removed->body, "No model yet."));
  bea_refused = open_handle(server, &bea, amy.member_handle);
  ppm_assert_answer(bea_refused, 403, "model_not_allowed");

  /* The model the member had a call with is offered. */
  page = sec_browser_visit(mia, "/account/settings", NULL);
  g_assert_cmpint(page->status, ==, 200);
  g_assert_nonnull(strstr(page->body, "<table id=\"suggested\">"));
  g_assert_nonnull(strstr(page->body, amy.model_handle));

  /* A model has no allow-list of its own to put itself on. */
  sign_in(model, bea.model_email);
  model_page = sec_browser_visit(model, "/account/settings", NULL);
  g_assert_cmpint(model_page->status, ==, 403);
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
  ppm_test_verify(server);
}

/* The id of the first model of an allow-list answer (asserted). */
static gint64
first_model_id(PpmTestResponse *r)
{
  JsonArray *models = json_object_get_array_member(json_node_get_object(r->json), "models");

  g_assert_cmpuint(json_array_get_length(models), ==, 1);
  return json_object_get_int_member(json_array_get_object_element(models, 0), "id");
}

/* The same list through the API: members only, a model cannot be put on it
 * by anyone else, and nobody's email answers as a member's does. */
static void
test_allow_list_api(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(PpmTestResponse) by_model = NULL, on = NULL, added = NULL, nobody = NULL, member = NULL,
                             refused = NULL, removed = NULL, gone = NULL;
  gint64 model_id;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  by_model = ppm_test_call(server, "POST", "/v1/me/allowed-models", bea.model_token,
                           "{\"email\": \"%s\"}", bea.model_email);
  ppm_assert_answer(by_model, 403, "forbidden");

  on = ppm_test_call(server, "PUT", "/v1/me/allowed-models", amy.member_token, "{\"only\": true}");
  ppm_assert_answer(on, 200, NULL);
  g_assert_cmpstr(on->body, ==, "{\"only\":true,\"models\":[]}");
  added = ppm_test_call(server, "POST", "/v1/me/allowed-models", amy.member_token,
                        "{\"protocol\": \"prpl-jabber\", \"handle\": \"%s\"}", bea.model_handle);
  ppm_assert_answer(added, 200, NULL);
  model_id = first_model_id(added);

  nobody = ppm_test_call(server, "POST", "/v1/me/allowed-models", amy.member_token,
                         "{\"email\": \"nobody@example.com\"}");
  member = ppm_test_call(server, "POST", "/v1/me/allowed-models", amy.member_token,
                         "{\"email\": \"%s\"}", bea.member_email);
  ppm_assert_answer(nobody, 404, "not_found");
  g_assert_cmpstr(nobody->body, ==, member->body);

  refused = open_handle(server, &amy, amy.member_handle);
  ppm_assert_answer(refused, 403, "model_not_allowed");
  removed = ppm_test_call(server, "DELETE", "/v1/me/allowed-models", amy.member_token,
                          "{\"model_id\": %" G_GINT64_FORMAT "}", model_id);
  ppm_assert_answer(removed, 200, NULL);
  g_assert_cmpstr(removed->body, ==, "{\"only\":true,\"models\":[]}");
  gone = ppm_test_call(server, "DELETE", "/v1/me/allowed-models", amy.member_token,
                       "{\"model_id\": %" G_GINT64_FORMAT "}", model_id);
  ppm_assert_answer(gone, 404, "not_found");
  g_assert_cmpint(ppm_test_balance(server, amy.member_email), ==, 2000);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/balance/charge-shows-at-most-60-periods",
                  test_charge_shows_at_most_60_periods);
  g_test_add_func("/security/balance/charge-below-60-periods-is-exact",
                  test_charge_below_60_periods_is_exact);
  g_test_add_func("/security/balance/last-paid-period-shows-zero",
                  test_last_paid_period_shows_zero);
  g_test_add_func("/security/balance/probing-opens-are-limited", test_probing_opens_are_limited);
  g_test_add_func("/security/balance/refused-open-counts", test_refused_open_counts);
  g_test_add_func("/security/balance/looked-up-handle-opens-freely",
                  test_looked_up_handle_opens_freely);
  g_test_add_func("/security/balance/replay-is-never-limited", test_replay_is_never_limited);
  g_test_add_func("/security/balance/allow-list-refuses-other-models",
                  test_allow_list_refuses_other_models);
  g_test_add_func("/security/balance/allow-list-page", test_allow_list_page);
  g_test_add_func("/security/balance/allow-list-api", test_allow_list_api);
  return g_test_run();
}
