/* gtk-ppm's table of ui-ops: core-ppm's windows drawn with GTK. */
#pragma once

#include "ppm-ui-ops.h"

G_BEGIN_DECLS

/* The table installed into core-ppm; valid while gtk-ppm is loaded. */
const PpmUiOps *ppm_gtk_ui_ops(void);
/* Destroys every window the table opened (at unload, after the table was
 * taken back from core-ppm). */
void ppm_gtk_ui_close_all(void);

G_END_DECLS
