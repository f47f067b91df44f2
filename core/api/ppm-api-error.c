/* Classifies an HTTP answer into an outcome and a PpmApiError (see ppm-api-error.h). */
#include "ppm-api-error.h"

#include "ppm-json.h"

GQuark
ppm_api_error_quark(void)
{
  return g_quark_from_static_string("ppm-api-error-quark");
}

static const struct
{
  const char *name;
  PpmApiErrorCode code;
} ppm_api_final_codes[] = {
  { "bad_request", PPM_API_ERROR_BAD_REQUEST },
  { "insufficient_funds", PPM_API_ERROR_INSUFFICIENT_FUNDS },
  { "forbidden", PPM_API_ERROR_FORBIDDEN },
  { "rate_not_accepted", PPM_API_ERROR_RATE_NOT_ACCEPTED },
  { "not_found", PPM_API_ERROR_NOT_FOUND },
  { "method_not_allowed", PPM_API_ERROR_METHOD_NOT_ALLOWED },
  { "session_closed", PPM_API_ERROR_SESSION_CLOSED },
  { "idempotency_mismatch", PPM_API_ERROR_IDEMPOTENCY_MISMATCH },
  { "handle_taken", PPM_API_ERROR_HANDLE_TAKEN },
  { "too_many_sessions", PPM_API_ERROR_TOO_MANY_SESSIONS },
  { "already_rated", PPM_API_ERROR_ALREADY_RATED },
  { "session_expired", PPM_API_ERROR_SESSION_EXPIRED },
  { "too_large", PPM_API_ERROR_TOO_LARGE },
  { "unsupported_media_type", PPM_API_ERROR_UNSUPPORTED_MEDIA_TYPE },
  { "invalid", PPM_API_ERROR_INVALID },
  { "seq_gap", PPM_API_ERROR_SEQ_GAP },
};

gboolean
ppm_api_error_is_final(PpmApiErrorCode code)
{
  return code >= PPM_API_ERROR_BAD_REQUEST;
}

void
ppm_api_result_clear(PpmApiResult *result)
{
  g_clear_pointer(&result->error_code, g_free);
  g_clear_pointer(&result->message, g_free);
}

static void
ppm_api_result_set(PpmApiResult *result, PpmOutcomeKind kind, PpmApiErrorCode code,
                   const char *error_code, const char *message)
{
  ppm_api_result_clear(result);
  result->kind = kind;
  result->code = code;
  result->error_code = g_strdup(error_code);
  result->message = g_strdup(message);
}

void
ppm_api_result_set_failure(PpmApiResult *result, PpmApiErrorCode code, const char *message)
{
  PpmOutcomeKind kind = PPM_OUTCOME_RETRYABLE;

  if (code == PPM_API_ERROR_UNAUTHORIZED || code == PPM_API_ERROR_NOT_SIGNED_IN)
    kind = PPM_OUTCOME_UNAUTHORIZED;
  else if (ppm_api_error_is_final(code) || code == PPM_API_ERROR_INVALID_URL)
    kind = PPM_OUTCOME_FINAL;
  ppm_api_result_set(result, kind, code, NULL, message);
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

  if (g_str_equal(code, "too_early"))
    {
      ppm_api_result_set(result, PPM_OUTCOME_TOO_EARLY, PPM_API_ERROR_TOO_EARLY, code, message);
      /* Never spin: a 425 without Retry-After waits one second. */
      result->retry_after_ms = retry_after_ms > 0 ? retry_after_ms : 1000;
      return;
    }
  if (g_str_equal(code, "rate_limited"))
    {
      ppm_api_result_set(result, PPM_OUTCOME_RETRYABLE, PPM_API_ERROR_RATE_LIMITED, code, message);
      result->retry_after_ms = retry_after_ms > 0 ? retry_after_ms : 1000;
      return;
    }
  if (g_str_equal(code, "unauthorized"))
    {
      ppm_api_result_set(result, PPM_OUTCOME_UNAUTHORIZED, PPM_API_ERROR_UNAUTHORIZED, code,
                         message);
      return;
    }
  for (gsize i = 0; i < G_N_ELEMENTS(ppm_api_final_codes); i++)
    if (g_str_equal(code, ppm_api_final_codes[i].name))
      {
        ppm_api_result_set(result, PPM_OUTCOME_FINAL, ppm_api_final_codes[i].code, code, message);
        return;
      }
  ppm_api_result_set(result, PPM_OUTCOME_FINAL, PPM_API_ERROR_FINAL_OTHER, code, message);
}

void
ppm_api_result_to_outcome(const PpmApiResult *result, PpmOutcome *outcome)
{
  outcome->kind = result->kind;
  outcome->http_status = result->http_status;
  outcome->error_code = result->error_code;
  outcome->message = result->message;
  outcome->retry_after_ms = result->retry_after_ms;
}

GError *
ppm_api_result_to_error(const PpmApiResult *result)
{
  g_return_val_if_fail(result->kind != PPM_OUTCOME_OK, NULL);
  if (result->error_code != NULL)
    return g_error_new(PPM_API_ERROR, result->code, "%s: %s", result->error_code, result->message);
  return g_error_new_literal(PPM_API_ERROR, result->code, result->message);
}
