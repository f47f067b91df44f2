#include "ppm-gtk-tracker.h"

#include "ppm-gtk-corner.h"
#include "ppm-gtk-prefs.h"

#include <gdk/gdkkeysyms.h>
#include <glib/gi18n-lib.h>
#include <libpurple/prefs.h>

struct _PpmGtkTracker
{
  GtkWidget *window;
  GtkWidget *caller;
  GtkWidget *caller_status;
  GtkWidget *state;
  GtkWidget *detail;
  GtkWidget *elapsed;
  GtkWidget *rate;
  GtkWidget *minutes;
  GtkWidget *total;
  GtkWidget *earnings;
  gint64 start_us; /* monotonic time of t0 as the last update gave it */
  gint64 ended_elapsed_ms;
  gboolean ended;
  guint tick_id;
};

/* "mm:ss", or "h:mm:ss" from one hour on. */
static char *
ppm_gtk_tracker_clock_text(gint64 elapsed_ms)
{
  gint64 s = MAX(elapsed_ms, 0) / 1000;
  if (s >= 3600)
    return g_strdup_printf("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int)(s / 60 % 60),
                           (int)(s % 60));
  return g_strdup_printf("%02d:%02d", (int)(s / 60), (int)(s % 60));
}

static gint64
ppm_gtk_tracker_elapsed_ms(PpmGtkTracker *tracker)
{
  if (tracker->ended)
    return tracker->ended_elapsed_ms;
  return (g_get_monotonic_time() - tracker->start_us) / 1000;
}

static gboolean ppm_gtk_tracker_tick(gpointer data);

/* Re-arms the clock for the next whole second after t0, so it never drifts. */
static void
ppm_gtk_tracker_schedule(PpmGtkTracker *tracker)
{
  g_clear_handle_id(&tracker->tick_id, g_source_remove);
  g_autofree char *text = ppm_gtk_tracker_clock_text(ppm_gtk_tracker_elapsed_ms(tracker));
  gtk_label_set_text(GTK_LABEL(tracker->elapsed), text);
  if (tracker->ended)
    return;
  guint delay = 1000 - (guint)(ppm_gtk_tracker_elapsed_ms(tracker) % 1000);
  tracker->tick_id = g_timeout_add(delay, ppm_gtk_tracker_tick, tracker);
}

static gboolean
ppm_gtk_tracker_tick(gpointer data)
{
  PpmGtkTracker *tracker = data;
  tracker->tick_id = 0;
  ppm_gtk_tracker_schedule(tracker);
  return G_SOURCE_REMOVE;
}

static GtkWidget *
ppm_gtk_tracker_label(const char *name, float xalign)
{
  GtkWidget *label = gtk_label_new(NULL);
  gtk_widget_set_name(label, name);
  gtk_misc_set_alignment(GTK_MISC(label), xalign, 0.5);
  gtk_label_set_selectable(GTK_LABEL(label), FALSE);
  return label;
}

/* One "Title   value" row of the details table; returns the value label. */
static GtkWidget *
ppm_gtk_tracker_row(GtkWidget *table, guint row, const char *title, const char *name)
{
  GtkWidget *key = gtk_label_new(title);
  gtk_misc_set_alignment(GTK_MISC(key), 0.0, 0.5);
  GtkWidget *value = ppm_gtk_tracker_label(name, 1.0);
  gtk_table_attach(GTK_TABLE(table), key, 0, 1, row, row + 1, GTK_FILL, 0, 0, 1);
  gtk_table_attach(GTK_TABLE(table), value, 1, 2, row, row + 1, GTK_FILL | GTK_EXPAND, 0, 0, 1);
  atk_object_set_name(gtk_widget_get_accessible(value), title);
  g_object_set_data(G_OBJECT(value), "ppm-key", key);
  return value;
}

static gboolean
ppm_gtk_tracker_on_key(GtkWidget *window, GdkEventKey *event, gpointer data)
{
  if (event->keyval != GDK_KEY_Escape)
    return FALSE;
  gtk_widget_hide(window);
  return TRUE;
}

/* Remembers where the user put a tracker, for the next one. */
static void
ppm_gtk_tracker_on_moved(GtkWindow *window, int x, int y, gpointer data)
{
  purple_prefs_set_int(PPM_GTK_PREF_TRACKER_X, x);
  purple_prefs_set_int(PPM_GTK_PREF_TRACKER_Y, y);
}

