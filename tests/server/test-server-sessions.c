/* Opening, charging and closing sessions over real HTTP (docs/billing-rules.md:
 * Guards, Holds, Idempotency, Ending). */
#include <string.h>

#include "ppm-test-api.h"
#include "ppm-test-clock.h"
#include "ppm-test-missing.h"

static PpmTestServer *
start(const char *const *args)
{
  g_autoptr(GError) error = NULL;
  PpmTestServer *server = ppm_test_server_start(NULL, args, &error);

  g_assert_no_error(error);
  return server;
}

/* A server whose clock the test moves instead of waiting; NULL (the test
 * skipped) without faketime. */
static PpmTestClock *
start_clock(const char *const *args)
{
  g_autoptr(GError) error = NULL;
  PpmTestClock *clock = ppm_test_clock_start(args, &error);

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      ppm_test_missing(error->message);
      return NULL;
    }
  g_assert_no_error(error);
  return clock;
}

static char *
open_session(PpmTestServer *server, PpmTestPair *pair, gint64 elapsed_ms)
{
  g_autoptr(PpmTestResponse) r = ppm_test_open(server, pair, elapsed_ms);

  ppm_assert_answer(r, 201, NULL);
  return g_strdup(ppm_test_string(r, "session_id"));
}

static void
test_open_answer_and_hold(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) r = NULL, me = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  r = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(r, 201, NULL);
  g_assert_cmpint(ppm_test_int(r, "rate.amount_minor"), ==, 200);
  g_assert_cmpstr(ppm_test_string(r, "rate.currency"), ==, "USD");
  g_assert_cmpint(ppm_test_int(r, "period_seconds"), ==, 60);
  g_assert_cmpint(ppm_test_int(r, "offset_ms"), ==, 1000);
  g_assert_cmpint(ppm_test_int(r, "fee_bps"), ==, 2000);
  g_assert_cmpint(ppm_test_int(r, "secured_periods"), ==, 2);
  g_assert_cmpstr(ppm_test_string(r, "member_display_name"), ==, pair.member_email);
  /* The hold shows in the member's available funds, not in its balance. */
  me = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
  g_assert_cmpint(ppm_test_int(me, "balance.amount_minor"), ==, 2000);
  g_assert_cmpint(ppm_test_int(me, "available.amount_minor"), ==, 1600);
}

static void
test_open_fewer_periods_then_402(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) r = NULL, poor = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "3.00");
  r = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(r, 201, NULL);
  g_assert_cmpint(ppm_test_int(r, "secured_periods"), ==, 1);

  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", pair.model_email, "--amount", "4.00", NULL));
  poor = ppm_test_open(server, &pair, 0); /* supersedes the first: 3.00 < 4.00 */
  ppm_assert_answer(poor, 402, "insufficient_funds");
}

/* Only successful answers are kept for replay: the same open after a 402
 * is evaluated again. */
static void
test_open_retry_after_refusal(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) refused = NULL, accepted = NULL;
  const char *body = "{\"client_session_id\": \"retry-1\", \"protocol\": \"prpl-jabber\","
                     " \"model_handle\": \"model@localhost\","
                     " \"member_handle\": \"member@localhost\", \"elapsed_ms\": 0}";

  ppm_test_pair_init(&pair, server, "model", "member", "1.00");
  refused = ppm_test_call(server, "POST", "/v1/sessions", pair.model_token, "%s", body);
  ppm_assert_answer(refused, 402, "insufficient_funds");
  g_free(ppm_test_admin_ok(server, "fund", "--email", pair.member_email, "--amount", "5.00", NULL));
  accepted = ppm_test_call(server, "POST", "/v1/sessions", pair.model_token, "%s", body);
  ppm_assert_answer(accepted, 201, NULL);
  g_assert_false(g_hash_table_contains(accepted->headers, "idempotent-replayed"));
  g_assert_cmpint(ppm_test_int(accepted, "secured_periods"), ==, 2);
}

