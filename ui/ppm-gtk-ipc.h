/* gtk-ppm's plugin id and IPC commands, for plugins that use its windows
 * without linking to it. */
#pragma once

#define PPM_GTK_PLUGIN_ID "gtk-ppm"

/* const PpmUiOps * (void): the table gtk-ppm installed into core-ppm, valid
 * while gtk-ppm is loaded. */
#define PPM_GTK_IPC_GET_UI_OPS "get-ui-ops"
