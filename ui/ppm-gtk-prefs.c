#include "ppm-gtk-prefs.h"

#include <libpurple/prefs.h>

void
ppm_gtk_prefs_init(void)
{
  purple_prefs_add_none("/plugins/gtk");
  purple_prefs_add_none(PPM_GTK_PREF_ROOT);
  purple_prefs_add_int(PPM_GTK_PREF_TRACKER_X, -1);
  purple_prefs_add_int(PPM_GTK_PREF_TRACKER_Y, -1);
}
