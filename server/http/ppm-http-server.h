/* The HTTP listener: libmicrohttpd with an internal polling thread; every
 * complete request is handed to its lane (PpmHttpLane) while its connection
 * is suspended, so the polling thread never waits on the store, and no
 * request waits behind a password hash unless it needs one itself.
 *
 * Floods: at most max_connections_per_address connections from one address
 * (libmicrohttpd closes the others at once), and a whole request must arrive
 * within request_seconds however slowly its bytes trickle in. */
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "ppm-http-request.h"

G_BEGIN_DECLS

typedef struct _PpmHttpServer PpmHttpServer;

/* "IPv4:PORT" or "[IPv6]:PORT" → address and its length;
 * G_IO_ERROR_INVALID_ARGUMENT naming --listen. */
gboolean ppm_http_parse_address(const char *address, struct sockaddr_storage *addr,
                                socklen_t *length, GError **error);

/* The address of `fd`, a listening TCP socket, as "IPv4:PORT" or
 * "[IPv6]:PORT"; G_IO_ERROR_INVALID_ARGUMENT naming --listen-fd when it is
 * no such socket. */
char *ppm_http_listening_address(int fd, GError **error);

typedef struct
{
  const char *address;   /* "IP:PORT" */
  int listen_fd;         /* >= 0: a listening socket to take over instead of address */
  const char *cert_file; /* with key_file: over TLS; NULL: plain HTTP */
  const char *key_file;
  guint max_connections_per_address; /* open connections from one client address */
  guint request_seconds;             /* to receive a whole request (ppm-http-deadline.h) */
  guint hash_threads;                /* password checks at once */
  guint hash_queue;                  /* requests waiting for one of them; more get `busy` */
} PpmHttpSettings;

/* Which lane runs a request (PpmHttpLane). */
typedef PpmHttpLane (*PpmHttpLaneFunc)(PpmPlatform *platform, const char *method, const char *path);

typedef struct
{
  PpmHttpHandler handle; /* every request */
  PpmHttpLaneFunc lane;
  PpmHttpHandler busy; /* a request of the hashing lane when its pool and queue are full */
} PpmHttpRouting;

/* Listens on settings->address, or takes settings->listen_fd over.  Fails
 * when the port is taken. */
PpmHttpServer *ppm_http_server_start(const PpmHttpSettings *settings, PpmPlatform *platform,
                                     const PpmHttpRouting *routing, GError **error);
/* Reads the TLS files again and serves new handshakes with them, without
 * closing the listening socket or any connection.  FALSE (the old files stay
 * in use) when they cannot be read or parsed. */
gboolean ppm_http_server_reload_tls(PpmHttpServer *server, GError **error);
/* Stops accepting, finishes the requests in flight, stops. */
void ppm_http_server_stop(PpmHttpServer *server);

G_END_DECLS
