/* The smaller rules: an unpaid call is not rated, a user links at most ten
 * handles, app-rating comments are bounded, a refund the model's earnings
 * cannot pay says so, and every 401 names its scheme.  Each refusal changes
 * nothing. */
#include <string.h>

#include "ppm-test-api.h"
#include "sec-browser.h"
#include "sec-server.h"

#define MAX_HANDLES 10
#define RACERS 8

static char *
rating_path(const char *session_id)
{
  return g_strdup_printf("/v1/sessions/%s/rating", session_id);
}

static void
assert_unpaid_refused(PpmTestServer *server, const char *token, const char *session_id)
{
  g_autofree char *path = rating_path(session_id);
  g_autoptr(PpmTestResponse) r = ppm_test_call(server, "POST", path, token, "{\"stars\": 5}");

  ppm_assert_answer(r, 422, "invalid");
  g_assert_nonnull(strstr(ppm_test_string(r, "error.message"), "nothing to rate"));
}

/* The member's rate page of the session: it says there is nothing to rate
 * and offers no form; a posted rating is refused the same way. */
static void
assert_rate_page_unpaid(SecBrowser *browser, const char *session_id)
{
  g_autofree char *path = g_strdup_printf("/account/sessions/%s/rate", session_id);
  g_autoptr(SecResponse) page = sec_browser_visit(browser, path, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/password");
  g_autofree char *form = sec_form(token, "stars=5&comment=lovely");
  g_autoptr(SecResponse) posted = sec_browser_visit(browser, path, form);

  g_assert_cmpint(page->status, ==, 200);
  g_assert_nonnull(strstr(page->body, "nothing to rate"));
  g_assert_null(strstr(page->body, "name=\"stars\""));
  g_assert_cmpint(posted->status, ==, 422);
  g_assert_nonnull(strstr(posted->body, "nothing to rate"));
  g_assert_null(strstr(posted->body, "name=\"stars\""));
}

/* A call with no charge, then the same call once a minute is paid: the
 * refusal stored nothing, so the rating goes through after it. */
static void
test_unpaid_call_not_rated(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(SecBrowser) browser = NULL;
  g_autoptr(PpmTestResponse) open = NULL, charge = NULL, rated = NULL;
  g_autofree char *path = NULL;
  const char *id;

  ppm_test_pair_init(&pair, server, "amy", "mia", "20.00");
  open = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(open, 201, NULL);
  id = ppm_test_string(open, "session_id");
  assert_unpaid_refused(server, pair.member_token, id);
  assert_unpaid_refused(server, pair.model_token, id);
  browser = sec_browser_signed_in(server, "mia");
  assert_rate_page_unpaid(browser, id);

  charge = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(charge, 201, NULL);
  path = rating_path(id);
  rated = ppm_test_call(server, "POST", path, pair.member_token, "{\"stars\": 4}");
  ppm_assert_answer(rated, 204, NULL);
  ppm_test_verify(server);
}

/* "No charge" means none standing: a call whose every charge was reversed
 * (at close, or by the operator's refund) is not rated either. */
static void
test_refunded_call_not_rated(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(SecBrowser) browser = NULL;
  g_autoptr(PpmTestResponse) first = NULL, second = NULL, charge = NULL, close = NULL;
  g_autofree char *refunded = NULL;
  const char *reversed_id, *refunded_id;

  ppm_test_pair_init(&pair, server, "amy", "mia", "20.00");
  browser = sec_browser_signed_in(server, "mia");

  /* Hung up before the first minute's due time: the charge is reversed. */
  first = ppm_test_open(server, &pair, 0);
  reversed_id = ppm_test_string(first, "session_id");
  charge = ppm_test_charge(server, pair.model_token, reversed_id, 0);
  ppm_assert_answer(charge, 201, NULL);
  close = ppm_test_close(server, pair.model_token, reversed_id, "local_hangup", 0);
  ppm_assert_answer(close, 200, NULL);
  g_assert_cmpint(ppm_test_int(close, "periods_charged"), ==, 0);
  assert_unpaid_refused(server, pair.member_token, reversed_id);
  assert_rate_page_unpaid(browser, reversed_id);

  /* Two paid minutes, both refunded by the operator. */
  second = ppm_test_open(server, &pair, 300000);
  refunded_id = ppm_test_string(second, "session_id");
  for (int seq = 0; seq < 2; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, refunded_id, seq);
      ppm_assert_answer(r, 201, NULL);
    }
  refunded = ppm_test_admin_ok(server, "refund", "--session", refunded_id, NULL);
  g_assert_cmpstr(refunded, ==, "4.00 USD");
  assert_unpaid_refused(server, pair.member_token, refunded_id);
  assert_unpaid_refused(server, pair.model_token, refunded_id);
  assert_rate_page_unpaid(browser, refunded_id);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000);
  ppm_test_verify(server);
}

