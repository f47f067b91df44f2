/* The HTTP listener: libmicrohttpd with an internal polling thread; every
 * complete request is handed to a pool of worker threads while its
 * connection is suspended, so the polling thread never waits on the store. */
#pragma once

#include <netinet/in.h>

#include "ppm-http-request.h"

G_BEGIN_DECLS

typedef struct _PpmHttpServer PpmHttpServer;

/* "IPv4:PORT" → address; G_IO_ERROR_INVALID_ARGUMENT naming --listen. */
gboolean ppm_http_parse_address(const char *address, struct sockaddr_in *addr, GError **error);

/* Whether `handler` answers this request without blocking (it may defer its
 * answer): it then runs on the polling thread rather than a worker. */
typedef gboolean (*PpmHttpQuick)(PpmPlatform *platform, const char *method, const char *path);

/* Listens on `address` ("IP:PORT"); with cert_file and key_file set, over
 * TLS.  Fails when the port is taken.  `quick` may be NULL. */
PpmHttpServer *ppm_http_server_start(const char *address, const char *cert_file,
                                     const char *key_file, PpmPlatform *platform,
                                     PpmHttpHandler handler, PpmHttpQuick quick, GError **error);
/* Reads the TLS files again and serves new handshakes with them, without
 * closing the listening socket or any connection.  FALSE (the old files stay
 * in use) when they cannot be read or parsed. */
gboolean ppm_http_server_reload_tls(PpmHttpServer *server, GError **error);
/* Stops accepting, finishes the requests in flight, stops. */
void ppm_http_server_stop(PpmHttpServer *server);

G_END_DECLS
