/* ppm-server for the security tests: the fixture of tests/support, plus a
 * guard so that a failed assertion (abort) never leaves a server running. */
#pragma once

#include "ppm-test-server.h"

G_BEGIN_DECLS

typedef PpmTestServer SecServer;

/* Starts a server (asserting) and guards it until sec_server_free(). */
SecServer *sec_server_start(const char *const *args);
/* Stops the guarded server and frees it. */
void sec_server_free(SecServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SecServer, sec_server_free)

G_END_DECLS