static PpmTestResponse *
link_handle(PpmTestServer *server, const char *token, const char *handle)
{
  return ppm_test_call(server, "POST", "/v1/me/handles", token,
                       "{\"protocol\": \"prpl-jabber\", \"handle\": \"%s\"}", handle);
}

/* Links amy0@localhost up to amy<count - 1>@localhost. */
static void
link_handles(PpmTestServer *server, const char *token, int count)
{
  for (int i = 0; i < count; i++)
    {
      g_autofree char *handle = g_strdup_printf("amy%d@localhost", i);
      g_autoptr(PpmTestResponse) r = link_handle(server, token, handle);

      ppm_assert_answer(r, 200, NULL);
    }
}

static guint
handles_linked(PpmTestServer *server, const char *token)
{
  g_autoptr(PpmTestResponse) me = ppm_test_call(server, "GET", "/v1/me", token, NULL);
  JsonNode *handles;

  ppm_assert_answer(me, 200, NULL);
  handles = json_object_get_member(json_node_get_object(me->json), "handles");
  return json_array_get_length(json_node_get_array(handles));
}

/* Ten handles, then the eleventh is refused through the API and through
 * ppm-admin; relinking one of the ten is no change, and after an unlink
 * there is room again. */
static void
test_at_most_ten_handles(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autofree char *token = NULL, *admin_linked = NULL;
  g_autoptr(PpmTestResponse) eleventh = NULL, again = NULL, unlinked = NULL, room = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *admin_out = NULL;

  ppm_test_user(server, "amy@example.com", "model");
  token = ppm_test_login(server, "amy@example.com");
  link_handles(server, token, MAX_HANDLES - 1);
  admin_linked = ppm_test_admin_ok(server, "link", "--email", "amy@example.com", "--protocol",
                                   "prpl-jabber", "--handle", "amy9@localhost", NULL);
  g_assert_cmpstr(admin_linked, ==, "linked prpl-jabber amy9@localhost");

  eleventh = link_handle(server, token, "amy10@localhost");
  ppm_assert_answer(eleventh, 422, "invalid");
  g_assert_nonnull(strstr(ppm_test_string(eleventh, "error.message"), "at most 10 handles"));
  admin_out = ppm_test_admin(server, NULL, &error, "link", "--email", "amy@example.com",
                             "--protocol", "prpl-jabber", "--handle", "amy10@localhost", NULL);
  g_assert_null(admin_out);
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "at most 10 handles"));
  g_assert_cmpuint(handles_linked(server, token), ==, MAX_HANDLES);

  again = link_handle(server, token, "amy3@localhost");
  ppm_assert_answer(again, 200, NULL);
  unlinked = ppm_test_call(server, "DELETE", "/v1/me/handles", token,
                           "{\"protocol\": \"prpl-jabber\", \"handle\": \"amy0@localhost\"}");
  ppm_assert_answer(unlinked, 200, NULL);
  room = link_handle(server, token, "amy10@localhost");
  ppm_assert_answer(room, 200, NULL);
  g_assert_cmpuint(handles_linked(server, token), ==, MAX_HANDLES);
}

typedef struct
{
  PpmTestServer *server;
  const char *token;
  int index;
  GMutex *lock;
  GCond *start;
  gboolean *go;
} Racer;

static gpointer
race_link(gpointer data)
{
  Racer *racer = data;
  g_autofree char *handle = g_strdup_printf("race%d@localhost", racer->index);
  PpmTestResponse *r;

  g_mutex_lock(racer->lock);
  while (!*racer->go)
    g_cond_wait(racer->start, racer->lock);
  g_mutex_unlock(racer->lock);
  r = link_handle(racer->server, racer->token, handle);
  return r;
}

/* With 8 handles linked, 8 links at once: exactly 2 pass, the others are
 * refused, and the user ends with 10. */
