/* libpurple's event loop on the GLib main loop. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

PurpleEventLoopUiOps *ppm_sim_loop_get_ui_ops(void);

G_END_DECLS
