/* Protocol faults from a hostile responder and the error taxonomy: every
 * fault ends as the right outcome, and the main loop never stalls. */
#include "client-responder.h"
#include "client-test-util.h"
#include "ppm-api.h"

#include <json-glib/json-glib.h>

#include <string.h>

typedef struct
{
  gboolean done;
  PpmOutcomeKind kind;
  int http_status;
  PpmErrorCode code;
  char *code_text;
  char *message;
  gint64 retry_after_ms;
  gint64 seq;
} ChargeResult;

static void
charge_result_clear(ChargeResult *result)
{
  g_free(result->code_text);
  g_free(result->message);
}

static void
on_charge(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  ChargeResult *result = user_data;

  g_assert_false(result->done);
  g_assert_true((answer != NULL) == (outcome->kind == PPM_OUTCOME_OK));
  result->done = TRUE;
  result->kind = outcome->kind;
  result->http_status = outcome->http_status;
  result->code = outcome->code;
  result->code_text = g_strdup(outcome->code_text);
  result->message = g_strdup(outcome->message);
  result->retry_after_ms = outcome->retry_after_ms;
  result->seq = answer != NULL ? answer->seq : -1;
}

/* Posts charge 0 to a responder answering `canned` and waits for the end. */
static void
charge_against(PpmResponderMode mode, const char *canned, ChargeResult *result)
{
  g_autoptr(PpmResponder) responder = ppm_responder_new(mode, canned);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 1000, 2000);
  g_autoptr(PpmStallProbe) probe = ppm_stall_probe_start();
  PpmPort port = ppm_api_get_port(api);

  port.ops->charge(port.self, "s-1", 0, 1000, NULL, on_charge, result);
  g_assert_true(ppm_test_wait_for(&result->done, 10000));
  g_test_message("longest main-loop stall: %" G_GINT64_FORMAT " us",
                 ppm_stall_probe_longest(probe));
  g_assert_cmpint(ppm_stall_probe_longest(probe), <, PPM_TEST_MAX_STALL_US);
  /* Nothing may still be running once the outcome is known. */
  g_assert_cmpuint(ppm_api_get_n_active(api), ==, 0);
}

static void
assert_retryable(PpmResponderMode mode, const char *canned)
{
  ChargeResult result = { 0 };

  charge_against(mode, canned, &result);
  g_assert_cmpint(result.kind, ==, PPM_OUTCOME_RETRYABLE);
  charge_result_clear(&result);
}

static char *
http_answer(const char *status, const char *extra_headers, const char *body)
{
  return g_strdup_printf("HTTP/1.1 %s\r\nContent-Type: application/json\r\n%s"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         status, extra_headers, strlen(body), body);
}

static char *
error_answer(const char *status, const char *extra_headers, const char *code)
{
  g_autofree char *body
      = g_strdup_printf("{\"error\": {\"code\": \"%s\", \"message\": \"m\"}}", code);

  return http_answer(status, extra_headers, body);
}

static void
test_silent(void)
{
  gint64 start = g_get_monotonic_time();

  assert_retryable(PPM_RESPONDER_SILENT, NULL);
  /* The whole-request timeout (2 s here) ended it, not something else. */
  g_assert_cmpint(g_get_monotonic_time() - start, >=, 1900 * 1000);
}

