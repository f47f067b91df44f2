#include "ppm-gtk-banner.h"

#include "ppm-gtk-corner.h"
#include "ppm-text.h"

#include <glib/gi18n-lib.h>

struct _PpmGtkBanner
{
  GtkWidget *window;
  GtkWidget *icon;
  GtkWidget *caller;
  GtkWidget *status;
};

PpmGtkBanner *
ppm_gtk_banner_new(void)
{
  PpmGtkBanner *banner = g_new0(PpmGtkBanner, 1);
  banner->window = ppm_gtk_corner_window_new(_("Incoming call"), _("Incoming call"), NULL, NULL);
  gtk_widget_set_name(banner->window, "ppm-banner");
  gtk_widget_set_size_request(banner->window, 300, -1);

  GtkWidget *row = gtk_hbox_new(FALSE, 10);
  gtk_container_add(GTK_CONTAINER(banner->window), row);
  banner->icon = gtk_image_new();
  gtk_misc_set_alignment(GTK_MISC(banner->icon), 0.5, 0.0);
  gtk_box_pack_start(GTK_BOX(row), banner->icon, FALSE, FALSE, 0);

  GtkWidget *box = gtk_vbox_new(FALSE, 4);
  gtk_box_pack_start(GTK_BOX(row), box, TRUE, TRUE, 0);
  GtkWidget *title = gtk_label_new(NULL);
  g_autofree char *title_markup = g_markup_printf_escaped("<small>%s</small>", _("Incoming call"));
  gtk_label_set_markup(GTK_LABEL(title), title_markup);
  gtk_misc_set_alignment(GTK_MISC(title), 0.0, 0.5);
  gtk_box_pack_start(GTK_BOX(box), title, FALSE, FALSE, 0);
  banner->caller = gtk_label_new(NULL);
  gtk_widget_set_name(banner->caller, "ppm-banner-caller");
  gtk_misc_set_alignment(GTK_MISC(banner->caller), 0.0, 0.5);
  gtk_label_set_ellipsize(GTK_LABEL(banner->caller), PANGO_ELLIPSIZE_END);
  gtk_box_pack_start(GTK_BOX(box), banner->caller, FALSE, FALSE, 0);
  banner->status = gtk_label_new(NULL);
  gtk_widget_set_name(banner->status, "ppm-banner-status");
  gtk_misc_set_alignment(GTK_MISC(banner->status), 0.0, 0.5);
  gtk_label_set_line_wrap(GTK_LABEL(banner->status), TRUE);
  gtk_widget_set_size_request(banner->status, 220, -1);
  gtk_box_pack_start(GTK_BOX(box), banner->status, FALSE, FALSE, 0);

  GtkWidget *buttons = gtk_hbutton_box_new();
  gtk_button_box_set_layout(GTK_BUTTON_BOX(buttons), GTK_BUTTONBOX_END);
  GtkWidget *dismiss = gtk_button_new_with_mnemonic(_("_Dismiss"));
  gtk_widget_set_name(dismiss, "ppm-banner-dismiss");
  g_signal_connect(dismiss, "clicked", G_CALLBACK(ppm_gtk_corner_hide_clicked), NULL);
  gtk_container_add(GTK_CONTAINER(buttons), dismiss);
  gtk_box_pack_start(GTK_BOX(box), buttons, FALSE, FALSE, 2);

  return banner;
}

void
ppm_gtk_banner_show(PpmGtkBanner *banner, const PpmBanner *data)
{
  g_autofree char *caller
      = g_markup_printf_escaped("<b><big>%s</big></b>", data->caller != NULL ? data->caller : "");
  gtk_label_set_markup(GTK_LABEL(banner->caller), caller);

  /* Green for the calls a model should take, orange for the others. */
  gboolean take = data->kind == PPM_CALLER_FUNDED;
  g_autofree char *status
      = g_markup_printf_escaped("<span foreground='%s' weight='bold'>%s</span>",
                                take ? "#1b7f3b" : "#c25e00", data->text != NULL ? data->text : "");
  gtk_label_set_markup(GTK_LABEL(banner->status), status);
  gtk_image_set_from_stock(GTK_IMAGE(banner->icon), take ? GTK_STOCK_YES : GTK_STOCK_DIALOG_WARNING,
                           GTK_ICON_SIZE_DIALOG);
  atk_object_set_description(gtk_widget_get_accessible(banner->window), data->text);
  gtk_widget_show_all(banner->window);
}

void
ppm_gtk_banner_free(PpmGtkBanner *banner)
{
  if (banner == NULL)
    return;
  gtk_widget_destroy(banner->window);
  g_free(banner);
}
