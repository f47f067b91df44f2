/* The platform port: the three requests a billed call makes to the platform.
 *
 * core/meter decides *when* to open, charge and close; something else decides
 * *how* to reach the platform.  core/api implements this table over HTTP, unit
 * tests implement it with a scripted fake.  Every request is asynchronous and
 * answers exactly once through its callback, from the main context it was
 * started in, unless it was cancelled first (then the callback is not called).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How a request ended, as far as a caller needs to act on it (docs/billing-rules.md
 * #outcomes-of-a-charge; docs/api-errors.md). */
typedef enum
{
  PPM_OUTCOME_OK,        /* 2xx: the answer struct is filled in */
  PPM_OUTCOME_RETRYABLE, /* no answer, connection error, timeout, 5xx, 429, or an unreadable answer
                          */
  PPM_OUTCOME_TOO_EARLY, /* 425 too_early: retry the same request after retry_after_ms */
  PPM_OUTCOME_UNAUTHORIZED, /* 401 still after one token refresh: the model must sign in again */
  PPM_OUTCOME_FINAL,        /* any other 4xx: code says which */
} PpmOutcomeKind;

/* The answer's error.code (docs/api-errors.md), read from the wire by core/api
 * only: callers act on this, never on the text. */
typedef enum
{
  PPM_ERROR_CODE_NONE,  /* no error code: a 2xx, no answer, or an answer without one */
  PPM_ERROR_CODE_OTHER, /* a code this client does not know; code_text has it */
  PPM_ERROR_CODE_BAD_REQUEST,
  PPM_ERROR_CODE_UNAUTHORIZED,
  PPM_ERROR_CODE_INSUFFICIENT_FUNDS,
  PPM_ERROR_CODE_FORBIDDEN,
  PPM_ERROR_CODE_RATE_NOT_ACCEPTED,
  PPM_ERROR_CODE_MODEL_NOT_ALLOWED,
  PPM_ERROR_CODE_NOT_FOUND,
  PPM_ERROR_CODE_METHOD_NOT_ALLOWED,
  PPM_ERROR_CODE_SESSION_CLOSED,
  PPM_ERROR_CODE_IDEMPOTENCY_MISMATCH,
  PPM_ERROR_CODE_HANDLE_TAKEN,
  PPM_ERROR_CODE_TOO_MANY_SESSIONS,
  PPM_ERROR_CODE_ALREADY_RATED,
  PPM_ERROR_CODE_SESSION_EXPIRED,
  PPM_ERROR_CODE_TOO_LARGE,
  PPM_ERROR_CODE_UNSUPPORTED_MEDIA_TYPE,
  PPM_ERROR_CODE_INVALID,
  PPM_ERROR_CODE_SEQ_GAP,
  PPM_ERROR_CODE_TOO_EARLY,
  PPM_ERROR_CODE_RATE_LIMITED,
  PPM_ERROR_CODE_BUSY,
  PPM_ERROR_CODE_INTERNAL,
} PpmErrorCode;

typedef struct
{
  PpmOutcomeKind kind;
  int http_status;       /* 0 when there was no HTTP answer */
  PpmErrorCode code;     /* what to act on */
  const char *code_text; /* the code as sent, for logs and people; NULL when none */
  const char *message;   /* for logs and people; never parsed */
  gint64 retry_after_ms; /* from Retry-After on 425 and 429; 0 otherwise */
} PpmOutcome;

/* The platform no longer has an open session under that id: 409
 * session_closed (superseded or closed) or 410 session_expired. */
static inline gboolean
ppm_outcome_session_gone(const PpmOutcome *outcome)
{
  return outcome->kind == PPM_OUTCOME_FINAL
         && (outcome->code == PPM_ERROR_CODE_SESSION_CLOSED
             || outcome->code == PPM_ERROR_CODE_SESSION_EXPIRED);
}

typedef struct
{
  const char *client_session_id; /* UUID chosen by the client, journaled before the first post */
  const char *protocol;          /* libpurple protocol id, e.g. "prpl-jabber" */
  const char *model_handle;
  const char *member_handle;
  gint64 elapsed_ms; /* since t0; the only field that may differ between repeats */
} PpmOpenRequest;

typedef struct
{
  const char *session_id;
  gint64 rate_minor;
  const char *currency; /* ISO 4217 code */
  gint64 period_ms;     /* period_seconds * 1000 */
  gint64 offset_ms;
  int fee_bps;
  const char *member_display_name;
  int secured_periods;
} PpmOpenAnswer;

typedef struct
{
  gint64 seq;
  gint64 charged_minor;
  gint64 total_minor;
  const char *currency;
  int secured_periods;
  gint64 member_balance_periods;
} PpmChargeAnswer;

typedef struct
{
  const char *session_id;
  gint64 periods_charged;
  gint64 total_minor;
  gint64 reversed_minor;
  const char *currency;
  gint64 duration_ms;
  const char *rate_url;
} PpmCloseAnswer;

/* The answer pointer is non-NULL exactly when outcome->kind is PPM_OUTCOME_OK.
 * Both are valid only during the call. */
typedef void (*PpmOpenDone)(const PpmOutcome *outcome, const PpmOpenAnswer *answer,
                            gpointer user_data);
typedef void (*PpmChargeDone)(const PpmOutcome *outcome, const PpmChargeAnswer *answer,
                              gpointer user_data);
typedef void (*PpmCloseDone)(const PpmOutcome *outcome, const PpmCloseAnswer *answer,
                             gpointer user_data);

typedef struct
{
  void (*open)(gpointer self, const PpmOpenRequest *request, GCancellable *cancellable,
               PpmOpenDone done, gpointer user_data);
  void (*charge)(gpointer self, const char *session_id, gint64 seq, gint64 elapsed_ms,
                 GCancellable *cancellable, PpmChargeDone done, gpointer user_data);
  void (*close)(gpointer self, const char *session_id, const char *reason, gint64 elapsed_ms,
                GCancellable *cancellable, PpmCloseDone done, gpointer user_data);
} PpmPortOps;

typedef struct
{
  const PpmPortOps *ops;
  gpointer self;
} PpmPort;

G_END_DECLS