static void
test_refused(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  g_autoptr(PpmApi) api = NULL;
  g_autoptr(PpmStallProbe) probe = ppm_stall_probe_start();
  ChargeResult result = { 0 };
  PpmPort port;

  /* A port that was just free: bound, never listening. */
  g_assert_true(g_socket_bind(socket, any, TRUE, &error));
  bound = g_socket_get_local_address(socket, &error);
  url = g_strdup_printf("http://127.0.0.1:%u",
                        g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  api = ppm_api_new(url, &error);
  g_assert_no_error(error);
  ppm_api_set_refresh_token(api, "refresh-0");
  port = ppm_api_get_port(api);
  port.ops->charge(port.self, "s-1", 0, 1000, NULL, on_charge, &result);
  g_assert_true(ppm_test_wait_for(&result.done, 10000));
  /* The refresh could not reach the platform: retry later, still signed in. */
  g_assert_cmpint(result.kind, ==, PPM_OUTCOME_RETRYABLE);
  g_assert_cmpint(result.http_status, ==, 0);
  g_assert_true(ppm_api_is_signed_in(api));
  g_assert_cmpint(ppm_stall_probe_longest(probe), <, PPM_TEST_MAX_STALL_US);
  charge_result_clear(&result);
}

static void
test_garbage(void)
{
  assert_retryable(PPM_RESPONDER_CANNED, "Q\x01\x02\x7f garbage \r\n\r\nHTTP/9.9 x\r\n\r\n");
}

static void
test_truncated(void)
{
  assert_retryable(
      PPM_RESPONDER_CANNED,
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
      "Content-Length: 200\r\nConnection: close\r\n\r\n{\"seq\": 0, \"charged\": {\"am");
}

static void
test_truncated_json(void)
{
  g_autofree char *answer = http_answer("201 Created", "", "{\"seq\": 0, \"charged\": {\"am");

  assert_retryable(PPM_RESPONDER_CANNED, answer);
}

static void
test_wrong_types(void)
{
  g_autofree char *answer = http_answer(
      "201 Created", "",
      "{\"seq\": \"0\", \"charged\": {\"amount_minor\": 200, \"currency\": \"USD\"},"
      " \"total\": {\"amount_minor\": 200, \"currency\": \"USD\"}, \"secured_periods\": 2,"
      " \"member_balance_periods\": 5}");

  assert_retryable(PPM_RESPONDER_CANNED, answer);
}

static void
test_wrong_seq(void)
{
  g_autofree char *answer = http_answer(
      "201 Created", "",
      "{\"seq\": 3, \"charged\": {\"amount_minor\": 200, \"currency\": \"USD\"},"
      " \"total\": {\"amount_minor\": 200, \"currency\": \"USD\"}, \"secured_periods\": 2,"
      " \"member_balance_periods\": 5}");

  assert_retryable(PPM_RESPONDER_CANNED, answer);
}

static void
test_valid_charge(void)
{
  g_autofree char *answer = http_answer(
      "201 Created", "",
      "{\"seq\": 0, \"charged\": {\"amount_minor\": 200, \"currency\": \"USD\"},"
      " \"total\": {\"amount_minor\": 200, \"currency\": \"USD\"}, \"secured_periods\": 2,"
      " \"member_balance_periods\": 5}");
  ChargeResult result = { 0 };

  /* The control for the faults above: the same path accepts a right answer. */
  charge_against(PPM_RESPONDER_CANNED, answer, &result);
  g_assert_cmpint(result.kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpint(result.seq, ==, 0);
  charge_result_clear(&result);
}

/* Every answer closes its connection, so new sockets keep reusing the same
 * descriptor numbers: a stale watch would lose or misroute events. */
static void
test_descriptor_reuse(void)
{
  g_autofree char *answer = http_answer(
      "201 Created", "",
      "{\"seq\": 0, \"charged\": {\"amount_minor\": 200, \"currency\": \"USD\"},"
      " \"total\": {\"amount_minor\": 200, \"currency\": \"USD\"}, \"secured_periods\": 2,"
      " \"member_balance_periods\": 5}");
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 1000, 2000);
  ChargeResult parallel[20] = { { 0 } };

  for (int i = 0; i < 100; i++)
    {
      ChargeResult result = { 0 };

      ppm_api_charge(api, "s-1", 0, 1000, NULL, on_charge, &result);
      g_assert_true(ppm_test_wait_for(&result.done, 5000));
      g_assert_cmpint(result.kind, ==, PPM_OUTCOME_OK);
      charge_result_clear(&result);
    }
  for (guint i = 0; i < G_N_ELEMENTS(parallel); i++)
    ppm_api_charge(api, "s-1", 0, 1000, NULL, on_charge, &parallel[i]);
  for (guint i = 0; i < G_N_ELEMENTS(parallel); i++)
    {
      g_assert_true(ppm_test_wait_for(&parallel[i].done, 5000));
      g_assert_cmpint(parallel[i].kind, ==, PPM_OUTCOME_OK);
      charge_result_clear(&parallel[i]);
    }
}

/* The request holds the last reference: the client is finalized from inside
 * its own dispatch, after the callback, without touching freed memory. */
static void
test_last_reference_in_callback(void)
{
  g_autofree char *answer = error_answer("503 Service Unavailable", "", "unavailable");
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  PpmApi *api = ppm_responder_sign_in(responder, 1000, 2000);
  ChargeResult result = { 0 };
  GWeakRef weak;

  g_weak_ref_init(&weak, api);
  ppm_api_charge(api, "s-1", 0, 1000, NULL, on_charge, &result);
  g_object_unref(api);
  g_assert_true(ppm_test_wait_for(&result.done, 5000));
  g_assert_cmpint(result.kind, ==, PPM_OUTCOME_RETRYABLE);
  ppm_test_spin(50);
  g_assert_null(g_weak_ref_get(&weak));
  g_weak_ref_clear(&weak);
  charge_result_clear(&result);
}

static void
test_html(void)
{
  g_autofree char *answer
      = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 38\r\n"
                        "Connection: close\r\n\r\n<html><body>Welcome!</body></html>\r\n\r\n");

  assert_retryable(PPM_RESPONDER_CANNED, answer);
}

