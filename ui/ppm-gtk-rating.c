#include "ppm-gtk-rating.h"

#include <glib/gi18n-lib.h>

#define PPM_GTK_STARS 5

typedef struct
{
  GtkWidget *dialog;
  GtkWidget *stars[PPM_GTK_STARS];
  GtkWidget *comment;
  GtkWidget *count;
  GtkWidget *send;
  int chosen;
  gboolean syncing; /* set while the stars are redrawn, so toggles are not clicks */
  PpmRatingDone done;
  gpointer user_data;
} PpmGtkRating;

static GSList *open_ratings;

static char *
ppm_gtk_rating_comment(PpmGtkRating *rating)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer(GTK_TEXT_VIEW(rating->comment));
  GtkTextIter start, end;
  gtk_text_buffer_get_bounds(buffer, &start, &end);
  return gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
}

/* Send needs a star and a comment within the platform's limit. */
static void
ppm_gtk_rating_sync(PpmGtkRating *rating)
{
  g_autofree char *comment = ppm_gtk_rating_comment(rating);
  glong length = g_utf8_strlen(comment, -1);
  g_autofree char *count = g_strdup_printf("%ld / %d", length, PPM_GTK_RATING_MAX_COMMENT);
  gtk_label_set_text(GTK_LABEL(rating->count), count);
  gtk_widget_set_sensitive(rating->send,
                           rating->chosen > 0 && length <= PPM_GTK_RATING_MAX_COMMENT);

  rating->syncing = TRUE;
  for (int i = 0; i < PPM_GTK_STARS; i++)
    {
      gboolean on = i < rating->chosen;
      gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(rating->stars[i]), on);
      g_autofree char *markup
          = g_markup_printf_escaped("<span size='xx-large' foreground='%s'>%s</span>",
                                    on ? "#e6a100" : "#9a9a9a", on ? "★" : "☆");
      gtk_label_set_markup(GTK_LABEL(gtk_bin_get_child(GTK_BIN(rating->stars[i]))), markup);
    }
  rating->syncing = FALSE;
}

static void
ppm_gtk_rating_on_star(GtkToggleButton *button, gpointer data)
{
  PpmGtkRating *rating = data;
  if (rating->syncing)
    return;
  rating->chosen = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(button), "ppm-stars"));
  ppm_gtk_rating_sync(rating);
}

static void
ppm_gtk_rating_on_changed(GtkTextBuffer *buffer, gpointer data)
{
  ppm_gtk_rating_sync(data);
}

static void
ppm_gtk_rating_on_response(GtkDialog *dialog, int response, gpointer data)
{
  PpmGtkRating *rating = data;
  g_autofree char *comment = ppm_gtk_rating_comment(rating);
  gboolean send = response == GTK_RESPONSE_OK && rating->chosen > 0;
  PpmRatingDone done = g_steal_pointer(&rating->done);
  if (done != NULL)
    done(send ? rating->chosen : 0, send && *comment != '\0' ? comment : NULL, rating->user_data);
  gtk_widget_destroy(rating->dialog);
}

static void
ppm_gtk_rating_on_destroy(GtkWidget *widget, gpointer data)
{
  PpmGtkRating *rating = data;
  open_ratings = g_slist_remove(open_ratings, rating);
  if (rating->done != NULL)
    rating->done(0, NULL, rating->user_data);
  g_free(rating);
}

