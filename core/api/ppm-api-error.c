/* Classifies an HTTP answer into an outcome and a PpmApiError (see ppm-api-error.h). */
#include "ppm-api-error.h"

#include "ppm-json.h"

GQuark
ppm_api_error_quark(void)
{
  return g_quark_from_static_string("ppm-api-error-quark");
}

/* Every error code of docs/api-errors.md and what the client makes of it in a
 * 4xx answer; a 5xx answer is retryable whatever its code says. */
static const struct
{
  const char *name;
  PpmErrorCode code;
  PpmOutcomeKind kind;
  PpmApiErrorCode error;
} ppm_api_codes[] = {
  { "bad_request", PPM_ERROR_CODE_BAD_REQUEST, PPM_OUTCOME_FINAL, PPM_API_ERROR_BAD_REQUEST },
  { "unauthorized", PPM_ERROR_CODE_UNAUTHORIZED, PPM_OUTCOME_UNAUTHORIZED,
    PPM_API_ERROR_UNAUTHORIZED },
  { "insufficient_funds", PPM_ERROR_CODE_INSUFFICIENT_FUNDS, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_INSUFFICIENT_FUNDS },
  { "forbidden", PPM_ERROR_CODE_FORBIDDEN, PPM_OUTCOME_FINAL, PPM_API_ERROR_FORBIDDEN },
  { "rate_not_accepted", PPM_ERROR_CODE_RATE_NOT_ACCEPTED, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_RATE_NOT_ACCEPTED },
  { "model_not_allowed", PPM_ERROR_CODE_MODEL_NOT_ALLOWED, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_MODEL_NOT_ALLOWED },
  { "not_found", PPM_ERROR_CODE_NOT_FOUND, PPM_OUTCOME_FINAL, PPM_API_ERROR_NOT_FOUND },
  { "method_not_allowed", PPM_ERROR_CODE_METHOD_NOT_ALLOWED, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_METHOD_NOT_ALLOWED },
  { "session_closed", PPM_ERROR_CODE_SESSION_CLOSED, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_SESSION_CLOSED },
  { "idempotency_mismatch", PPM_ERROR_CODE_IDEMPOTENCY_MISMATCH, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_IDEMPOTENCY_MISMATCH },
  { "handle_taken", PPM_ERROR_CODE_HANDLE_TAKEN, PPM_OUTCOME_FINAL, PPM_API_ERROR_HANDLE_TAKEN },
  { "too_many_sessions", PPM_ERROR_CODE_TOO_MANY_SESSIONS, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_TOO_MANY_SESSIONS },
  { "already_rated", PPM_ERROR_CODE_ALREADY_RATED, PPM_OUTCOME_FINAL, PPM_API_ERROR_ALREADY_RATED },
  { "session_expired", PPM_ERROR_CODE_SESSION_EXPIRED, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_SESSION_EXPIRED },
  { "too_large", PPM_ERROR_CODE_TOO_LARGE, PPM_OUTCOME_FINAL, PPM_API_ERROR_TOO_LARGE },
  { "unsupported_media_type", PPM_ERROR_CODE_UNSUPPORTED_MEDIA_TYPE, PPM_OUTCOME_FINAL,
    PPM_API_ERROR_UNSUPPORTED_MEDIA_TYPE },
  { "invalid", PPM_ERROR_CODE_INVALID, PPM_OUTCOME_FINAL, PPM_API_ERROR_INVALID },
  { "seq_gap", PPM_ERROR_CODE_SEQ_GAP, PPM_OUTCOME_FINAL, PPM_API_ERROR_SEQ_GAP },
  { "too_early", PPM_ERROR_CODE_TOO_EARLY, PPM_OUTCOME_TOO_EARLY, PPM_API_ERROR_TOO_EARLY },
  { "rate_limited", PPM_ERROR_CODE_RATE_LIMITED, PPM_OUTCOME_RETRYABLE,
    PPM_API_ERROR_RATE_LIMITED },
  { "busy", PPM_ERROR_CODE_BUSY, PPM_OUTCOME_RETRYABLE, PPM_API_ERROR_RETRYABLE },
  { "internal", PPM_ERROR_CODE_INTERNAL, PPM_OUTCOME_RETRYABLE, PPM_API_ERROR_RETRYABLE },
};

/* The index of `text` in ppm_api_codes, or -1. */
static int
ppm_api_code_find(const char *text)
{
  for (gsize i = 0; text != NULL && i < G_N_ELEMENTS(ppm_api_codes); i++)
    if (g_str_equal(text, ppm_api_codes[i].name))
      return (int)i;
  return -1;
}

PpmErrorCode
ppm_api_error_code_parse(const char *text)
{
  int i = ppm_api_code_find(text);

  if (text == NULL)
    return PPM_ERROR_CODE_NONE;
  return i >= 0 ? ppm_api_codes[i].code : PPM_ERROR_CODE_OTHER;
}