/* Refused at the size cap, not read to the end. */
static void
assert_too_large(PpmResponderMode mode)
{
  ChargeResult result = { 0 };

  charge_against(mode, NULL, &result);
  g_assert_cmpint(result.kind, ==, PPM_OUTCOME_RETRYABLE);
  g_assert_nonnull(strstr(result.message, "larger than 1 MiB"));
  charge_result_clear(&result);
}

static void
test_huge(void)
{
  assert_too_large(PPM_RESPONDER_HUGE);
}

static void
test_huge_announced(void)
{
  assert_too_large(PPM_RESPONDER_HUGE_LENGTH);
}

static void
assert_error_outcome(const char *status, const char *headers, const char *code_text,
                     PpmErrorCode code, PpmOutcomeKind kind, gint64 retry_after_ms)
{
  g_autofree char *answer = error_answer(status, headers, code_text);
  ChargeResult result = { 0 };

  charge_against(PPM_RESPONDER_CANNED, answer, &result);
  g_assert_cmpint(result.kind, ==, kind);
  g_assert_cmpint(result.http_status, ==, atoi(status));
  g_assert_cmpint(result.code, ==, code);
  g_assert_cmpstr(result.code_text, ==, code_text);
  g_assert_cmpint(result.retry_after_ms, ==, retry_after_ms);
  charge_result_clear(&result);
}

static void
test_insufficient_funds(void)
{
  assert_error_outcome("402 Payment Required", "", "insufficient_funds",
                       PPM_ERROR_CODE_INSUFFICIENT_FUNDS, PPM_OUTCOME_FINAL, 0);
}

static void
test_too_early(void)
{
  assert_error_outcome("425 Too Early", "Retry-After: 3\r\n", "too_early", PPM_ERROR_CODE_TOO_EARLY,
                       PPM_OUTCOME_TOO_EARLY, 3000);
}

static void
test_rate_limited(void)
{
  assert_error_outcome("429 Too Many Requests", "Retry-After: 7\r\n", "rate_limited",
                       PPM_ERROR_CODE_RATE_LIMITED, PPM_OUTCOME_RETRYABLE, 7000);
}

static void
test_server_error(void)
{
  assert_error_outcome("503 Service Unavailable", "", "unavailable", PPM_ERROR_CODE_OTHER,
                       PPM_OUTCOME_RETRYABLE, 0);
}

static void
test_session_closed(void)
{
  assert_error_outcome("409 Conflict", "", "session_closed", PPM_ERROR_CODE_SESSION_CLOSED,
                       PPM_OUTCOME_FINAL, 0);
}

static void
test_seq_gap(void)
{
  assert_error_outcome("422 Unprocessable Entity", "", "seq_gap", PPM_ERROR_CODE_SEQ_GAP,
                       PPM_OUTCOME_FINAL, 0);
}

/* A code this client does not know is final, and its text is kept for people. */
static void
test_unknown_code(void)
{
  assert_error_outcome("409 Conflict", "", "pair_busy", PPM_ERROR_CODE_OTHER, PPM_OUTCOME_FINAL, 0);
}

/* The code decides, not the status: a 4xx without an error body is
 * an unreadable answer. */
static void
test_error_without_code(void)
{
  g_autofree char *answer = http_answer("404 Not Found", "", "{\"detail\": \"nope\"}");

  assert_retryable(PPM_RESPONDER_CANNED, answer);
}

static void
on_token_changed(PpmApi *api, const char *token, gpointer user_data)
{
  g_ptr_array_add(user_data, g_strdup(token));
}