GtkWidget *
ppm_gtk_rating_open(const char *title, PpmRatingDone done, gpointer user_data)
{
  PpmGtkRating *rating = g_new0(PpmGtkRating, 1);
  rating->done = done;
  rating->user_data = user_data;
  rating->dialog = gtk_dialog_new_with_buttons(_("Rate the app"), NULL, GTK_DIALOG_NO_SEPARATOR,
                                               _("_Not now"), GTK_RESPONSE_CANCEL, NULL);
  gtk_widget_set_name(rating->dialog, "ppm-rating");
  gtk_widget_set_name(
      gtk_dialog_get_widget_for_response(GTK_DIALOG(rating->dialog), GTK_RESPONSE_CANCEL),
      "ppm-rating-cancel");
  rating->send = gtk_dialog_add_button(GTK_DIALOG(rating->dialog), _("_Send"), GTK_RESPONSE_OK);
  gtk_widget_set_name(rating->send, "ppm-rating-send");
  gtk_window_set_keep_above(GTK_WINDOW(rating->dialog), TRUE);
  gtk_window_set_position(GTK_WINDOW(rating->dialog), GTK_WIN_POS_CENTER);
  gtk_window_set_resizable(GTK_WINDOW(rating->dialog), FALSE);

  GtkWidget *box = gtk_vbox_new(FALSE, 8);
  gtk_container_set_border_width(GTK_CONTAINER(box), 12);
  gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(rating->dialog))), box, TRUE,
                     TRUE, 0);
  GtkWidget *question = gtk_label_new(NULL);
  gtk_widget_set_name(question, "ppm-rating-title");
  g_autofree char *markup
      = g_markup_printf_escaped("<b>%s</b>", title != NULL ? title : _("Rate the app"));
  gtk_label_set_markup(GTK_LABEL(question), markup);
  gtk_label_set_line_wrap(GTK_LABEL(question), TRUE);
  gtk_misc_set_alignment(GTK_MISC(question), 0.0, 0.5);
  gtk_box_pack_start(GTK_BOX(box), question, FALSE, FALSE, 0);

  GtkWidget *row = gtk_hbox_new(TRUE, 0);
  gtk_box_pack_start(GTK_BOX(box), row, FALSE, FALSE, 0);
  for (int i = 0; i < PPM_GTK_STARS; i++)
    {
      GtkWidget *star = gtk_toggle_button_new_with_label("");
      gtk_button_set_relief(GTK_BUTTON(star), GTK_RELIEF_NONE);
      g_autofree char *name = g_strdup_printf("ppm-star-%d", i + 1);
      gtk_widget_set_name(star, name);
      g_autofree char *accessible = g_strdup_printf(
          g_dngettext(GETTEXT_PACKAGE, "%d star", "%d stars", (gulong)(i + 1)), i + 1);
      atk_object_set_name(gtk_widget_get_accessible(star), accessible);
      gtk_widget_set_tooltip_text(star, accessible);
      g_object_set_data(G_OBJECT(star), "ppm-stars", GINT_TO_POINTER(i + 1));
      g_signal_connect(star, "toggled", G_CALLBACK(ppm_gtk_rating_on_star), rating);
      gtk_box_pack_start(GTK_BOX(row), star, FALSE, FALSE, 0);
      rating->stars[i] = star;
    }

  GtkWidget *label = gtk_label_new_with_mnemonic(_("_Comment (optional):"));
  gtk_misc_set_alignment(GTK_MISC(label), 0.0, 0.5);
  gtk_box_pack_start(GTK_BOX(box), label, FALSE, FALSE, 0);
  GtkWidget *scroll = gtk_scrolled_window_new(NULL, NULL);
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
                                 GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_shadow_type(GTK_SCROLLED_WINDOW(scroll), GTK_SHADOW_IN);
  gtk_widget_set_size_request(scroll, 320, 80);
  rating->comment = gtk_text_view_new();
  gtk_widget_set_name(rating->comment, "ppm-rating-comment");
  gtk_text_view_set_wrap_mode(GTK_TEXT_VIEW(rating->comment), GTK_WRAP_WORD_CHAR);
  gtk_label_set_mnemonic_widget(GTK_LABEL(label), rating->comment);
  gtk_container_add(GTK_CONTAINER(scroll), rating->comment);
  gtk_box_pack_start(GTK_BOX(box), scroll, TRUE, TRUE, 0);
  rating->count = gtk_label_new(NULL);
  gtk_misc_set_alignment(GTK_MISC(rating->count), 1.0, 0.5);
  gtk_box_pack_start(GTK_BOX(box), rating->count, FALSE, FALSE, 0);

  g_signal_connect(gtk_text_view_get_buffer(GTK_TEXT_VIEW(rating->comment)), "changed",
                   G_CALLBACK(ppm_gtk_rating_on_changed), rating);
  g_signal_connect(rating->dialog, "response", G_CALLBACK(ppm_gtk_rating_on_response), rating);
  g_signal_connect(rating->dialog, "destroy", G_CALLBACK(ppm_gtk_rating_on_destroy), rating);
  open_ratings = g_slist_prepend(open_ratings, rating);
  ppm_gtk_rating_sync(rating);
  gtk_widget_show_all(rating->dialog);
  gtk_widget_grab_focus(rating->stars[PPM_GTK_STARS - 1]);
  return rating->dialog;
}

void
ppm_gtk_rating_close_all(void)
{
  while (open_ratings != NULL)
    gtk_widget_destroy(((PpmGtkRating *)open_ratings->data)->dialog);
}
