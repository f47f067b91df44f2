/* Small always-on-top windows stacked in the lower-right corner of the screen. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The user moved a corner window to `x`, `y` (its top-left corner). */
typedef void (*PpmGtkCornerMoved)(GtkWindow *window, int x, int y, gpointer data);

/* A borderless-looking utility window that stays above others, skips the
 * taskbar and does not take the focus when it appears.  Closing it hides it:
 * its owner decides when it goes for good.
 *
 * The shown corner windows never cover each other: they stand in a column
 * from the lower-right corner upwards, in the order they were made, each
 * above the one below with a gap (a full column continues to its left).  The
 * column closes up whenever one of them is shown, hidden, changes its size
 * or goes.  A window the user moves leaves the column and stays where it was
 * put (`moved`, may be NULL, is told); the column then keeps clear of it. */
GtkWidget *ppm_gtk_corner_window_new(const char *title, const char *accessible_name,
                                     PpmGtkCornerMoved moved, gpointer moved_data);

/* When `window` is next shown, it goes to `x`, `y` out of the column if it
 * covers no other shown corner window there, else into the column. */
void ppm_gtk_corner_prefer(GtkWindow *window, int x, int y);

/* Hides the corner window holding `button` (a "clicked" handler). */
void ppm_gtk_corner_hide_clicked(GtkButton *button, gpointer data);

G_END_DECLS
