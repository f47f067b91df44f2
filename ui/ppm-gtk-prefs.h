/* gtk-ppm's own preferences, under /plugins/gtk/ppm/. */
#pragma once

#define PPM_GTK_PREF_ROOT "/plugins/gtk/ppm"
/* Where the user last moved the tracker (lower-right corner of the window,
 * root coordinates); -1 until it was moved. */
#define PPM_GTK_PREF_TRACKER_X PPM_GTK_PREF_ROOT "/tracker_x"
#define PPM_GTK_PREF_TRACKER_Y PPM_GTK_PREF_ROOT "/tracker_y"

/* Adds the preferences with their defaults; existing values are kept. */
void ppm_gtk_prefs_init(void);