static void
test_open_idempotent(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) first = NULL, again = NULL, other = NULL;
  const char *body = "{\"client_session_id\": \"c-1\", \"protocol\": \"prpl-jabber\","
                     " \"model_handle\": \"model@localhost\", \"member_handle\": \"%s\","
                     " \"elapsed_ms\": %d}";

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  first = ppm_test_call(server, "POST", "/v1/sessions", pair.model_token, body, "member@localhost",
                        0);
  ppm_assert_answer(first, 201, NULL);
  g_assert_false(g_hash_table_contains(first->headers, "idempotent-replayed"));
  /* elapsed_ms is not compared; the answer is the first one, byte for byte. */
  again = ppm_test_call(server, "POST", "/v1/sessions", pair.model_token, body,
                        "Member@localhost/Laptop", 1500);
  ppm_assert_answer(again, 201, NULL);
  g_assert_cmpstr(again->body, ==, first->body);
  g_assert_cmpstr(g_hash_table_lookup(again->headers, "idempotent-replayed"), ==, "true");

  ppm_test_user(server, "other@example.com", "member");
  g_free(ppm_test_admin_ok(server, "link", "--email", "other@example.com", "--protocol",
                           "prpl-jabber", "--handle", "other@localhost", NULL));
  other
      = ppm_test_call(server, "POST", "/v1/sessions", pair.model_token, body, "other@localhost", 0);
  ppm_assert_answer(other, 409, "idempotency_mismatch");
}

static void
test_open_guards(void)
{
  g_autoptr(PpmTestServer) server = start((const char *[]){ "--max-rate", "5.00", NULL });
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) wrong_model = NULL, no_member = NULL, no_rate = NULL;
  g_autoptr(PpmTestResponse) above_member = NULL, above_platform = NULL, member_opens = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");

  /* A handle linked to nobody (or to someone else) is not the model's. */
  wrong_model = ppm_test_call(server, "POST", "/v1/sessions", pair.model_token,
                              "{\"client_session_id\": \"a\", \"protocol\": \"prpl-jabber\","
                              " \"model_handle\": \"member@localhost\","
                              " \"member_handle\": \"member@localhost\", \"elapsed_ms\": 0}");
  ppm_assert_answer(wrong_model, 403, "forbidden");
  no_member = ppm_test_call(server, "POST", "/v1/sessions", pair.model_token,
                            "{\"client_session_id\": \"b\", \"protocol\": \"prpl-jabber\","
                            " \"model_handle\": \"model@localhost\","
                            " \"member_handle\": \"nobody@localhost\", \"elapsed_ms\": 0}");
  ppm_assert_answer(no_member, 404, "not_found");

  g_free(ppm_test_admin_ok(server, "set-max-rate", "--email", pair.member_email, "--amount", "1.50",
                           NULL));
  above_member = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(above_member, 403, "rate_not_accepted");
  g_free(ppm_test_admin_ok(server, "set-max-rate", "--email", pair.member_email, "--amount",
                           "100.00", NULL));
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", pair.model_email, "--amount", "6.00", NULL));
  above_platform = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(above_platform, 403, "rate_not_accepted");

  /* A model that never set a rate cannot open. */
  ppm_test_user(server, "fresh@example.com", "model");
  g_free(ppm_test_admin_ok(server, "link", "--email", "fresh@example.com", "--protocol",
                           "prpl-jabber", "--handle", "fresh@localhost", NULL));
  {
    g_autofree char *token = ppm_test_login(server, "fresh@example.com");
    no_rate = ppm_test_call(server, "POST", "/v1/sessions", token,
                            "{\"client_session_id\": \"c\", \"protocol\": \"prpl-jabber\","
                            " \"model_handle\": \"fresh@localhost\","
                            " \"member_handle\": \"member@localhost\", \"elapsed_ms\": 0}");
    ppm_assert_answer(no_rate, 403, "rate_not_accepted");
  }
  member_opens = ppm_test_open(server,
                               &(PpmTestPair){ .model_token = pair.member_token,
                                               .model_handle = pair.member_handle,
                                               .member_handle = pair.member_handle },
                               0);
  ppm_assert_answer(member_opens, 403, "forbidden");
  ppm_test_verify(server);
}