static void
test_concurrent_links_stop_at_ten(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autofree char *token = NULL;
  GThread *threads[RACERS];
  Racer racers[RACERS];
  GMutex lock;
  GCond start;
  gboolean go = FALSE;
  int linked = 0, refused = 0;

  ppm_test_user(server, "amy@example.com", "model");
  token = ppm_test_login(server, "amy@example.com");
  link_handles(server, token, MAX_HANDLES - 2);
  g_mutex_init(&lock);
  g_cond_init(&start);
  for (int i = 0; i < RACERS; i++)
    {
      racers[i] = (Racer){ server, token, i, &lock, &start, &go };
      threads[i] = g_thread_new("link", race_link, &racers[i]);
    }
  g_mutex_lock(&lock);
  go = TRUE;
  g_cond_broadcast(&start);
  g_mutex_unlock(&lock);
  for (int i = 0; i < RACERS; i++)
    {
      g_autoptr(PpmTestResponse) r = g_thread_join(threads[i]);

      if (r->status == 200)
        linked++;
      else
        {
          ppm_assert_answer(r, 422, "invalid");
          refused++;
        }
    }
  g_mutex_clear(&lock);
  g_cond_clear(&start);
  g_assert_cmpint(linked, ==, 2);
  g_assert_cmpint(refused, ==, RACERS - 2);
  g_assert_cmpuint(handles_linked(server, token), ==, MAX_HANDLES);
}

/* App-rating comments obey the session comments' rule: 500 characters
 * (not bytes) pass, 501 are refused with the same words. */
static void
test_app_rating_comment_bounded(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(GString) five_hundred = g_string_new(NULL);
  g_autoptr(PpmTestResponse) fits = NULL, app_long = NULL, open = NULL, charge = NULL;
  g_autoptr(PpmTestResponse) session_long = NULL;
  g_autofree char *path = NULL;

  ppm_test_pair_init(&pair, server, "amy", "mia", "20.00");
  for (int i = 0; i < 500; i++)
    g_string_append(five_hundred, "é");
  fits = ppm_test_call(server, "POST", "/v1/app-rating", pair.model_token,
                       "{\"stars\": 4, \"comment\": \"%s\"}", five_hundred->str);
  ppm_assert_answer(fits, 204, NULL);
  app_long = ppm_test_call(server, "POST", "/v1/app-rating", pair.model_token,
                           "{\"stars\": 4, \"comment\": \"%sx\"}", five_hundred->str);
  ppm_assert_answer(app_long, 422, "invalid");

  open = ppm_test_open(server, &pair, 0);
  charge = ppm_test_charge(server, pair.model_token, ppm_test_string(open, "session_id"), 0);
  ppm_assert_answer(charge, 201, NULL);
  path = rating_path(ppm_test_string(open, "session_id"));
  session_long = ppm_test_call(server, "POST", path, pair.member_token,
                               "{\"stars\": 4, \"comment\": \"%sx\"}", five_hundred->str);
  ppm_assert_answer(session_long, 422, "invalid");
  g_assert_cmpstr(ppm_test_string(app_long, "error.message"), ==,
                  ppm_test_string(session_long, "error.message"));
}

/* ppm-admin with its exit status, stdout and stderr. */
static int
admin_run(PpmTestServer *server, char **out, char **err, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add(argv, g_strdup(g_getenv("PPM_ADMIN_BIN")));
  g_ptr_array_add(argv, g_strdup_printf("--db=%s", server->db_uri));
  for (const char *const *arg = args; *arg; arg++)
    g_ptr_array_add(argv, g_strdup(*arg));
  g_ptr_array_add(argv, NULL);
  process
      = g_subprocess_newv((const char *const *)argv->pdata,
                          G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error(error);
  g_subprocess_communicate_utf8(process, NULL, NULL, out, err, &error);
  g_assert_no_error(error);
  g_strchomp(*out);
  g_strchomp(*err);
  return g_subprocess_get_exit_status(process);
}

/* Three paid minutes; the model's earnings are paid out but for enough to
 * give one share back.  The refund returns that one minute, says on stderr
 * which charges stood and exits 1; the ledger stays whole, and a second
 * refund still cannot do more. */
static void
test_refund_beyond_earnings_says_so(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL;
  g_autofree char *out = NULL, *err = NULL, *again_out = NULL, *again_err = NULL;
  g_autofree char *payout = NULL, *stood = NULL;
  gint64 rate, fee, share, earnings;
  const char *id;

  ppm_test_pair_init(&pair, server, "amy", "mia", "20.00");
  open = ppm_test_open(server, &pair, 300000);
  ppm_assert_answer(open, 201, NULL);
  id = ppm_test_string(open, "session_id");
  rate = ppm_test_int(open, "rate.amount_minor");
  fee = (rate * ppm_test_int(open, "fee_bps") + 5000) / 10000;
  share = rate - fee;
  for (int seq = 0; seq < 3; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, id, seq);
      ppm_assert_answer(r, 201, NULL);
    }
  earnings = ppm_test_balance(server, pair.model_email);
  g_assert_cmpint(earnings, ==, 3 * share);
  /* Keep one share and a cent: enough for one reversal, not two. */
  payout = g_strdup_printf("%" G_GINT64_FORMAT ".%02d", (earnings - share - 1) / 100,
                           (int)((earnings - share - 1) % 100));
  g_free(
      ppm_test_admin_ok(server, "payout", "--email", pair.model_email, "--amount", payout, NULL));

  {
    const char *const args[] = { "refund", "--session", id, NULL };
    g_autofree char *returned
        = g_strdup_printf("%" G_GINT64_FORMAT ".%02d USD", rate / 100, (int)(rate % 100));

    stood = g_strdup_printf("2 charges (%" G_GINT64_FORMAT ".%02d USD) not refunded",
                            2 * rate / 100, (int)(2 * rate % 100));
    g_assert_cmpint(admin_run(server, &out, &err, args), ==, 1);
    g_assert_cmpstr(out, ==, returned);
    g_assert_true(g_str_has_prefix(err, "ppm-admin: "));
    g_assert_nonnull(strstr(err, stood));
    g_assert_null(strchr(err, '\n'));
    g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - 2 * rate);
    g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 1);
    ppm_test_verify(server);

    g_assert_cmpint(admin_run(server, &again_out, &again_err, args), ==, 1);
    g_assert_cmpstr(again_out, ==, "0.00 USD");
    g_assert_nonnull(strstr(again_err, stood));
    g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - 2 * rate);
    ppm_test_verify(server);
  }
}