PpmGtkTracker *
ppm_gtk_tracker_new(void)
{
  PpmGtkTracker *tracker = g_new0(PpmGtkTracker, 1);
  tracker->start_us = g_get_monotonic_time();
  tracker->window = ppm_gtk_corner_window_new(_("Call tracker"), _("Call tracker"),
                                              ppm_gtk_tracker_on_moved, NULL);
  gtk_widget_set_name(tracker->window, "ppm-tracker");
  gtk_widget_set_size_request(tracker->window, 260, -1);

  GtkWidget *box = gtk_vbox_new(FALSE, 4);
  gtk_container_add(GTK_CONTAINER(tracker->window), box);

  GtkWidget *head = gtk_hbox_new(FALSE, 6);
  gtk_box_pack_start(GTK_BOX(box), head, FALSE, FALSE, 0);
  tracker->caller = ppm_gtk_tracker_label("ppm-caller", 0.0);
  gtk_label_set_ellipsize(GTK_LABEL(tracker->caller), PANGO_ELLIPSIZE_END);
  gtk_box_pack_start(GTK_BOX(head), tracker->caller, TRUE, TRUE, 0);
  tracker->elapsed = ppm_gtk_tracker_label("ppm-elapsed", 1.0);
  atk_object_set_name(gtk_widget_get_accessible(tracker->elapsed), _("Call time"));
  gtk_box_pack_start(GTK_BOX(head), tracker->elapsed, FALSE, FALSE, 0);
  GtkWidget *close = gtk_button_new();
  gtk_widget_set_name(close, "ppm-tracker-close");
  gtk_button_set_relief(GTK_BUTTON(close), GTK_RELIEF_NONE);
  gtk_button_set_focus_on_click(GTK_BUTTON(close), FALSE);
  gtk_container_add(GTK_CONTAINER(close),
                    gtk_image_new_from_stock(GTK_STOCK_CLOSE, GTK_ICON_SIZE_MENU));
  gtk_widget_set_tooltip_text(close, _("Hide the tracker (the call goes on)"));
  atk_object_set_name(gtk_widget_get_accessible(close), _("Hide the tracker"));
  g_signal_connect(close, "clicked", G_CALLBACK(ppm_gtk_corner_hide_clicked), NULL);
  gtk_box_pack_end(GTK_BOX(head), close, FALSE, FALSE, 0);

  tracker->caller_status = ppm_gtk_tracker_label("ppm-caller-status", 0.0);
  gtk_box_pack_start(GTK_BOX(box), tracker->caller_status, FALSE, FALSE, 0);

  tracker->state = ppm_gtk_tracker_label("ppm-state", 0.0);
  gtk_label_set_line_wrap(GTK_LABEL(tracker->state), TRUE);
  gtk_widget_set_size_request(tracker->state, 240, -1);
  gtk_box_pack_start(GTK_BOX(box), tracker->state, FALSE, FALSE, 2);
  tracker->detail = ppm_gtk_tracker_label("ppm-detail", 0.0);
  gtk_label_set_line_wrap(GTK_LABEL(tracker->detail), TRUE);
  gtk_widget_set_size_request(tracker->detail, 240, -1);
  PangoAttrList *small = pango_attr_list_new();
  pango_attr_list_insert(small, pango_attr_scale_new(PANGO_SCALE_SMALL));
  pango_attr_list_insert(small, pango_attr_foreground_new(0x4400, 0x4400, 0x4400));
  gtk_label_set_attributes(GTK_LABEL(tracker->detail), small);
  pango_attr_list_unref(small);
  gtk_box_pack_start(GTK_BOX(box), tracker->detail, FALSE, FALSE, 0);

  GtkWidget *expander = gtk_expander_new_with_mnemonic(_("_Details"));
  gtk_widget_set_name(expander, "ppm-details");
  gtk_expander_set_expanded(GTK_EXPANDER(expander), TRUE);
  gtk_box_pack_start(GTK_BOX(box), expander, FALSE, FALSE, 0);
  GtkWidget *table = gtk_table_new(4, 2, FALSE);
  gtk_table_set_col_spacings(GTK_TABLE(table), 12);
  gtk_container_add(GTK_CONTAINER(expander), table);
  tracker->rate = ppm_gtk_tracker_row(table, 0, _("Rate"), "ppm-rate");
  tracker->minutes = ppm_gtk_tracker_row(table, 1, _("Minutes charged"), "ppm-minutes");
  tracker->total = ppm_gtk_tracker_row(table, 2, _("Total"), "ppm-total");
  tracker->earnings = ppm_gtk_tracker_row(table, 3, _("Your earnings"), "ppm-earnings");

  g_signal_connect(tracker->window, "key-press-event", G_CALLBACK(ppm_gtk_tracker_on_key), tracker);
  gtk_widget_show_all(box);
  /* Start on the details, not on the hide button: Escape also hides. */
  gtk_window_set_focus(GTK_WINDOW(tracker->window), expander);
  /* Where the user last put a tracker, when that spot is free. */
  int x = purple_prefs_get_int(PPM_GTK_PREF_TRACKER_X);
  int y = purple_prefs_get_int(PPM_GTK_PREF_TRACKER_Y);
  if (x >= 0 && y >= 0)
    ppm_gtk_corner_prefer(GTK_WINDOW(tracker->window), x, y);
  ppm_gtk_tracker_schedule(tracker);
  return tracker;
}

