#include "ppm-gtk-corner.h"

#define PPM_GTK_CORNER_MARGIN 16

GtkWidget *
ppm_gtk_corner_window_new(const char *title, const char *accessible_name)
{
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  GtkWindow *w = GTK_WINDOW(window);
  gtk_window_set_title(w, title);
  gtk_window_set_type_hint(w, GDK_WINDOW_TYPE_HINT_UTILITY);
  gtk_window_set_keep_above(w, TRUE);
  gtk_window_set_skip_taskbar_hint(w, TRUE);
  gtk_window_set_focus_on_map(w, FALSE);
  gtk_window_set_resizable(w, FALSE);
  gtk_container_set_border_width(GTK_CONTAINER(window), 10);
  atk_object_set_name(gtk_widget_get_accessible(window), accessible_name);
  g_signal_connect(window, "delete-event", G_CALLBACK(gtk_widget_hide_on_delete), NULL);
  return window;
}

void
ppm_gtk_corner_hide_clicked(GtkButton *button, gpointer data)
{
  gtk_widget_hide(gtk_widget_get_toplevel(GTK_WIDGET(button)));
}

void
ppm_gtk_corner_place(GtkWindow *window, int slot, int slot_height, int *x, int *y)
{
  /* The size the content asks for now, so the corner is right before the
   * window is shown and after its content grew. */
  GtkRequisition size;
  gtk_widget_size_request(GTK_WIDGET(window), &size);
  GdkScreen *screen = gtk_window_get_screen(window);
  *x = MAX(gdk_screen_get_width(screen) - PPM_GTK_CORNER_MARGIN - size.width, 0);
  *y = MAX(gdk_screen_get_height(screen) - PPM_GTK_CORNER_MARGIN - size.height - slot * slot_height,
           0);
  gtk_window_move(window, *x, *y);
}