static const char *
www_authenticate(PpmTestResponse *r)
{
  return g_hash_table_lookup(r->headers, "www-authenticate");
}

/* Every 401 names the Bearer scheme; a token that was sent and refused is
 * "invalid_token" (RFC 6750), also on the charge route, which checks its
 * token in the engine's thread.  Other answers carry no challenge. */
static void
test_401_names_bearer(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) none = NULL, bad = NULL, charge = NULL, login = NULL, ok = NULL;
  g_autoptr(PpmTestResponse) open = NULL, refresh = NULL;
  g_autofree char *charges = NULL;

  ppm_test_pair_init(&pair, server, "amy", "mia", "20.00");
  none = ppm_test_call(server, "GET", "/v1/me", NULL, NULL);
  ppm_assert_answer(none, 401, "unauthorized");
  g_assert_cmpstr(www_authenticate(none), ==, "Bearer");

  bad = ppm_test_call(server, "GET", "/v1/me", "not-a-token", NULL);
  ppm_assert_answer(bad, 401, "unauthorized");
  g_assert_cmpstr(www_authenticate(bad), ==, "Bearer error=\"invalid_token\"");

  open = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(open, 201, NULL);
  charges = g_strdup_printf("/v1/sessions/%s/charges", ppm_test_string(open, "session_id"));
  charge = ppm_test_call(server, "POST", charges, "not-a-token", "{\"seq\": 0, \"elapsed_ms\": 0}");
  ppm_assert_answer(charge, 401, "unauthorized");
  g_assert_cmpstr(www_authenticate(charge), ==, "Bearer error=\"invalid_token\"");

  login = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                        "{\"email\": \"%s\", \"password\": \"wrong-password\"}", pair.member_email);
  ppm_assert_answer(login, 401, NULL);
  g_assert_cmpstr(www_authenticate(login), ==, "Bearer");
  refresh = ppm_test_call(server, "POST", "/v1/auth/refresh", NULL,
                          "{\"refresh_token\": \"not-a-token\"}");
  ppm_assert_answer(refresh, 401, NULL);
  g_assert_cmpstr(www_authenticate(refresh), ==, "Bearer");

  ok = ppm_test_call(server, "GET", "/v1/me", pair.member_token, NULL);
  ppm_assert_answer(ok, 200, NULL);
  g_assert_null(www_authenticate(ok));
  g_assert_null(www_authenticate(open));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/rules/unpaid-call-not-rated", test_unpaid_call_not_rated);
  g_test_add_func("/security/rules/refunded-call-not-rated", test_refunded_call_not_rated);
  g_test_add_func("/security/rules/at-most-ten-handles", test_at_most_ten_handles);
  g_test_add_func("/security/rules/concurrent-links-stop-at-ten",
                  test_concurrent_links_stop_at_ten);
  g_test_add_func("/security/rules/app-rating-comment-bounded", test_app_rating_comment_bounded);
  g_test_add_func("/security/rules/refund-beyond-earnings-says-so",
                  test_refund_beyond_earnings_says_so);
  g_test_add_func("/security/rules/401-names-bearer", test_401_names_bearer);
  return g_test_run();
}
