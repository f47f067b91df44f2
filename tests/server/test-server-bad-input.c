/* Malformed and hostile requests: each gets its own status and code, and
 * none of them moves money. */
#include <string.h>

#include "ppm-test-api.h"

typedef enum
{
  NO_TOKEN,
  MODEL,
  MEMBER,
  FORGED,
} Who;

typedef struct
{
  const char *method;
  const char *path; /* "%s" is the open session's id */
  Who who;
  const char *content_type; /* NULL: application/json */
  const char *body;         /* NULL: no body; "@big": 70 KiB */
  long status;
  const char *code;
} BadRequest;

static const BadRequest cases[] = {
  { "GET", "/v1/nothing-here", MODEL, NULL, NULL, 404, "not_found" },
  { "GET", "/account/no-such-page", NO_TOKEN, NULL, NULL, 404, "not_found" },
  { "PUT", "/v1/auth/login", NO_TOKEN, NULL, "{}", 405, "method_not_allowed" },
  { "DELETE", "/v1/me", MODEL, NULL, NULL, 405, "method_not_allowed" },
  { "GET", "/v1/sessions/%s/charges", MODEL, NULL, NULL, 405, "method_not_allowed" },
  { "POST", "/v1/auth/login", NO_TOKEN, "text/plain", "{\"email\": \"a\"}", 415,
    "unsupported_media_type" },
  { "POST", "/v1/sessions/%s/charges", MODEL, "application/x-www-form-urlencoded", "seq=0", 415,
    "unsupported_media_type" },
  { "POST", "/v1/auth/login", NO_TOKEN, NULL, "{\"email\":", 400, "bad_request" },
  { "POST", "/v1/auth/login", NO_TOKEN, NULL, "[]", 400, "bad_request" },
  { "POST", "/v1/auth/login", NO_TOKEN, NULL, "null", 400, "bad_request" },
  { "POST", "/v1/auth/login", NO_TOKEN, NULL, "{\"email\": \"\xff\xfe\", \"password\": \"x\"}", 400,
    "bad_request" },
  { "POST", "/v1/auth/login", NO_TOKEN, NULL, "{\"email\": 5, \"password\": \"x\"}", 400,
    "bad_request" },
  { "POST", "/v1/auth/login", NO_TOKEN, NULL, "{\"email\": \"a@b\"}", 400, "bad_request" },
  { "POST", "/v1/auth/login", NO_TOKEN, NULL, "@big", 413, "too_large" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "@big", 413, "too_large" },
  { "GET", "/v1/me", NO_TOKEN, NULL, NULL, 401, "unauthorized" },
  { "GET", "/v1/me", FORGED, NULL, NULL, 401, "unauthorized" },
  { "POST", "/v1/sessions/%s/charges", FORGED, NULL, "{\"seq\": 1, \"elapsed_ms\": 0}", 401,
    "unauthorized" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "{\"seq\": \"1\", \"elapsed_ms\": 0}", 400,
    "bad_request" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "{\"seq\": 1.5, \"elapsed_ms\": 0}", 400,
    "bad_request" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "{\"seq\": true, \"elapsed_ms\": 0}", 400,
    "bad_request" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "{\"seq\": 1}", 400, "bad_request" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "{\"seq\": -1, \"elapsed_ms\": 0}", 422,
    "invalid" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "{\"seq\": 1, \"elapsed_ms\": -1}", 422,
    "invalid" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL,
    "{\"seq\": 9223372036854775807, \"elapsed_ms\": 0}", 422, "invalid" },
  { "POST", "/v1/sessions/%s/charges", MODEL, NULL, "{\"seq\": 7, \"elapsed_ms\": 0}", 422,
    "seq_gap" },
  { "POST", "/v1/sessions/%s/charges", MEMBER, NULL, "{\"seq\": 1, \"elapsed_ms\": 0}", 403,
    "forbidden" },
  { "POST", "/v1/sessions/ffffffffffffffffffffffffffffffff/charges", MODEL, NULL,
    "{\"seq\": 1, \"elapsed_ms\": 0}", 404, "not_found" },
  /* Not UTF-8 once decoded (a database refuses such a text whole). */
  { "POST", "/v1/sessions/%%FF%%FE/charges", MODEL, NULL, "{\"seq\": 1, \"elapsed_ms\": 0}", 404,
    "not_found" },
  /* Quotes and backslashes stay text (PostgreSQL's array literals). */
  { "POST", "/v1/sessions/a%%22b%%5Cc%%2C%%7B/charges", MODEL, NULL,
    "{\"seq\": 1, \"elapsed_ms\": 0}", 404, "not_found" },
  { "POST", "/v1/sessions/%%C3%%28/close", MODEL, NULL,
    "{\"reason\": \"local_hangup\", \"elapsed_ms\": 0}", 404, "not_found" },
  { "POST", "/v1/sessions/%s/close", MODEL, NULL, "{\"reason\": \"because\", \"elapsed_ms\": 0}",
    422, "invalid" },
  { "POST", "/v1/sessions/%s/close", MODEL, NULL, "{\"reason\": 1, \"elapsed_ms\": 0}", 400,
    "bad_request" },
  { "POST", "/v1/sessions/%s/close", MODEL, NULL, "{\"elapsed_ms\": 0}", 400, "bad_request" },
  { "POST", "/v1/sessions/%s/close", MODEL, NULL,
    "{\"reason\": \"local_hangup\", \"elapsed_ms\": -3}", 422, "invalid" },
  { "POST", "/v1/sessions", MODEL, NULL,
    "{\"client_session_id\": \"\", \"protocol\": \"prpl-jabber\", \"model_handle\": "
    "\"model@localhost\", \"member_handle\": \"member@localhost\", \"elapsed_ms\": 0}",
    422, "invalid" },
  { "POST", "/v1/sessions", MODEL, NULL,
    "{\"client_session_id\": \"a b; DROP TABLE users\", \"protocol\": \"prpl-jabber\","
    " \"model_handle\": \"model@localhost\", \"member_handle\": \"member@localhost\","
    " \"elapsed_ms\": 0}",
    422, "invalid" },
  { "POST", "/v1/sessions", MODEL, NULL,
    "{\"client_session_id\": \"x1\", \"protocol\": \"prpl-jabber\", \"model_handle\": "
    "\"model@localhost\", \"member_handle\": \"mem\\u0001ber@localhost\", \"elapsed_ms\": 0}",
    422, "invalid" },
  { "POST", "/v1/sessions", MODEL, NULL,
    "{\"client_session_id\": \"x2\", \"protocol\": \"prpl-jabber\", \"model_handle\": "
    "\"model@localhost\", \"member_handle\": \"member@localhost\", \"elapsed_ms\": true}",
    400, "bad_request" },
  { "POST", "/v1/sessions", MODEL, NULL, "{\"protocol\": \"prpl-jabber\"}", 400, "bad_request" },
  { "POST", "/v1/sessions", MEMBER, NULL,
    "{\"client_session_id\": \"x3\", \"protocol\": \"prpl-jabber\", \"model_handle\": "
    "\"model@localhost\", \"member_handle\": \"member@localhost\", \"elapsed_ms\": 0}",
    403, "forbidden" },
  { "POST", "/v1/sessions/%s/rating", MEMBER, NULL, "{\"stars\": \"5\"}", 400, "bad_request" },
  { "POST", "/v1/sessions/%s/rating", MEMBER, NULL, "{\"stars\": 0}", 422, "invalid" },
  { "GET", "/v1/members/lookup?protocol=prpl-jabber", MODEL, NULL, NULL, 400, "bad_request" },
  { "GET", "/v1/me/transactions?limit=0", MEMBER, NULL, NULL, 422, "invalid" },
  { "PUT", "/v1/me/rate", MODEL, NULL, "{\"amount_minor\": 1e3}", 400, "bad_request" },
  { "PUT", "/v1/me/rate", MODEL, NULL, "{\"amount_minor\": 9223372036854775807}", 422, "invalid" },
  { "PUT", "/v1/me/max-rate", MEMBER, NULL, "{\"amount_minor\": -200}", 422, "invalid" },
  { "POST", "/v1/me/handles", MODEL, NULL, "{\"protocol\": \"prpl-jabber\", \"handle\": \"\"}", 422,
    "invalid" },
  { "POST", "/v1/me/handles", MEMBER, NULL,
    "{\"protocol\": \"prpl-jabber\", \"handle\": \"model@localhost\"}", 409, "handle_taken" },
  { "POST", "/v1/auth/refresh", NO_TOKEN, NULL, "{\"refresh_token\": 12}", 400, "bad_request" },
};

