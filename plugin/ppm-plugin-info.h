/* What Pidgin's plugin list shows of both plugins (core-ppm and gtk-ppm). */
#pragma once

#include <plugin.h>

#define PPM_HOMEPAGE "https://purple-ppm.example.org/"

/* Binds the text domain, then translates the name, summary and description
 * (marked N_()) in place.  Called from the plugin's init, since the plugin
 * list shows them before the plugin loads. */
void ppm_plugin_info_translate(PurplePluginInfo *info);
