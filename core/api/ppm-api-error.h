/* One error taxonomy for every platform request, keyed on the answer's error.code. */
#pragma once

#include "ppm-port.h"

G_BEGIN_DECLS

#define PPM_API_ERROR (ppm_api_error_quark())
GQuark ppm_api_error_quark(void);

typedef enum
{
  /* Retry later: no answer, timeout, 5xx, or an answer we cannot read. */
  PPM_API_ERROR_RETRYABLE,
  PPM_API_ERROR_PROTOCOL,     /* the answer broke docs/openapi.json (retryable for billing) */
  PPM_API_ERROR_RATE_LIMITED, /* 429: retry after retry_after_ms */
  PPM_API_ERROR_TOO_EARLY,    /* 425: retry after retry_after_ms */
  PPM_API_ERROR_UNAUTHORIZED, /* 401 after one refresh: sign in again */
  PPM_API_ERROR_NOT_SIGNED_IN,
  PPM_API_ERROR_INVALID_URL,
  /* Final answers, one per code of docs/api-errors.md. */
  PPM_API_ERROR_BAD_REQUEST,
  PPM_API_ERROR_INSUFFICIENT_FUNDS,
  PPM_API_ERROR_FORBIDDEN,
  PPM_API_ERROR_RATE_NOT_ACCEPTED,
  PPM_API_ERROR_NOT_FOUND,
  PPM_API_ERROR_METHOD_NOT_ALLOWED,
  PPM_API_ERROR_SESSION_CLOSED,
  PPM_API_ERROR_IDEMPOTENCY_MISMATCH,
  PPM_API_ERROR_HANDLE_TAKEN,
  PPM_API_ERROR_TOO_MANY_SESSIONS,
  PPM_API_ERROR_ALREADY_RATED,
  PPM_API_ERROR_SESSION_EXPIRED,
  PPM_API_ERROR_TOO_LARGE,
  PPM_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
  PPM_API_ERROR_INVALID,
  PPM_API_ERROR_SEQ_GAP,
  PPM_API_ERROR_MODEL_NOT_ALLOWED,
  PPM_API_ERROR_FINAL_OTHER, /* a 4xx with a code this client does not know */
} PpmApiErrorCode;

/* How one request ended, before any decoding of a successful body.  Strings
 * are owned. */
typedef struct
{
  PpmOutcomeKind kind;
  PpmApiErrorCode error; /* meaningless when kind is PPM_OUTCOME_OK */
  int http_status;
  PpmErrorCode code; /* the answer's error.code */
  char *code_text;   /* the error code as sent, NULL when none */
  char *message;
  gint64 retry_after_ms;
} PpmApiResult;

/* The one reading of an answer's error.code: NULL gives PPM_ERROR_CODE_NONE,
 * a code this client does not know PPM_ERROR_CODE_OTHER. */
PpmErrorCode ppm_api_error_code_parse(const char *text);

void ppm_api_result_clear(PpmApiResult *result);
/* Fills `result` from an HTTP status and the raw body. */
void ppm_api_result_classify(PpmApiResult *result, int http_status, GBytes *body,
                             gint64 retry_after_ms);
/* A request with no usable HTTP answer. */
void ppm_api_result_set_failure(PpmApiResult *result, PpmApiErrorCode error, const char *message);
/* The view of `result` that core/ppm-port.h callers get; borrows its strings. */
void ppm_api_result_to_outcome(const PpmApiResult *result, PpmOutcome *outcome);
/* A GError in PPM_API_ERROR for a failed result. */
GError *ppm_api_result_to_error(const PpmApiResult *result);

/* TRUE for the codes of a final 4xx answer. */
gboolean ppm_api_error_is_final(PpmApiErrorCode code);

G_END_DECLS
