/* Rates, handles, lookups, history and the app rating over real HTTP. */
#include <string.h>

#include "ppm-test-api.h"

static PpmTestServer *
start(void)
{
  g_autoptr(GError) error = NULL;
  PpmTestServer *server
      = ppm_test_server_start(NULL, (const char *[]){ "--max-rate", "50.00", NULL }, &error);

  g_assert_no_error(error);
  return server;
}

static void
test_rates(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) ok = NULL, zero = NULL, above = NULL, member = NULL, cap = NULL;
  g_autoptr(PpmTestResponse) model_cap = NULL, text = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", NULL);
  ok = ppm_test_call(server, "PUT", "/v1/me/rate", pair.model_token, "{\"amount_minor\": 350}");
  ppm_assert_answer(ok, 200, NULL);
  g_assert_cmpint(ppm_test_int(ok, "rate.amount_minor"), ==, 350);
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 0);
  zero = ppm_test_call(server, "PUT", "/v1/me/rate", pair.model_token, "{\"amount_minor\": 0}");
  ppm_assert_answer(zero, 422, "invalid");
  above = ppm_test_call(server, "PUT", "/v1/me/rate", pair.model_token, "{\"amount_minor\": 5001}");
  ppm_assert_answer(above, 422, "invalid");
  text = ppm_test_call(server, "PUT", "/v1/me/rate", pair.model_token,
                       "{\"amount_minor\": \"350\"}");
  ppm_assert_answer(text, 400, "bad_request");
  member = ppm_test_call(server, "PUT", "/v1/me/rate", pair.member_token, "{\"amount_minor\": 1}");
  ppm_assert_answer(member, 403, "forbidden");

  cap = ppm_test_call(server, "PUT", "/v1/me/max-rate", pair.member_token,
                      "{\"amount_minor\": 300}");
  ppm_assert_answer(cap, 200, NULL);
  g_assert_cmpint(ppm_test_int(cap, "max_rate.amount_minor"), ==, 300);
  model_cap = ppm_test_call(server, "PUT", "/v1/me/max-rate", pair.model_token,
                            "{\"amount_minor\": 300}");
  ppm_assert_answer(model_cap, 403, "forbidden");
}

static void
test_handles(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) add = NULL, again = NULL, taken = NULL, del = NULL, gone = NULL;
  g_autoptr(PpmTestResponse) bad = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", NULL);
  add = ppm_test_call(server, "POST", "/v1/me/handles", pair.model_token,
                      "{\"protocol\": \"prpl-jabber\", \"handle\": \"Second@Localhost/Home\"}");
  ppm_assert_answer(add, 200, NULL);
  g_assert_true(strstr(add->body, "{\"protocol\":\"prpl-jabber\",\"handle\":\"second@localhost\"}")
                != NULL);
  g_assert_true(strstr(add->body, "\"model@localhost\"") != NULL);
  again = ppm_test_call(server, "POST", "/v1/me/handles", pair.model_token,
                        "{\"protocol\": \"prpl-jabber\", \"handle\": \"second@localhost\"}");
  ppm_assert_answer(again, 200, NULL);
  taken = ppm_test_call(server, "POST", "/v1/me/handles", pair.member_token,
                        "{\"protocol\": \"prpl-jabber\", \"handle\": \"second@localhost\"}");
  ppm_assert_answer(taken, 409, "handle_taken");
  del = ppm_test_call(server, "DELETE", "/v1/me/handles", pair.model_token,
                      "{\"protocol\": \"prpl-jabber\", \"handle\": \"second@localhost\"}");
  ppm_assert_answer(del, 200, NULL);
  g_assert_null(strstr(del->body, "second@localhost"));
  gone = ppm_test_call(server, "DELETE", "/v1/me/handles", pair.model_token,
                       "{\"protocol\": \"prpl-jabber\", \"handle\": \"second@localhost\"}");
  ppm_assert_answer(gone, 404, "not_found");
  bad = ppm_test_call(server, "POST", "/v1/me/handles", pair.model_token,
                      "{\"protocol\": \"\", \"handle\": \"x\"}");
  ppm_assert_answer(bad, 422, "invalid");
}