gboolean
ppm_api_error_is_final(PpmApiErrorCode code)
{
  return code >= PPM_API_ERROR_BAD_REQUEST;
}

void
ppm_api_result_clear(PpmApiResult *result)
{
  g_clear_pointer(&result->code_text, g_free);
  g_clear_pointer(&result->message, g_free);
}

static void
ppm_api_result_set(PpmApiResult *result, PpmOutcomeKind kind, PpmApiErrorCode error,
                   const char *code_text, const char *message)
{
  ppm_api_result_clear(result);
  result->kind = kind;
  result->error = error;
  result->code = ppm_api_error_code_parse(code_text);
  result->code_text = g_strdup(code_text);
  result->message = g_strdup(message);
}

void
ppm_api_result_set_failure(PpmApiResult *result, PpmApiErrorCode error, const char *message)
{
  PpmOutcomeKind kind = PPM_OUTCOME_RETRYABLE;

  if (error == PPM_API_ERROR_UNAUTHORIZED || error == PPM_API_ERROR_NOT_SIGNED_IN)
    kind = PPM_OUTCOME_UNAUTHORIZED;
  else if (ppm_api_error_is_final(error) || error == PPM_API_ERROR_INVALID_URL)
    kind = PPM_OUTCOME_FINAL;
  ppm_api_result_set(result, kind, error, NULL, message);
}

/* Reads {"error": {"code": "...", "message": "..."}}; FALSE if it is not that. */
static gboolean
ppm_api_read_error_body(GBytes *body, char **code, char **message)
{
  g_autoptr(JsonNode) root = ppm_json_parse(body, NULL);
  JsonObject *error;
  const char *text;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    return FALSE;
  error = ppm_json_get_object(json_node_get_object(root), "error");
  if (error == NULL)
    return FALSE;
  text = ppm_json_get_string(error, "code");
  if (text == NULL || *text == '\0')
    return FALSE;
  *code = g_strdup(text);
  text = ppm_json_get_string(error, "message");
  *message = g_strdup(text != NULL ? text : *code);
  return TRUE;
}

void
ppm_api_result_classify(PpmApiResult *result, int http_status, GBytes *body, gint64 retry_after_ms)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  int i;

  ppm_api_result_clear(result);
  result->http_status = http_status;
  result->retry_after_ms = 0;

  if (http_status >= 200 && http_status < 300)
    {
      ppm_api_result_set(result, PPM_OUTCOME_OK, PPM_API_ERROR_RETRYABLE, NULL, NULL);
      return;
    }
  if (http_status >= 500)
    {
      g_autofree char *why = g_strdup_printf("the platform answered %d", http_status);

      ppm_api_read_error_body(body, &code, &message);
      ppm_api_result_set(result, PPM_OUTCOME_RETRYABLE, PPM_API_ERROR_RETRYABLE, code,
                         message != NULL ? message : why);
      return;
    }
  if (http_status < 400 || !ppm_api_read_error_body(body, &code, &message))
    {
      g_autofree char *why
          = g_strdup_printf("unexpected answer: HTTP %d without an api error body", http_status);

      ppm_api_result_set(result, PPM_OUTCOME_RETRYABLE, PPM_API_ERROR_PROTOCOL, NULL, why);
      return;
    }

  i = ppm_api_code_find(code);
  if (i < 0)
    {
      ppm_api_result_set(result, PPM_OUTCOME_FINAL, PPM_API_ERROR_FINAL_OTHER, code, message);
      return;
    }
  ppm_api_result_set(result, ppm_api_codes[i].kind, ppm_api_codes[i].error, code, message);
  /* Never spin: a 425 or 429 without Retry-After waits one second. */
  if (ppm_api_codes[i].kind == PPM_OUTCOME_TOO_EARLY
      || ppm_api_codes[i].kind == PPM_OUTCOME_RETRYABLE)
    result->retry_after_ms = retry_after_ms > 0 ? retry_after_ms : 1000;
}

void
ppm_api_result_to_outcome(const PpmApiResult *result, PpmOutcome *outcome)
{
  outcome->kind = result->kind;
  outcome->http_status = result->http_status;
  outcome->code = result->code;
  outcome->code_text = result->code_text;
  outcome->message = result->message;
  outcome->retry_after_ms = result->retry_after_ms;
}

GError *
ppm_api_result_to_error(const PpmApiResult *result)
{
  g_return_val_if_fail(result->kind != PPM_OUTCOME_OK, NULL);
  if (result->code_text != NULL)
    return g_error_new(PPM_API_ERROR, result->error, "%s: %s", result->code_text, result->message);
  return g_error_new_literal(PPM_API_ERROR, result->error, result->message);
}
