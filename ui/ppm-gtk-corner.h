/* Small always-on-top windows stacked in the lower-right corner of the screen. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A borderless-looking utility window that stays above others, skips the
 * taskbar and does not take the focus when it appears.  Closing it hides it:
 * its owner decides when it goes for good. */
GtkWidget *ppm_gtk_corner_window_new(const char *title, const char *accessible_name);

/* Moves `window` to the lower-right corner, `slot` windows above the bottom
 * (each slot is `slot_height` pixels high); `x`, `y` get its top-left corner. */
/* Hides the corner window holding `button` (a "clicked" handler). */
void ppm_gtk_corner_hide_clicked(GtkButton *button, gpointer data);

void ppm_gtk_corner_place(GtkWindow *window, int slot, int slot_height, int *x, int *y);

G_END_DECLS