static PpmTestResponse *
lookup(PpmTestServer *server, const char *token, const char *handle)
{
  g_autofree char *escaped = g_uri_escape_string(handle, NULL, FALSE);
  g_autofree char *path
      = g_strdup_printf("/v1/members/lookup?protocol=prpl-jabber&handle=%s", escaped);
  return ppm_test_call(server, "GET", path, token, NULL);
}

static void
test_lookup(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) unfunded = NULL, funded = NULL, capped = NULL, none = NULL;
  g_autoptr(PpmTestResponse) member = NULL, cheap = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "1.50");
  unfunded = lookup(server, pair.model_token, "Member@localhost/phone");
  ppm_assert_answer(unfunded, 200, NULL);
  g_assert_cmpstr(ppm_test_string(unfunded, "status"), ==, "unfunded");
  g_assert_cmpstr(ppm_test_string(unfunded, "display_name"), ==, pair.member_email);
  g_assert_false(ppm_test_has(unfunded, "minutes_affordable"));

  g_free(ppm_test_admin_ok(server, "fund", "--email", pair.member_email, "--amount", "9.00", NULL));
  funded = lookup(server, pair.model_token, "member@localhost");
  g_assert_cmpstr(ppm_test_string(funded, "status"), ==, "funded");
  g_assert_cmpint(ppm_test_int(funded, "minutes_affordable"), ==, 5); /* 10.50 / 2.00 */

  /* Priced at no less than 1.00 a period, capped at 60. */
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", pair.model_email, "--amount", "0.01", NULL));
  cheap = lookup(server, pair.model_token, "member@localhost");
  g_assert_cmpint(ppm_test_int(cheap, "minutes_affordable"), ==, 10);
  g_free(
      ppm_test_admin_ok(server, "fund", "--email", pair.member_email, "--amount", "500.00", NULL));
  capped = lookup(server, pair.model_token, "member@localhost");
  g_assert_cmpint(ppm_test_int(capped, "minutes_affordable"), ==, 60);

  none = lookup(server, pair.model_token, "model@localhost");
  g_assert_cmpstr(ppm_test_string(none, "status"), ==, "not_member");
  g_assert_false(ppm_test_has(none, "display_name"));
  member = lookup(server, pair.member_token, "member@localhost");
  ppm_assert_answer(member, 403, "forbidden");
}

static void
test_lookup_rate_limit(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) limited = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  for (int i = 0; i < 30; i++)
    {
      g_autofree char *handle = g_strdup_printf("someone%d@localhost", i);
      g_autoptr(PpmTestResponse) r = lookup(server, pair.model_token, handle);
      ppm_assert_answer(r, 200, NULL);
    }
  limited = lookup(server, pair.model_token, "member@localhost");
  ppm_assert_answer(limited, 429, "rate_limited");
  g_assert_cmpint(g_ascii_strtoll(g_hash_table_lookup(limited->headers, "retry-after"), NULL, 10),
                  >=, 1);
}

