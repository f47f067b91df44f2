/* The answer decoders: valid answers decode to the right values, anything
 * that breaks docs/openapi.json is a protocol error, never a crash. */
#include "ppm-api-decode.h"
#include "ppm-api-error.h"
#include "ppm-url.h"

static JsonNode *
parse(const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
  g_autoptr(GError) error = NULL;
  JsonNode *root = ppm_json_parse(bytes, &error);

  g_assert_no_error(error);
  return root;
}

static void
assert_protocol_error(const char *decoder, const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
  g_autoptr(GError) error = NULL;

  g_assert_false(ppm_api_decode_bytes(decoder, bytes, &error));
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL);
}

/* The error codes docs/api-errors.md fixes, as the platform sends them. */
static const char *const frozen_codes[] = {
  "bad_request",
  "unauthorized",
  "insufficient_funds",
  "forbidden",
  "rate_not_accepted",
  "model_not_allowed",
  "not_found",
  "method_not_allowed",
  "session_closed",
  "idempotency_mismatch",
  "handle_taken",
  "too_many_sessions",
  "already_rated",
  "session_expired",
  "too_large",
  "unsupported_media_type",
  "invalid",
  "seq_gap",
  "too_early",
  "rate_limited",
  "busy",
  "internal",
};

static void
test_code_maps_every_frozen_code(void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS(frozen_codes); i++)
    {
      PpmErrorCode code = ppm_api_error_code_parse(frozen_codes[i]);

      g_assert_cmpint(code, !=, PPM_ERROR_CODE_NONE);
      g_assert_cmpint(code, !=, PPM_ERROR_CODE_OTHER);
      g_assert_false(g_hash_table_contains(seen, GINT_TO_POINTER(code)));
      g_hash_table_add(seen, GINT_TO_POINTER(code));
    }
  g_assert_cmpint(ppm_api_error_code_parse("insufficient_funds"), ==,
                  PPM_ERROR_CODE_INSUFFICIENT_FUNDS);
  g_assert_cmpint(ppm_api_error_code_parse("session_expired"), ==, PPM_ERROR_CODE_SESSION_EXPIRED);
}

static void
test_code_unknown_is_other(void)
{
  g_assert_cmpint(ppm_api_error_code_parse(NULL), ==, PPM_ERROR_CODE_NONE);
  g_assert_cmpint(ppm_api_error_code_parse("pair_busy"), ==, PPM_ERROR_CODE_OTHER);
  g_assert_cmpint(ppm_api_error_code_parse("SEQ_GAP"), ==, PPM_ERROR_CODE_OTHER);
  g_assert_cmpint(ppm_api_error_code_parse(""), ==, PPM_ERROR_CODE_OTHER);
}

#define MONEY(n) "{\"amount_minor\": " #n ", \"currency\": \"USD\"}"
#define CHARGE_OK                                                                                  \
  "{\"seq\": 4, \"charged\": " MONEY(200) ", \"total\": " MONEY(                                   \
      1000) ", \"secured_periods\": 2, \"member_balance_periods\": 0}"

static void
test_charge(void)
{
  g_autoptr(JsonNode) root = parse(CHARGE_OK);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  char currency[4] = "";
  PpmChargeAnswer answer;

  g_assert_true(ppm_api_decode_charge(root, currency, strings, &answer, &error));
  g_assert_no_error(error);
  g_assert_cmpint(answer.seq, ==, 4);
  g_assert_cmpint(answer.charged_minor, ==, 200);
  g_assert_cmpint(answer.total_minor, ==, 1000);
  g_assert_cmpstr(answer.currency, ==, "USD");
  g_assert_cmpint(answer.secured_periods, ==, 2);
  g_assert_cmpint(answer.member_balance_periods, ==, 0);
  g_assert_cmpstr(currency, ==, "USD");
}