static void
test_open_supersedes_and_caps(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) a = { 0 };
  g_autoptr(PpmTestResponse) late = NULL, fourth = NULL, me = NULL;
  g_autofree char *first = NULL, *second = NULL;
  const char *models[] = { "m2", "m3", "m4" };
  char *tokens[3] = { NULL };

  ppm_test_pair_init(&a, server, "m1", "member", "20.00");
  first = open_session(server, &a, 0);
  second = open_session(server, &a, 0);
  /* The pair's first session was closed as superseded, its hold released. */
  late = ppm_test_charge(server, a.model_token, first, 0);
  ppm_assert_answer(late, 409, "session_closed");
  me = ppm_test_call(server, "GET", "/v1/me", a.member_token, NULL);
  g_assert_cmpint(ppm_test_int(me, "available.amount_minor"), ==, 1600);

  /* Three open sessions per member: m1 has one, m2 and m3 add two, m4 is refused. */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *email = g_strdup_printf("%s@example.com", models[i]);
      g_autofree char *handle = g_strdup_printf("%s@localhost", models[i]);
      g_autoptr(PpmTestResponse) r = NULL;

      ppm_test_user(server, email, "model");
      g_free(ppm_test_admin_ok(server, "link", "--email", email, "--protocol", "prpl-jabber",
                               "--handle", handle, NULL));
      g_free(ppm_test_admin_ok(server, "set-rate", "--email", email, "--amount", "1.00", NULL));
      tokens[i] = ppm_test_login(server, email);
      r = ppm_test_open(server,
                        &(PpmTestPair){ .model_token = tokens[i],
                                        .model_handle = handle,
                                        .member_handle = a.member_handle },
                        0);
      if (i < 2)
        ppm_assert_answer(r, 201, NULL);
      else
        fourth = g_steal_pointer(&r);
    }
  ppm_assert_answer(fourth, 409, "too_many_sessions");
  g_free(tokens[0]);
  g_free(tokens[1]);
  g_free(tokens[2]);
}

static void
test_charge_money_and_replay(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) charge = NULL, replay = NULL, gap = NULL, closed = NULL;
  g_autoptr(PpmTestResponse) after = NULL, close = NULL;
  g_autofree char *id = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  id = open_session(server, &pair, 0);
  charge = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(charge, 201, NULL);
  g_assert_cmpint(ppm_test_int(charge, "seq"), ==, 0);
  g_assert_cmpint(ppm_test_int(charge, "charged.amount_minor"), ==, 200);
  g_assert_cmpint(ppm_test_int(charge, "total.amount_minor"), ==, 200);
  g_assert_cmpint(ppm_test_int(charge, "secured_periods"), ==, 2);
  /* 18.00 left of which 4.00 held again for this session: 9 periods. */
  g_assert_cmpint(ppm_test_int(charge, "member_balance_periods"), ==, 9);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1800);
  /* fee = (200 · 2000 + 5000) div 10000 = 40 */
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 160);

  replay = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(replay, 201, NULL);
  g_assert_cmpstr(replay->body, ==, charge->body);
  g_assert_cmpstr(g_hash_table_lookup(replay->headers, "idempotent-replayed"), ==, "true");
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1800);

  gap = ppm_test_charge(server, pair.model_token, id, 2);
  ppm_assert_answer(gap, 422, "seq_gap");

  close = ppm_test_close(server, pair.model_token, id, "remote_hangup", 30000);
  ppm_assert_answer(close, 200, NULL);
  closed = ppm_test_charge(server, pair.model_token, id, 1);
  ppm_assert_answer(closed, 409, "session_closed");
  /* A recorded charge still replays after the close. */
  after = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(after, 201, NULL);
  g_assert_cmpstr(after->body, ==, charge->body);
  ppm_test_verify(server);
}

/* docs/billing-rules.md#fee on both engines: at 50 % a charge of 0.05 pays a
 * fee of 0.025, rounded half up to 0.03, so the model earns 0.02. */
static void
test_charge_fee_rounds_half_up(void)
{
  const char *args[] = { "--fee-bps", "5000", NULL };
  g_autoptr(PpmTestServer) server = start(args);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) charge = NULL;
  g_autofree char *id = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "1.00");
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", pair.model_email, "--amount", "0.05", NULL));
  id = open_session(server, &pair, 0);
  charge = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(charge, 201, NULL);
  g_assert_cmpint(ppm_test_int(charge, "charged.amount_minor"), ==, 5);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 95);
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 2);
  ppm_test_server_assert_sql(server, "SELECT fee_minor FROM charges", "3");
  ppm_test_verify(server);
}

static void
test_charge_other_model_404(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) a = { 0 };
  g_auto(PpmTestPair) b = { 0 };
  g_autoptr(PpmTestResponse) charge = NULL, close = NULL, unknown = NULL;
  g_autofree char *id = NULL;

  ppm_test_pair_init(&a, server, "ma", "xa", "20.00");
  ppm_test_pair_init(&b, server, "mb", "xb", "20.00");
  id = open_session(server, &a, 0);
  charge = ppm_test_charge(server, b.model_token, id, 0);
  ppm_assert_answer(charge, 404, "not_found");
  close = ppm_test_close(server, b.model_token, id, "local_hangup", 0);
  ppm_assert_answer(close, 404, "not_found");
  unknown = ppm_test_charge(server, a.model_token, "0123456789abcdef0123456789abcdef", 0);
  ppm_assert_answer(unknown, 404, "not_found");
  g_assert_cmpint(ppm_test_balance(server, a.member_email), ==, 2000);
}

