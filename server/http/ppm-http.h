/* One HTTP request and its answer, over libmicrohttpd.
 *
 * A handler gets the whole request (headers, query, cookies and body already
 * read) and must give exactly one answer with one of the ppm_http_respond*()
 * calls.  Handlers run on a worker thread, so they may block on the store;
 * one that need not wait for a commit defers its answer instead
 * (ppm_http_request_defer()), and the listener may then run it on its polling
 * thread (PpmHttpQuick in ppm-http-server.h).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ppm-platform-state.h"

G_BEGIN_DECLS

#define PPM_HTTP_MAX_BODY (64 * 1024)

typedef struct _PpmHttpRequest PpmHttpRequest;

const char *ppm_http_request_get_method(PpmHttpRequest *request);
/* The path without the query string, percent-decoded. */
const char *ppm_http_request_get_path(PpmHttpRequest *request);
/* A query argument, decoded; NULL when absent. */
const char *ppm_http_request_get_query(PpmHttpRequest *request, const char *name);
/* A header (case-insensitive name); NULL when absent. */
const char *ppm_http_request_get_header(PpmHttpRequest *request, const char *name);
/* TOKEN of an "Authorization: Bearer TOKEN" header; NULL when there is none. */
const char *ppm_http_request_get_bearer(PpmHttpRequest *request);
const char *ppm_http_request_get_cookie(PpmHttpRequest *request, const char *name);
/* The body as received (not NUL-terminated in general; a NUL is appended
 * after `*length` bytes for convenience). */
const char *ppm_http_request_get_body(PpmHttpRequest *request, gsize *length);
/* The body of an application/x-www-form-urlencoded POST, decoded; NULL for
 * other content types or a malformed body. */
GHashTable *ppm_http_request_get_form(PpmHttpRequest *request);
/* "127.0.0.1" etc. */
const char *ppm_http_request_get_client_address(PpmHttpRequest *request);
gboolean ppm_http_request_is_tls(PpmHttpRequest *request);
PpmPlatform *ppm_http_request_get_platform(PpmHttpRequest *request);
/* The platform time the request arrived, ms since the epoch. */
gint64 ppm_http_request_get_time_ms(PpmHttpRequest *request);

/* For a handler that answers after it returns, from any thread: it calls
 * ppm_http_request_defer() before returning, and later gives its answer and
 * calls ppm_http_request_finish() exactly once.  The request stays valid
 * until then. */
void ppm_http_request_defer(PpmHttpRequest *request);
void ppm_http_request_finish(PpmHttpRequest *request);

/* Adds a header to the answer (call before responding). */
void ppm_http_add_header(PpmHttpRequest *request, const char *name, const char *value);
/* `body` (may be NULL for an empty body) is copied.  Every answer under
 * https carries Strict-Transport-Security, every 401 WWW-Authenticate. */
void ppm_http_respond(PpmHttpRequest *request, guint status, const char *content_type,
                      const char *body, gsize length);
void ppm_http_respond_json(PpmHttpRequest *request, guint status, JsonNode *node);
/* `{"error": {"code": CODE, "message": MESSAGE}}`. */
void ppm_http_respond_error(PpmHttpRequest *request, guint status, const char *code,
                            const char *message);
/* The error's status and code (ppm_store_error_status()); adds Retry-After
 * when retry_after_s > 0. */
void ppm_http_respond_gerror(PpmHttpRequest *request, const GError *error, gint64 retry_after_s);
/* text/html; charset=utf-8. */
void ppm_http_respond_html(PpmHttpRequest *request, guint status, const char *html);
/* 303 See Other to `location`. */
void ppm_http_respond_redirect(PpmHttpRequest *request, const char *location);

G_END_DECLS