static void
test_charge_faults(void)
{
  /* Each differs from a valid answer in one way. */
  assert_protocol_error("charge", "[]");
  assert_protocol_error("charge", "{}");
  assert_protocol_error("charge",
                        "{\"seq\": 4.5, \"charged\": " MONEY(200) ", \"total\": " MONEY(
                            200) ", \"secured_periods\": 2, \"member_balance_periods\": 0}");
  assert_protocol_error("charge",
                        "{\"seq\": -1, \"charged\": " MONEY(200) ", \"total\": " MONEY(
                            200) ", \"secured_periods\": 2, \"member_balance_periods\": 0}");
  assert_protocol_error("charge",
                        "{\"seq\": 4, \"charged\": " MONEY(-5) ", \"total\": " MONEY(
                            200) ", \"secured_periods\": 2, \"member_balance_periods\": 0}");
  assert_protocol_error("charge",
                        "{\"seq\": 4, \"charged\": 200, \"total\": " MONEY(
                            200) ", \"secured_periods\": 2, \"member_balance_periods\": 0}");
  assert_protocol_error("charge",
                        "{\"seq\": 4, \"charged\": {\"amount_minor\": 200, \"currency\": \"EUR\"},"
                        " \"total\": " MONEY(200) ", \"secured_periods\": 2,"
                                                  " \"member_balance_periods\": 0}");
  assert_protocol_error("charge",
                        "{\"seq\": 4, \"charged\": {\"amount_minor\": 200, \"currency\": \"usd\"},"
                        " \"total\": {\"amount_minor\": 200, \"currency\": \"usd\"},"
                        " \"secured_periods\": 2, \"member_balance_periods\": 0}");
  assert_protocol_error("charge",
                        "{\"seq\": 99999999999999999999999, \"charged\": " MONEY(
                            200) ", \"total\": " MONEY(200) ", \"secured_periods\": 2,"
                                                            " \"member_balance_periods\": 0}");
  assert_protocol_error("charge",
                        "{\"seq\": 4, \"charged\": " MONEY(200) ", \"total\": " MONEY(
                            200) ", \"secured_periods\": 2, \"member_balance_periods\": null}");
}

static void
test_currency_must_match_platform(void)
{
  g_autoptr(JsonNode) root = parse(CHARGE_OK);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  char currency[4] = "EUR";
  PpmChargeAnswer answer;

  g_assert_false(ppm_api_decode_charge(root, currency, strings, &answer, &error));
  g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL);
}