static void
test_history(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, page1 = NULL, page2 = NULL, model = NULL;
  g_autoptr(PpmTestResponse) sessions = NULL;
  g_autofree char *path = NULL;
  const char *const bad_queries[]
      = { "limit=0", "limit=201", "limit=abc", "before=-1", "limit=", "before=x" };
  JsonArray *items;

  ppm_test_pair_init(&pair, server, "model", "member", "10.00");
  g_free(ppm_test_admin_ok(server, "fund", "--email", pair.member_email, "--amount", "5.00", NULL));
  open = ppm_test_open(server, &pair, 300000);
  for (int seq = 0; seq < 3; seq++)
    {
      g_autoptr(PpmTestResponse) r
          = ppm_test_charge(server, pair.model_token, ppm_test_string(open, "session_id"), seq);
      ppm_assert_answer(r, 201, NULL);
    }
  /* Member: 2 deposits + 3 charges, newest first, two per page. */
  page1 = ppm_test_call(server, "GET", "/v1/me/transactions?limit=2", pair.member_token, NULL);
  ppm_assert_answer(page1, 200, NULL);
  items = json_object_get_array_member(json_node_get_object(page1->json), "items");
  g_assert_cmpint(json_array_get_length(items), ==, 2);
  g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(items, 0), "kind"),
                  ==, "charge");
  g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(
                                                 json_array_get_object_element(items, 0), "amount"),
                                             "amount_minor"),
                  ==, -200);
  g_assert_cmpint(
      json_object_get_int_member(
          json_object_get_object_member(json_array_get_object_element(items, 0), "balance_after"),
          "amount_minor"),
      ==, 900);
  path = g_strdup_printf("/v1/me/transactions?limit=2&before=%" G_GINT64_FORMAT,
                         ppm_test_int(page1, "next_before"));
  page2 = ppm_test_call(server, "GET", path, pair.member_token, NULL);
  items = json_object_get_array_member(json_node_get_object(page2->json), "items");
  g_assert_cmpint(json_array_get_length(items), ==, 2);
  g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(items, 1), "kind"),
                  ==, "deposit");
  g_assert_true(ppm_test_has(page2, "next_before"));

  model = ppm_test_call(server, "GET", "/v1/me/transactions", pair.model_token, NULL);
  items = json_object_get_array_member(json_node_get_object(model->json), "items");
  g_assert_cmpint(json_array_get_length(items), ==, 3);
  g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(items, 0), "kind"),
                  ==, "earning");
  g_assert_cmpstr(
      json_object_get_string_member(json_array_get_object_element(items, 0), "counterparty"), ==,
      pair.member_email);
  g_assert_false(ppm_test_has(model, "next_before"));

  sessions = ppm_test_call(server, "GET", "/v1/me/sessions", pair.member_token, NULL);
  items = json_object_get_array_member(json_node_get_object(sessions->json), "items");
  g_assert_cmpint(json_array_get_length(items), ==, 1);
  g_assert_cmpint(
      json_object_get_int_member(json_array_get_object_element(items, 0), "periods_charged"), ==,
      3);
  g_assert_cmpstr(
      json_object_get_string_member(json_array_get_object_element(items, 0), "counterparty"), ==,
      pair.model_email);

  for (gsize i = 0; i < G_N_ELEMENTS(bad_queries); i++)
    {
      g_autofree char *bad_path = g_strdup_printf("/v1/me/transactions?%s", bad_queries[i]);
      g_autoptr(PpmTestResponse) r
          = ppm_test_call(server, "GET", bad_path, pair.member_token, NULL);
      ppm_assert_answer(r, 422, "invalid");
    }
}

static void
test_app_rating(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) ok = NULL, zero = NULL, long_comment = NULL, unknown = NULL;
  g_autoptr(PpmTestResponse) with_session = NULL, open = NULL;
  g_autofree char *comment = g_strnfill(501, 'x');

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  ok = ppm_test_call(server, "POST", "/v1/app-rating", pair.model_token, "{\"stars\": 4}");
  ppm_assert_answer(ok, 204, NULL);
  zero = ppm_test_call(server, "POST", "/v1/app-rating", pair.model_token, "{\"stars\": 0}");
  ppm_assert_answer(zero, 422, "invalid");
  long_comment = ppm_test_call(server, "POST", "/v1/app-rating", pair.model_token,
                               "{\"stars\": 3, \"comment\": \"%s\"}", comment);
  ppm_assert_answer(long_comment, 422, "invalid");
  unknown = ppm_test_call(server, "POST", "/v1/app-rating", pair.model_token,
                          "{\"stars\": 3, \"session_id\": \"nope\"}");
  ppm_assert_answer(unknown, 422, "invalid");
  open = ppm_test_open(server, &pair, 0);
  with_session = ppm_test_call(server, "POST", "/v1/app-rating", pair.model_token,
                               "{\"stars\": 5, \"comment\": \"ok\", \"session_id\": \"%s\"}",
                               ppm_test_string(open, "session_id"));
  ppm_assert_answer(with_session, 204, NULL);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/account/rates", test_rates);
  g_test_add_func("/server/account/handles", test_handles);
  g_test_add_func("/server/account/lookup", test_lookup);
  g_test_add_func("/server/account/lookup-rate-limit", test_lookup_rate_limit);
  g_test_add_func("/server/account/history", test_history);
  g_test_add_func("/server/account/app-rating", test_app_rating);
  return g_test_run();
}
