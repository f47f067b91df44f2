/* What the server's fuzz targets share: a platform on a private SQLite
 * database with one model and one member signed in, and a way to run one
 * request through the router without a socket.
 *
 * A request is written as text:
 *
 *   METHOD PATH[?QUERY]
 *   Name: value
 *   ...
 *   (empty line)
 *   BODY
 *
 * In the request line and in header values, "$MODEL" and "$MEMBER" stand for
 * an access token of the model and the member, "$SESSION" for the id of a
 * session the model opened with the member.  PATH is percent-decoded as
 * libmicrohttpd does.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs the request and aborts when the answer breaks a rule every answer
 * keeps (a status, never 500, JSON from /v1/ routes).  Input that an HTTP
 * listener would never hand over (a malformed request line, a NUL in a
 * header) is ignored. */
void ppm_fuzz_request(const char *text, gsize length);

/* The same for a request built from parts by a target. */
void ppm_fuzz_request_printf(const char *body, gsize body_length, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

G_END_DECLS