static void
test_parse_faults(void)
{
  g_autofree char *deep = NULL;
  GString *nested = g_string_new(NULL);

  assert_protocol_error("charge", "");
  assert_protocol_error("charge", "   ");
  assert_protocol_error("charge", "{\"seq\": 4,");
  assert_protocol_error("charge", "<html><body>hello</body></html>");
  assert_protocol_error("charge", "{\"seq\": \"\xff\xfe\"}");
  /* Far deeper than any answer: refused before json-glib recurses into it. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c(nested, '[');
  deep = g_string_free(nested, FALSE);
  assert_protocol_error("charge", deep);
}

static void
test_open(void)
{
  g_autoptr(JsonNode) root = parse("{\"session_id\": \"s-9\", \"rate\": " MONEY(
      250) ", \"period_seconds\": 60,"
           " \"offset_ms\": 1000, \"fee_bps\": 2000, \"member_display_name\": \"Ann\","
           " \"secured_periods\": 2}");
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  char currency[4] = "";
  PpmOpenAnswer answer;

  g_assert_true(ppm_api_decode_open(root, currency, strings, &answer, &error));
  g_assert_cmpstr(answer.session_id, ==, "s-9");
  g_assert_cmpint(answer.rate_minor, ==, 250);
  g_assert_cmpint(answer.period_ms, ==, 60000);
  g_assert_cmpint(answer.offset_ms, ==, 1000);
  g_assert_cmpint(answer.fee_bps, ==, 2000);
  g_assert_cmpstr(answer.member_display_name, ==, "Ann");
  g_assert_cmpint(answer.secured_periods, ==, 2);

  assert_protocol_error("open", "{\"session_id\": \"s-9\", \"rate\": " MONEY(
                                    250) ", \"period_seconds\": 0, \"offset_ms\": 1000,"
                                         " \"fee_bps\": 2000, \"secured_periods\": 2}");
  assert_protocol_error("open", "{\"session_id\": \"s-9\", \"rate\": " MONEY(
                                    250) ", \"period_seconds\": 60, \"offset_ms\": 1000,"
                                         " \"fee_bps\": 10001, \"secured_periods\": 2}");
  assert_protocol_error("open", "{\"session_id\": \"\", \"rate\": " MONEY(
                                    250) ", \"period_seconds\": 60, \"offset_ms\": 1000,"
                                         " \"fee_bps\": 2000, \"secured_periods\": 2}");
  assert_protocol_error("open", "{\"session_id\": \"s\", \"rate\": " MONEY(
                                    250) ", \"period_seconds\": 60, \"offset_ms\": 1000,"
                                         " \"fee_bps\": 2000, \"secured_periods\": 0}");
}

/* A shift of a day's backdate and more than a period still decodes: the
 * platform may send up to 1 s + 1 day + 2 h, not beyond. */
static void
test_open_shifted_offset(void)
{
  g_autoptr(JsonNode) root = parse("{\"session_id\": \"s-9\", \"rate\": " MONEY(
      250) ", \"period_seconds\": 3600,"
           " \"offset_ms\": 93601000, \"fee_bps\": 2000, \"secured_periods\": 2}");
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  char currency[4] = "";
  PpmOpenAnswer answer;

  g_assert_true(ppm_api_decode_open(root, currency, strings, &answer, &error));
  g_assert_cmpint(answer.offset_ms, ==, 93601000);
  assert_protocol_error("open", "{\"session_id\": \"s-9\", \"rate\": " MONEY(
                                    250) ", \"period_seconds\": 60, \"offset_ms\": 93601001,"
                                         " \"fee_bps\": 2000, \"secured_periods\": 2}");
}

static void
test_close(void)
{
  g_autoptr(JsonNode) root = parse("{\"session_id\": 12, \"periods_charged\": 3, \"total\": " MONEY(
      600) ", \"reversed\": " MONEY(0) ", \"duration_ms\": 125000,"
                                       " \"rate_url\": "
                                       "\"http://127.0.0.1/account/sessions/12/rate\"}");
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  char currency[4] = "";
  PpmCloseAnswer answer;

  /* Integer ids are accepted and turned into text. */
  g_assert_true(ppm_api_decode_close(root, currency, strings, &answer, &error));
  g_assert_cmpstr(answer.session_id, ==, "12");
  g_assert_cmpint(answer.periods_charged, ==, 3);
  g_assert_cmpint(answer.total_minor, ==, 600);
  g_assert_cmpint(answer.duration_ms, ==, 125000);
  assert_protocol_error("close", "{\"session_id\": 12, \"periods_charged\": 3, \"total\": " MONEY(
                                     600) ", \"duration_ms\": 125000}");
}

static void
test_login_and_me(void)
{
  g_autoptr(JsonNode) login_root
      = parse("{\"access_token\": \"a\", \"refresh_token\": \"r\", \"expires_in\": 3600,"
              " \"user\": {\"id\": \"u1\", \"email\": \"m@x\", \"role\": \"model\","
              " \"display_name\": \"M\"}}");
  g_autoptr(JsonNode) me_root = parse(
      "{\"id\": 1, \"email\": \"m@x\", \"role\": \"member\", \"display_name\": \"M\","
      " \"balance\": " MONEY(2000) ", \"available\": " MONEY(1600) ", \"max_rate\": " MONEY(
          1000) ", \"handles\": [{\"protocol\": \"prpl-jabber\", \"handle\": \"m@x\"}],"
                " \"billing\": {\"period_seconds\": 60, \"offset_ms\": 1000, \"hold_periods\": 2,"
                " \"fee_bps\": 2000, \"currency\": \"USD\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmLogin) login = ppm_api_decode_login(login_root, &error);
  g_autoptr(PpmMe) me = NULL;
  char currency[4] = "";

  g_assert_no_error(error);
  g_assert_cmpstr(login->access_token, ==, "a");
  g_assert_cmpstr(login->user.role, ==, "model");
  me = ppm_api_decode_me(me_root, currency, &error);
  g_assert_no_error(error);
  g_assert_cmpint(me->balance.minor, ==, 2000);
  g_assert_true(me->has_available);
  g_assert_cmpint(me->available.minor, ==, 1600);
  g_assert_false(me->has_rate);
  g_assert_cmpuint(me->handles->len, ==, 1);
  g_assert_cmpint(me->billing.period_seconds, ==, 60);
  g_assert_cmpstr(currency, ==, "USD");

  assert_protocol_error("login",
                        "{\"access_token\": \"a\", \"refresh_token\": \"r\","
                        " \"expires_in\": 3600, \"user\": {\"id\": \"u1\","
                        " \"email\": \"m@x\", \"role\": \"admin\", \"display_name\": \"M\"}}");
  assert_protocol_error("login", "{\"access_token\": 5, \"refresh_token\": \"r\","
                                 " \"expires_in\": 3600, \"user\": {}}");
}

#define SESSIONS_OK                                                                                \
  "{\"items\": [{\"session_id\": \"s1\", \"started\": \"2026-01-02T03:04:05Z\", \"ended\": null,"  \
  " \"counterparty\": \"Ann\", \"periods_charged\": 2, \"total\": " MONEY(                         \
      400) "}],"                                                                                   \
           " \"next_before\": \"s1\"}"

static void
test_lists(void)
{
  g_autoptr(GBytes) sessions = g_bytes_new_static(SESSIONS_OK, strlen(SESSIONS_OK));
  g_autoptr(GError) error = NULL;

  g_assert_true(ppm_api_decode_bytes("sessions", sessions, &error));
  g_assert_no_error(error);
  assert_protocol_error("sessions",
                        "{\"items\": [{\"session_id\": \"s1\", \"started\": \"yesterday\","
                        " \"periods_charged\": 2, \"total\": " MONEY(400) "}]}");
  assert_protocol_error(
      "transactions",
      "{\"items\": [{\"id\": 1, \"time\": \"2026-01-02T03:04:05Z\","
      " \"kind\": \"gift\", \"amount\": " MONEY(5) ", \"balance_after\": " MONEY(5) "}]}");
  assert_protocol_error("lookup", "{\"status\": \"funded\", \"minutes_affordable\": 61}");
  assert_protocol_error("handles", "{\"handles\": [1, 2]}");
}

/* Request bodies are written by hand: every string must read back as itself. */
static void
test_string_escaping(void)
{
  static const char *const texts[] = { "",
                                       "plain",
                                       "quote \" and backslash \\",
                                       "line\nbreak\ttab\r\b\f",
                                       "control \x01\x1f end",
                                       "UTF-8: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                                       "/ and \x7f" };

  for (guint i = 0; i < G_N_ELEMENTS(texts); i++)
    {
      g_autoptr(GString) out = g_string_new(NULL);
      g_autoptr(JsonNode) root = NULL;

      ppm_json_append_string(out, texts[i]);
      root = parse(out->str);
      g_assert_true(JSON_NODE_HOLDS_VALUE(root));
      g_assert_cmpstr(json_node_get_string(root), ==, texts[i]);
      /* Nothing below 0x20 is left raw. */
      for (const char *p = out->str; *p != '\0'; p++)
        g_assert_cmpint((guchar)*p, >=, 0x20);
    }
}

static void
test_url(void)
{
  static const char *const good[] = { "https://ppm.example.org",
                                      "https://ppm.example.org:8443/base/",
                                      "http://127.0.0.1:8080",
                                      "http://127.8.9.10",
                                      "http://localhost:1",
                                      "http://[::1]:8080/",
                                      NULL };
  static const char *const bad[] = { "",
                                     "ppm.example.org",
                                     "ftp://ppm.example.org",
                                     "http://ppm.example.org",
                                     "http://10.0.0.1:8080",
                                     "http://128.0.0.1",
                                     "https://user:pw@ppm.example.org",
                                     "https://ppm.example.org/?x=1",
                                     "https://ppm.example.org/#top",
                                     "https://ppm.example.org:99999",
                                     "https://",
                                     "http://localhost.evil.example",
                                     NULL };

  for (int i = 0; good[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = ppm_url_validate(good[i], &error);

      g_assert_no_error(error);
      g_assert_false(g_str_has_suffix(url, "/"));
    }
  for (int i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = ppm_url_validate(bad[i], &error);

      g_test_message("%s: %s", bad[i], error != NULL ? error->message : "accepted");
      g_assert_null(url);
      g_assert_error(error, PPM_API_ERROR, PPM_API_ERROR_INVALID_URL);
    }
}

/* The fuzzers' committed seeds are valid answers: each decodes cleanly with
 * its own decoder (and the corpus stays meaningful for them). */
static void
test_fuzz_seeds(void)
{
  guint seeds = 0;

  for (const char *const *decoder = ppm_api_decoder_names(); *decoder != NULL; decoder++)
    {
      g_autofree char *path
          = g_test_build_filename(G_TEST_DIST, "..", "fuzz", "corpus", *decoder, NULL);
      g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
      const char *name;

      g_assert_nonnull(dir);
      while ((name = g_dir_read_name(dir)) != NULL)
        {
          g_autofree char *file = g_build_filename(path, name, NULL);
          g_autoptr(GError) error = NULL;
          g_autofree char *data = NULL;
          g_autoptr(GBytes) bytes = NULL;
          gsize len;

          g_assert_true(g_file_get_contents(file, &data, &len, NULL));
          bytes = g_bytes_new_take(g_steal_pointer(&data), len);
          g_test_message("%s", file);
          g_assert_true(ppm_api_decode_bytes(*decoder, bytes, &error));
          g_assert_no_error(error);
          seeds++;
        }
    }
  g_assert_cmpuint(seeds, >=, 10);
}

/* billing_allowed is optional: absent or true bills, false is the member's
 * allow-list leaving this model out; anything else breaks the contract. */
static void
test_lookup_billing_allowed(void)
{
  static const struct
  {
    const char *text;
    gboolean refused;
  } cases[] = {
    { "{\"status\": \"funded\", \"minutes_affordable\": 3}", FALSE },
    { "{\"status\": \"funded\", \"minutes_affordable\": 3, \"billing_allowed\": true}", FALSE },
    { "{\"status\": \"unfunded\", \"billing_allowed\": false}", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_autoptr(JsonNode) root = parse(cases[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(PpmLookup) lookup = ppm_api_decode_lookup(root, &error);

      g_assert_no_error(error);
      g_assert_cmpint(lookup->billing_refused, ==, cases[i].refused);
    }
  assert_protocol_error("lookup", "{\"status\": \"funded\", \"billing_allowed\": 0}");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/decode/charge", test_charge);
  g_test_add_func("/client/decode/charge-faults", test_charge_faults);
  g_test_add_func("/client/decode/currency-must-match", test_currency_must_match_platform);
  g_test_add_func("/client/decode/parse-faults", test_parse_faults);
  g_test_add_func("/client/decode/open", test_open);
  g_test_add_func("/client/decode/open-shifted-offset", test_open_shifted_offset);
  g_test_add_func("/client/decode/close", test_close);
  g_test_add_func("/client/decode/login-and-me", test_login_and_me);
  g_test_add_func("/client/decode/lists", test_lists);
  g_test_add_func("/client/decode/lookup-billing-allowed", test_lookup_billing_allowed);
  g_test_add_func("/client/outcome/code-maps-every-frozen-code", test_code_maps_every_frozen_code);
  g_test_add_func("/client/outcome/unknown-code-is-other", test_code_unknown_is_other);
  g_test_add_func("/client/url/validation", test_url);
  g_test_add_func("/client/json/string-escaping", test_string_escaping);
  g_test_add_func("/client/decode/fuzz-seeds-decode", test_fuzz_seeds);
  return g_test_run();
}