static void
test_unauthorized_refreshes_once(void)
{
  g_autofree char *answer = error_answer("401 Unauthorized", "", "unauthorized");
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 1000, 2000);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func(g_free);
  ChargeResult result = { 0 };
  guint before = ppm_responder_get_requests(responder);

  g_signal_connect(api, "refresh-token-changed", G_CALLBACK(on_token_changed), tokens);
  ppm_api_charge(api, "s-1", 0, 1000, NULL, on_charge, &result);
  g_assert_true(ppm_test_wait_for(&result.done, 10000));
  g_assert_cmpint(result.kind, ==, PPM_OUTCOME_UNAUTHORIZED);
  /* charge, refresh, the same charge again: then give up. */
  g_assert_cmpuint(ppm_responder_get_requests(responder) - before, ==, 3);
  g_assert_false(ppm_api_is_signed_in(api));
  /* The refresh rotated the token, then signing out cleared it. */
  g_assert_cmpuint(tokens->len, ==, 2);
  g_assert_nonnull(tokens->pdata[0]);
  g_assert_null(tokens->pdata[1]);
  charge_result_clear(&result);
}

static void
test_not_signed_in(void)
{
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_SILENT, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmApi) api = ppm_api_new(ppm_responder_get_url(responder), &error);
  ChargeResult result = { 0 };

  ppm_api_charge(api, "s-1", 0, 1000, NULL, on_charge, &result);
  /* Never called back from inside the request. */
  g_assert_false(result.done);
  g_assert_true(ppm_test_wait_for(&result.done, 5000));
  g_assert_cmpint(result.kind, ==, PPM_OUTCOME_UNAUTHORIZED);
  g_assert_cmpuint(ppm_responder_get_requests(responder), ==, 0);
  charge_result_clear(&result);
}

static void
on_unexpected_charge(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  g_assert_not_reached();
}

static void
test_cancel_never_calls_back(void)
{
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_SILENT, NULL);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 1000, 2000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  guint before = ppm_responder_get_requests(responder);

  ppm_api_charge(api, "s-1", 0, 1000, cancellable, on_unexpected_charge, NULL);
  while (ppm_responder_get_requests(responder) == before)
    g_main_context_iteration(NULL, TRUE);
  g_cancellable_cancel(cancellable);
  ppm_test_spin(100);
  g_assert_cmpuint(ppm_api_get_n_active(api), ==, 0);
  ppm_test_spin(2500);
}

static void
on_me_cancelled(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmMe) me = ppm_api_me_finish(PPM_API(source), result, &error);

  g_assert_null(me);
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *(gboolean *)user_data = TRUE;
}

static void
test_cancel_task(void)
{
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_SILENT, NULL);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 1000, 2000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  gboolean done = FALSE;

  ppm_api_me(api, cancellable, on_me_cancelled, &done);
  ppm_test_spin(50);
  g_cancellable_cancel(cancellable);
  g_assert_true(ppm_test_wait_for(&done, 1000));
}

/* The JSON body of the last request, without elapsed_ms. */
static JsonNode *
last_body_without_elapsed(PpmResponder *responder)
{
  g_autofree char *body = ppm_responder_dup_last_body(responder);
  JsonNode *node = json_from_string(body, NULL);

  g_assert_nonnull(node);
  g_assert_true(json_object_has_member(json_node_get_object(node), "elapsed_ms"));
  json_object_remove_member(json_node_get_object(node), "elapsed_ms");
  return node;
}

static void
on_open(const PpmOutcome *outcome, const PpmOpenAnswer *answer, gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
}

static void
test_repeated_open_same_body(void)
{
  g_autofree char *answer = error_answer("503 Service Unavailable", "", "unavailable");
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 1000, 2000);
  PpmOpenRequest request
      = { "0b7c4f0e-3c57-4d5e-9b8e-2f7d3f5f8a11", "prpl-jabber", "model@x", "member@x", 0 };
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autofree char *first_raw = NULL;
  g_autofree char *second_raw = NULL;
  gboolean done = FALSE;

  ppm_api_open(api, &request, NULL, on_open, &done);
  g_assert_true(ppm_test_wait_for(&done, 5000));
  first = last_body_without_elapsed(responder);
  first_raw = ppm_responder_dup_last_body(responder);
  done = FALSE;
  request.elapsed_ms = 1500;
  ppm_api_open(api, &request, NULL, on_open, &done);
  g_assert_true(ppm_test_wait_for(&done, 5000));
  second = last_body_without_elapsed(responder);
  second_raw = ppm_responder_dup_last_body(responder);
  g_assert_true(json_node_equal(first, second));
  g_assert_cmpstr(first_raw, !=, second_raw);
}