static void
test_clock_guard_too_early(void)
{
  g_autoptr(PpmTestClock) clock = start_clock((const char *[]){ "--period-seconds", "60", NULL });
  PpmTestServer *server;
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) first = NULL, early = NULL;
  g_autofree char *id = NULL;
  gint64 retry;

  if (clock == NULL)
    return;
  server = clock->server;
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  id = open_session(server, &pair, 0);
  first = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(first, 201, NULL);
  ppm_test_clock_advance(clock, 1);
  early = ppm_test_charge(server, pair.model_token, id, 1);
  ppm_assert_answer(early, 425, "too_early");
  /* Due at 60 s with 5 s of tolerance: about 54 s to wait. */
  retry = g_ascii_strtoll(g_hash_table_lookup(early->headers, "retry-after"), NULL, 10);
  g_assert_cmpint(retry, >=, 50);
  g_assert_cmpint(retry, <=, 55);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1800);
}

static void
test_clock_guard_waiting_client(void)
{
  g_autoptr(PpmTestClock) clock = start_clock((const char *[]){ "--period-seconds", "1", NULL });
  PpmTestServer *server;
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *id = NULL;
  gint64 seq = 0;
  int early = 0;

  if (clock == NULL)
    return;
  server = clock->server;
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  id = open_session(server, &pair, 0);
  /* 1 s periods, so half a period (0.5 s) of tolerance: seq 0 passes at
   * once, every later seq waits for its interval. */
  while (seq <= 7)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, id, seq);

      if (r->status == 425)
        {
          early++;
          ppm_test_clock_advance(
              clock, g_ascii_strtoll(g_hash_table_lookup(r->headers, "retry-after"), NULL, 10));
          continue;
        }
      ppm_assert_answer(r, 201, NULL);
      seq++;
    }
  g_assert_cmpint(early, >=, 1);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - 8 * 200);
}

static void
test_close_reverses_early_charge(void)
{
  g_autoptr(PpmTestServer) server = start((const char *[]){ "--period-seconds", "2", NULL });
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) close = NULL, again = NULL, me = NULL;
  g_autofree char *id = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  /* Opened 3.2 s after t0: seq 2's interval starts 0.8 s later, within the
   * clock guard's tolerance (half a period, 1 s), so it is taken early. */
  id = open_session(server, &pair, 3200);
  for (int seq = 0; seq < 3; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, id, seq);
      ppm_assert_answer(r, 201, NULL);
    }
  /* Ends at 3.5 s: seq 0 (due 1 s) and 1 (due 3 s) stand, seq 2 (due 5 s) goes back. */
  close = ppm_test_close(server, pair.model_token, id, "local_hangup", 3500);
  ppm_assert_answer(close, 200, NULL);
  g_assert_cmpstr(ppm_test_string(close, "session_id"), ==, id);
  g_assert_cmpint(ppm_test_int(close, "periods_charged"), ==, 2);
  g_assert_cmpint(ppm_test_int(close, "total.amount_minor"), ==, 400);
  g_assert_cmpint(ppm_test_int(close, "reversed.amount_minor"), ==, 200);
  g_assert_cmpint(ppm_test_int(close, "duration_ms"), ==, 3500);
  g_assert_true(g_str_has_prefix(ppm_test_string(close, "rate_url"), server->url));
  g_assert_true(g_str_has_suffix(ppm_test_string(close, "rate_url"), "/rate"));
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1600);
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 320);
  /* The hold is released. */
  me = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
  g_assert_cmpint(ppm_test_int(me, "available.amount_minor"), ==, 1600);

  again = ppm_test_close(server, pair.model_token, id, "remote_hangup", 9000);
  ppm_assert_answer(again, 200, NULL);
  g_assert_cmpstr(again->body, ==, close->body);
  g_assert_cmpstr(g_hash_table_lookup(again->headers, "idempotent-replayed"), ==, "true");
  ppm_test_verify(server);
}

