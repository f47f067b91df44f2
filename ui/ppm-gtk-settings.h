/* The settings dialog: sign-in, platform and every preference of core-ppm. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Opens the dialog, or brings the open one to the front. */
GtkWidget *ppm_gtk_settings_show(void);
/* Closes it without saving (at unload). */
void ppm_gtk_settings_close(void);
/* The preferences alone, for Configure Plugin in Pidgin's plugin list; each
 * is saved as it changes, once its field is valid. */
GtkWidget *ppm_gtk_settings_config_frame(void);

G_END_DECLS