typedef struct
{
  gboolean done;
  PpmOutcomeKind kind;
  gboolean answered;
} PortEnd;

static void
on_open_end(const PpmOutcome *outcome, const PpmOpenAnswer *answer, gpointer user_data)
{
  PortEnd *end = user_data;

  *end = (PortEnd){ TRUE, outcome->kind, answer != NULL };
}

static void
on_close_end(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer user_data)
{
  PortEnd *end = user_data;

  *end = (PortEnd){ TRUE, outcome->kind, answer != NULL };
}

/* A 2xx open or close answer that breaks docs/openapi.json is retryable and brings no
 * answer, as for a charge. */
static void
test_unreadable_open_and_close(void)
{
  g_autofree char *answer = http_answer("201 Created", "", "{\"session_id\": 5}");
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 1000, 2000);
  PpmOpenRequest request
      = { "0b7c4f0e-3c57-4d5e-9b8e-2f7d3f5f8a11", "prpl-jabber", "model@x", "member@x", 0 };
  PortEnd opened = { 0 };
  PortEnd closed = { 0 };

  ppm_api_open(api, &request, NULL, on_open_end, &opened);
  g_assert_true(ppm_test_wait_for(&opened.done, 5000));
  g_assert_cmpint(opened.kind, ==, PPM_OUTCOME_RETRYABLE);
  g_assert_false(opened.answered);
  ppm_api_close(api, "s-1", "local_hangup", 1000, NULL, on_close_end, &closed);
  g_assert_true(ppm_test_wait_for(&closed.done, 5000));
  g_assert_cmpint(closed.kind, ==, PPM_OUTCOME_RETRYABLE);
  g_assert_false(closed.answered);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/faults/silent-until-timeout", test_silent);
  g_test_add_func("/client/faults/connection-refused", test_refused);
  g_test_add_func("/client/faults/garbage", test_garbage);
  g_test_add_func("/client/faults/truncated-transfer", test_truncated);
  g_test_add_func("/client/faults/truncated-json", test_truncated_json);
  g_test_add_func("/client/faults/wrong-types", test_wrong_types);
  g_test_add_func("/client/faults/answer-for-another-seq", test_wrong_seq);
  g_test_add_func("/client/faults/valid-answer-control", test_valid_charge);
  g_test_add_func("/client/faults/unreadable-open-and-close", test_unreadable_open_and_close);
  g_test_add_func("/client/faults/html-200", test_html);
  g_test_add_func("/client/http/descriptor-reuse", test_descriptor_reuse);
  g_test_add_func("/client/http/last-reference-in-callback", test_last_reference_in_callback);
  g_test_add_func("/client/faults/10mb-body", test_huge);
  g_test_add_func("/client/faults/10mb-body-announced", test_huge_announced);
  g_test_add_func("/client/taxonomy/402-final", test_insufficient_funds);
  g_test_add_func("/client/taxonomy/425-too-early", test_too_early);
  g_test_add_func("/client/taxonomy/429-retry-after", test_rate_limited);
  g_test_add_func("/client/taxonomy/5xx-retryable", test_server_error);
  g_test_add_func("/client/taxonomy/409-session-closed", test_session_closed);
  g_test_add_func("/client/taxonomy/422-seq-gap", test_seq_gap);
  g_test_add_func("/client/taxonomy/unknown-code-final-text-kept", test_unknown_code);
  g_test_add_func("/client/taxonomy/4xx-without-code", test_error_without_code);
  g_test_add_func("/client/taxonomy/401-refreshes-once", test_unauthorized_refreshes_once);
  g_test_add_func("/client/taxonomy/not-signed-in", test_not_signed_in);
  g_test_add_func("/client/cancel/port-never-calls-back", test_cancel_never_calls_back);
  g_test_add_func("/client/cancel/task-returns-cancelled", test_cancel_task);
  g_test_add_func("/client/idempotency/repeated-open-same-body", test_repeated_open_same_body);
  return g_test_run();
}
