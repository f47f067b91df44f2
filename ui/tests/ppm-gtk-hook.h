/* A test hook: when PPM_GTK_TEST_SOCKET names a path, gtk-ppm listens on that
 * Unix socket for one-line commands that drive its windows the way core-ppm
 * does and that dump what the widgets show (docs/pidgin-ui.md lists them).
 * Without the variable nothing is opened. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PPM_GTK_TEST_SOCKET_ENV "PPM_GTK_TEST_SOCKET"

/* Starts listening if the variable is set; FALSE with `error` if it is set but
 * the socket cannot be opened. */
gboolean ppm_gtk_hook_start(GError **error);
void ppm_gtk_hook_stop(void);

G_END_DECLS
