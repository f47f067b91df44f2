/* Making a PpmHttpRequest and reading its answer: what the listener
 * (ppm-http-server.c) does for each request, without any socket, so that the
 * fuzz targets can drive the router the same way. */
#pragma once

#include "ppm-http.h"

G_BEGIN_DECLS

typedef void (*PpmHttpHandler)(PpmHttpRequest *request);

/* Where the listener runs a request's handler. */
typedef enum
{
  PPM_HTTP_LANE_WORKERS, /* a worker thread: it may block on the store */
  PPM_HTTP_LANE_QUICK,   /* the polling thread: it returns at once (it may defer) */
  PPM_HTTP_LANE_HASHING, /* the bounded hashing pool: it checks or hashes a password */
} PpmHttpLane;

/* `path` is the percent-decoded path without the query string. */
PpmHttpRequest *ppm_http_request_new(PpmPlatform *platform, const char *method, const char *path,
                                     const char *client_address, gboolean tls);
void ppm_http_request_free(PpmHttpRequest *request);

/* A header as received; a Cookie header also fills the cookies, and a
 * Content-Length above PPM_HTTP_MAX_BODY marks the request too large.  A
 * framing RFC 9112 forbids marks it malformed: Content-Length with
 * Transfer-Encoding, two different Content-Length values, a transfer coding
 * other than chunked (alone, once). */
void ppm_http_request_add_header(PpmHttpRequest *request, const char *name, const char *value);
/* Marks the request malformed, `reason` saying why (a static string): it is
 * then answered 400 and its connection closed, whatever its route. */
void ppm_http_request_set_malformed(PpmHttpRequest *request, const char *reason);
gboolean ppm_http_request_is_malformed(PpmHttpRequest *request);
void ppm_http_request_add_query(PpmHttpRequest *request, const char *name, const char *value);
/* Parses "a=1&b=2" (percent-decoded) into the query arguments; FALSE (and
 * no argument added) for a malformed query. */
gboolean ppm_http_request_parse_query(PpmHttpRequest *request, const char *query);
/* The next piece of the body; beyond PPM_HTTP_MAX_BODY it is dropped and the
 * request is marked too large. */
void ppm_http_request_append_body(PpmHttpRequest *request, const char *data, gsize length);

typedef void (*PpmHttpDone)(PpmHttpRequest *request, gpointer data);

/* Hands the complete request to `handler`: 400 (with Connection: close) when
 * malformed, 413 when too large, 500 when the handler gave no answer.  `done` is called once the
 * answer is there: before this returns, or later from another thread when the handler deferred it
 * (ppm_http_request_defer()).  With `done` NULL, this waits for the answer. */
void ppm_http_request_run(PpmHttpRequest *request, PpmHttpHandler handler, PpmHttpDone done,
                          gpointer done_data);

/* The answer: 0 before one was given. */
guint ppm_http_request_get_status(PpmHttpRequest *request);
GBytes *ppm_http_request_get_answer(PpmHttpRequest *request);
/* The answer's headers as name, value, name, value, ... */
GPtrArray *ppm_http_request_get_answer_headers(PpmHttpRequest *request);
/* Monotonic time the request was made, µs. */
gint64 ppm_http_request_get_started_us(PpmHttpRequest *request);

G_END_DECLS
