/* A hostile HTTP responder on 127.0.0.1 in its own thread, for protocol
 * faults: it answers every request with the same bytes, or never answers, or
 * streams an endless body.  Only sign-in works: POST /v1/auth/login and
 * /v1/auth/refresh get a valid answer with fresh tokens each time. */
#pragma once

#include "ppm-api.h"

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PPM_RESPONDER_CANNED,      /* sends `canned` as is, then closes the connection */
  PPM_RESPONDER_SILENT,      /* accepts, reads the request, never answers */
  PPM_RESPONDER_HUGE,        /* a 200 whose body goes on for 10 MB, no Content-Length */
  PPM_RESPONDER_HUGE_LENGTH, /* the same, announced with Content-Length */
} PpmResponderMode;

typedef struct _PpmResponder PpmResponder;

PpmResponder *ppm_responder_new(PpmResponderMode mode, const char *canned);
/* "http://127.0.0.1:PORT" */
const char *ppm_responder_get_url(PpmResponder *responder);
/* Requests seen, sign-in included. */
guint ppm_responder_get_requests(PpmResponder *responder);
/* The body of the last request (for comparing repeats). */
char *ppm_responder_dup_last_body(PpmResponder *responder);
/* The request line and headers of the last request. */
char *ppm_responder_dup_last_head(PpmResponder *responder);
void ppm_responder_free(PpmResponder *responder);

/* A client signed in to `responder`, with these timeouts (0: the client's
 * defaults). */
PpmApi *ppm_responder_sign_in(PpmResponder *responder, guint connect_timeout_ms, guint timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmResponder, ppm_responder_free)

G_END_DECLS
