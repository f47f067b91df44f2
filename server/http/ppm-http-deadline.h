/* The deadline for receiving a whole request (request line, headers and
 * body), which a trickle of bytes cannot extend: libmicrohttpd's own timeout
 * restarts at every byte.  The time counts from the connection's opening, or
 * for a later request on it, from the end of the previous answer; so it also
 * bounds how long a kept-alive connection may sit idle.  A connection whose
 * request is not in by then is shut down.
 *
 * Every connection waiting for a request sits in one queue in the order its
 * time began, so the earliest deadline is always the queue's head: each
 * operation is O(1), and one thread sleeps until that head's deadline. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PpmHttpDeadlines PpmHttpDeadlines;
/* One connection's place in the queue. */
typedef struct _PpmHttpWait PpmHttpWait;

PpmHttpDeadlines *ppm_http_deadlines_new(guint seconds);
/* Stops the thread; every PpmHttpWait must have been removed. */
void ppm_http_deadlines_free(PpmHttpDeadlines *deadlines);

/* A new connection on socket `fd`: its first request's time starts. */
PpmHttpWait *ppm_http_deadlines_add(PpmHttpDeadlines *deadlines, int fd);
/* Its request is in whole: no deadline while it is answered. */
void ppm_http_deadlines_pause(PpmHttpDeadlines *deadlines, PpmHttpWait *wait);
/* Its answer went out: the next request's time starts. */
void ppm_http_deadlines_restart(PpmHttpDeadlines *deadlines, PpmHttpWait *wait);
/* The connection is closing, before its socket is closed; frees `wait`. */
void ppm_http_deadlines_remove(PpmHttpDeadlines *deadlines, PpmHttpWait *wait);

G_END_DECLS
