/* The test hook: listens on the Unix socket PPM_GTK_TEST_SOCKET names for
 * one-line commands that drive gtk-ppm's windows the way core-ppm does and
 * that dump what the widgets show (docs/pidgin-ui.md lists them).  It reaches
 * the windows through gtk-ppm's IPC and GTK's list of toplevels, never by
 * linking to gtk-ppm. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PPM_GTK_TEST_SOCKET_ENV "PPM_GTK_TEST_SOCKET"

/* Starts listening; FALSE with `error` when the variable is not set, gtk-ppm
 * is not loaded or the socket cannot be opened. */
gboolean ppm_gtk_hook_start(GError **error);
void ppm_gtk_hook_stop(void);

G_END_DECLS
