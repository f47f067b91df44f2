/* HTTP written by hand over a plain socket, for what libcurl will not send:
 * broken framing, trickled requests, idle connections.  Sockets connect to
 * 127.0.0.1 from a chosen address of 127.0.0.0/8. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A connection to 127.0.0.1:port from `source_address` (NULL: 127.0.0.1);
 * -1 (errno set) when it cannot be made. */
int sec_raw_connect(guint16 port, const char *source_address);
/* Writes all of `data`; FALSE when the peer has closed or reset. */
gboolean sec_raw_send(int fd, const char *data, gsize length);
/* Reads until the peer closes, or until `timeout_ms` pass without a byte;
 * *closed (may be NULL) says which.  A reset counts as a close. */
GString *sec_raw_read(int fd, int timeout_ms, gboolean *closed);
/* Whether data or the end of the stream is waiting to be read now. */
gboolean sec_raw_readable(int fd);
/* The status of the HTTP answer at the start of `text`; 0 when none. */
guint sec_raw_status(const char *text);
/* The value of the answer header `name` (case-insensitive), or NULL. */
char *sec_raw_header(const char *text, const char *name);

G_END_DECLS