/* The state in words and colour: green while charging, orange while not. */
static char *
ppm_gtk_tracker_state_markup(const PpmGtkTrackerData *data)
{
  g_autofree char *words = NULL;
  const char *colour = "#c25e00";
  switch (data->state)
    {
      case PPM_GTK_TRACK_OPENING:
        words = g_strdup(_("Opening the session…"));
        colour = "#555555";
        break;
      case PPM_GTK_TRACK_CHARGING:
        words = g_strdup(_("Charging"));
        colour = "#1b7f3b";
        break;
      case PPM_GTK_TRACK_NOT_CHARGING:
        words = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "Not charging — %d minute secured",
                                            "Not charging — %d minutes secured",
                                            (gulong)MAX(data->secured_minutes, 0)),
                                data->secured_minutes);
        break;
      case PPM_GTK_TRACK_UNBILLED:
        words = data->reason != NULL ? g_strdup_printf(_("Not charging: %s"), data->reason)
                                     : g_strdup(_("Not charging"));
        break;
      case PPM_GTK_TRACK_ENDED:
      default:
        words = data->reason != NULL ? g_strdup_printf(_("Ended: %s"), data->reason)
                                     : g_strdup(_("Ended"));
        colour = "#555555";
        break;
    }
  return g_markup_printf_escaped("<span foreground='%s' weight='bold'>%s %s</span>", colour,
                                 data->state == PPM_GTK_TRACK_ENDED ? "■" : "●", words);
}

/* Sets a label's text; a value that is not known hides the label and, in the
 * details, its title. */
static void
ppm_gtk_tracker_set_text(GtkWidget *label, const char *text)
{
  gtk_label_set_text(GTK_LABEL(label), text != NULL ? text : "");
  gtk_widget_set_visible(label, text != NULL);
  GtkWidget *key = g_object_get_data(G_OBJECT(label), "ppm-key");
  if (key != NULL)
    gtk_widget_set_visible(key, text != NULL);
}

void
ppm_gtk_tracker_update(PpmGtkTracker *tracker, const PpmGtkTrackerData *data)
{
  const char *name = data->caller_name != NULL ? data->caller_name : "";
  g_autofree char *caller = g_markup_printf_escaped("<b>%s</b>", name);
  gtk_label_set_markup(GTK_LABEL(tracker->caller), caller);
  ppm_gtk_tracker_set_text(tracker->caller_status, data->caller_status);
  g_autofree char *state = ppm_gtk_tracker_state_markup(data);
  gtk_label_set_markup(GTK_LABEL(tracker->state), state);
  ppm_gtk_tracker_set_text(tracker->detail, data->detail);

  g_autofree char *rate = data->rate != NULL ? g_strdup_printf(_("%s / minute"), data->rate) : NULL;
  ppm_gtk_tracker_set_text(tracker->rate, rate);
  g_autofree char *minutes = g_strdup_printf("%" G_GINT64_FORMAT, data->minutes_charged);
  gtk_label_set_text(GTK_LABEL(tracker->minutes), minutes);
  ppm_gtk_tracker_set_text(tracker->total, data->total);
  ppm_gtk_tracker_set_text(tracker->earnings, data->earnings);

  g_autofree char *title = g_strdup_printf(_("Call with %s"), name);
  gtk_window_set_title(GTK_WINDOW(tracker->window), title);

  if (data->elapsed_ms >= 0)
    tracker->start_us = g_get_monotonic_time() - data->elapsed_ms * 1000;
  if (data->state == PPM_GTK_TRACK_ENDED && !tracker->ended)
    {
      tracker->ended_elapsed_ms = ppm_gtk_tracker_elapsed_ms(tracker);
      tracker->ended = TRUE;
    }
  ppm_gtk_tracker_schedule(tracker);
}

void
ppm_gtk_tracker_end(PpmGtkTracker *tracker)
{
  if (tracker->ended)
    return;
  PpmGtkTrackerData data = { .state = PPM_GTK_TRACK_ENDED };
  g_autofree char *state = ppm_gtk_tracker_state_markup(&data);
  gtk_label_set_markup(GTK_LABEL(tracker->state), state);
  tracker->ended_elapsed_ms = ppm_gtk_tracker_elapsed_ms(tracker);
  tracker->ended = TRUE;
  ppm_gtk_tracker_schedule(tracker);
}

void
ppm_gtk_tracker_present(PpmGtkTracker *tracker)
{
  gtk_widget_show(tracker->window);
  gtk_window_present(GTK_WINDOW(tracker->window));
}

void
ppm_gtk_tracker_free(PpmGtkTracker *tracker)
{
  if (tracker == NULL)
    return;
  g_clear_handle_id(&tracker->tick_id, g_source_remove);
  gtk_widget_destroy(tracker->window);
  g_free(tracker);
}