static void
test_close_client_restart_keeps_charges(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) charge = NULL, close = NULL;
  g_autofree char *id = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  id = open_session(server, &pair, 0);
  charge = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(charge, 201, NULL);
  /* elapsed_ms 0 is before seq 0's due time, yet client_restart reverses nothing. */
  close = ppm_test_close(server, pair.model_token, id, "client_restart", 0);
  ppm_assert_answer(close, 200, NULL);
  g_assert_cmpint(ppm_test_int(close, "periods_charged"), ==, 1);
  g_assert_cmpint(ppm_test_int(close, "reversed.amount_minor"), ==, 0);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1800);
}

static void
test_charge_until_funds_run_out(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) broke = NULL;
  g_autofree char *id = NULL;
  gint64 last_periods = -1;

  ppm_test_pair_init(&pair, server, "model", "member", "5.00");
  /* Backdated by 300 s, the first charges are all due. */
  id = open_session(server, &pair, 300000);
  for (int seq = 0; seq < 2; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, id, seq);
      ppm_assert_answer(r, 201, NULL);
      last_periods = ppm_test_int(r, "member_balance_periods");
    }
  g_assert_cmpint(last_periods, ==, 0); /* 1.00 left: seq 1 was the last paid minute */
  broke = ppm_test_charge(server, pair.model_token, id, 2);
  ppm_assert_answer(broke, 402, "insufficient_funds");
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 100);
  ppm_test_verify(server);
}

static void
test_session_rating(void)
{
  g_autoptr(PpmTestServer) server = start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) ok = NULL, twice = NULL, model = NULL, bad = NULL, stranger = NULL;
  g_autoptr(PpmTestResponse) unpaid = NULL, paid = NULL;
  g_autofree char *id = NULL, *path = NULL, *token = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  id = open_session(server, &pair, 0);
  path = g_strdup_printf("/v1/sessions/%s/rating", id);
  unpaid = ppm_test_call(server, "POST", path, pair.member_token, "{\"stars\": 5}");
  ppm_assert_answer(unpaid, 422, "invalid");
  paid = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(paid, 201, NULL);
  bad = ppm_test_call(server, "POST", path, pair.member_token, "{\"stars\": 6}");
  ppm_assert_answer(bad, 422, "invalid");
  ok = ppm_test_call(server, "POST", path, pair.member_token,
                     "{\"stars\": 5, \"comment\": \"great\"}");
  ppm_assert_answer(ok, 204, NULL);
  twice = ppm_test_call(server, "POST", path, pair.member_token, "{\"stars\": 4}");
  ppm_assert_answer(twice, 409, "already_rated");
  model = ppm_test_call(server, "POST", path, pair.model_token, "{\"stars\": 3}");
  ppm_assert_answer(model, 204, NULL);
  ppm_test_user(server, "stranger@example.com", "member");
  token = ppm_test_login(server, "stranger@example.com");
  stranger = ppm_test_call(server, "POST", path, token, "{\"stars\": 1}");
  ppm_assert_answer(stranger, 404, "not_found");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/sessions/open-answer-and-hold", test_open_answer_and_hold);
  g_test_add_func("/server/sessions/open-fewer-periods-then-402", test_open_fewer_periods_then_402);
  g_test_add_func("/server/sessions/open-idempotent", test_open_idempotent);
  g_test_add_func("/server/sessions/open-retry-after-refusal", test_open_retry_after_refusal);
  g_test_add_func("/server/sessions/open-guards", test_open_guards);
  g_test_add_func("/server/sessions/open-supersedes-and-caps", test_open_supersedes_and_caps);
  g_test_add_func("/server/sessions/charge-money-and-replay", test_charge_money_and_replay);
  g_test_add_func("/server/sessions/charge-fee-rounds-half-up", test_charge_fee_rounds_half_up);
  g_test_add_func("/server/sessions/charge-other-model-404", test_charge_other_model_404);
  g_test_add_func("/server/sessions/clock-guard-too-early", test_clock_guard_too_early);
  g_test_add_func("/server/sessions/clock-guard-waiting-client", test_clock_guard_waiting_client);
  g_test_add_func("/server/sessions/close-reverses-early-charge", test_close_reverses_early_charge);
  g_test_add_func("/server/sessions/close-client-restart-keeps-charges",
                  test_close_client_restart_keeps_charges);
  g_test_add_func("/server/sessions/charge-until-funds-run-out", test_charge_until_funds_run_out);
  g_test_add_func("/server/sessions/rating", test_session_rating);
  return g_test_run();
}