/* What must not change: both balances, the member's available funds and
 * both histories. */
static char *
ledger_snapshot(PpmTestServer *server, PpmTestPair *pair)
{
  g_autoptr(PpmTestResponse) me = ppm_test_call(server, "GET", "/v1/me", pair->member_token, NULL);
  g_autoptr(PpmTestResponse) member
      = ppm_test_call(server, "GET", "/v1/me/transactions", pair->member_token, NULL);
  g_autoptr(PpmTestResponse) model
      = ppm_test_call(server, "GET", "/v1/me/transactions", pair->model_token, NULL);

  ppm_test_verify(server);
  return g_strdup_printf("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n%s\n%s",
                         ppm_test_balance(server, pair->member_email),
                         ppm_test_balance(server, pair->model_email),
                         ppm_test_int(me, "available.amount_minor"), member->body, model->body);
}

static void
test_bad_requests(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(NULL, NULL, &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, charge = NULL;
  g_autofree char *before = NULL, *after = NULL;
  g_autofree char *big = g_strnfill(70 * 1024, ' ');
  const char *id;

  g_assert_no_error(error);
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  open = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(open, 201, NULL);
  id = ppm_test_string(open, "session_id");
  charge = ppm_test_charge(server, pair.model_token, id, 0);
  ppm_assert_answer(charge, 201, NULL);
  before = ledger_snapshot(server, &pair);

  g_assert_cmpint(G_N_ELEMENTS(cases), >=, 30);
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      const BadRequest *c = &cases[i];
      const char *tokens[] = { NULL, pair.model_token, pair.member_token, "forged-token" };
      g_autofree char *path = g_strdup_printf(c->path, id);
      const char *body = c->body && g_str_equal(c->body, "@big") ? big : c->body;
      g_autoptr(PpmTestResponse) r = ppm_test_request(
          server, c->method, path, tokens[c->who], c->content_type, body, body ? strlen(body) : 0);

      g_test_message("case %" G_GSIZE_FORMAT ": %s %s", i, c->method, path);
      if (r->status != c->status)
        g_error("case %" G_GSIZE_FORMAT " (%s %s %s): status %ld, expected %ld: %s", i, c->method,
                path, c->body ? c->body : "", r->status, c->status, r->body);
      g_assert_cmpstr(ppm_test_error_code(r), ==, c->code);
      g_assert_true(ppm_test_has(r, "error.message"));
    }
  after = ledger_snapshot(server, &pair);
  g_assert_cmpstr(after, ==, before);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/bad-input/table", test_bad_requests);
  return g_test_run();
}
