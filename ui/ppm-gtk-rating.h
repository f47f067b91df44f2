/* The dialog that asks the model to rate the app after a call. */
#pragma once

#include "ppm-ui-ops.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PPM_GTK_RATING_MAX_COMMENT 500

/* Opens the dialog.  `done` is called exactly once: with 1–5 stars and the
 * comment (NULL when empty) on Send, with 0 on "Not now", on closing the
 * window and when the dialog is destroyed by ppm_gtk_rating_close_all(). */
GtkWidget *ppm_gtk_rating_open(const char *title, PpmRatingDone done, gpointer user_data);
/* Closes every open rating dialog (at unload). */
void ppm_gtk_rating_close_all(void);

G_END_DECLS
