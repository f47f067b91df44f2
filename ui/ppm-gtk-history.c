#include "ppm-gtk-history.h"

#include <glib/gi18n-lib.h>

enum
{
  COL_TIME,
  COL_KIND,
  COL_AMOUNT,
  COL_BALANCE,
  COL_COUNTERPARTY,
  N_COLS
};

struct _PpmGtkHistory
{
  GtkWidget *window;
  GtkWidget *balance;
  GtkWidget *spinner;
  GtkWidget *message;
  GtkWidget *refresh;
  GtkWidget *view;
  GtkListStore *store;
  char *next_before;
  gboolean loading;
  gboolean at_end;
  PpmGtkHistoryLoad load;
  gpointer user_data;
};

static void
ppm_gtk_history_set_loading(PpmGtkHistory *history, gboolean loading)
{
  history->loading = loading;
  gtk_widget_set_visible(history->spinner, loading);
  if (loading)
    gtk_spinner_start(GTK_SPINNER(history->spinner));
  else
    gtk_spinner_stop(GTK_SPINNER(history->spinner));
  gtk_widget_set_sensitive(history->refresh, !loading);
}

static void
ppm_gtk_history_load(PpmGtkHistory *history, const char *before)
{
  ppm_gtk_history_set_loading(history, TRUE);
  gtk_label_set_text(GTK_LABEL(history->message), _("Loading…"));
  history->load(history, before, history->user_data);
}

/* Loads the next page once the list is scrolled close to its end. */
static void
ppm_gtk_history_on_scroll(GtkAdjustment *adjustment, gpointer data)
{
  PpmGtkHistory *history = data;
  double bottom = gtk_adjustment_get_value(adjustment) + gtk_adjustment_get_page_size(adjustment);
  if (history->loading || history->at_end || history->next_before == NULL)
    return;
  if (bottom >= gtk_adjustment_get_upper(adjustment) - gtk_adjustment_get_page_size(adjustment) / 4)
    ppm_gtk_history_load(history, history->next_before);
}

static void
ppm_gtk_history_on_refresh(GtkButton *button, gpointer data)
{
  ppm_gtk_history_refresh(data);
}

static void
ppm_gtk_history_on_destroy(GtkWidget *widget, gpointer data)
{
  PpmGtkHistory *history = data;
  g_object_unref(history->store);
  g_free(history->next_before);
  g_free(history);
}

static void
ppm_gtk_history_add_column(PpmGtkHistory *history, const char *title, int column, float xalign)
{
  GtkCellRenderer *renderer = gtk_cell_renderer_text_new();
  g_object_set(renderer, "xalign", xalign, NULL);
  GtkTreeViewColumn *col
      = gtk_tree_view_column_new_with_attributes(title, renderer, "text", column, NULL);
  gtk_tree_view_column_set_resizable(col, TRUE);
  gtk_tree_view_append_column(GTK_TREE_VIEW(history->view), col);
}

PpmGtkHistory *
ppm_gtk_history_new(PpmGtkHistoryLoad load, gpointer user_data)
{
  PpmGtkHistory *history = g_new0(PpmGtkHistory, 1);
  history->load = load;
  history->user_data = user_data;
  history->store = gtk_list_store_new(N_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                      G_TYPE_STRING, G_TYPE_STRING);

  history->window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_widget_set_name(history->window, "ppm-history");
  gtk_window_set_title(GTK_WINDOW(history->window), _("Payment history"));
  gtk_window_set_default_size(GTK_WINDOW(history->window), 620, 420);
  gtk_container_set_border_width(GTK_CONTAINER(history->window), 10);

  GtkWidget *box = gtk_vbox_new(FALSE, 8);
  gtk_container_add(GTK_CONTAINER(history->window), box);
  GtkWidget *top = gtk_hbox_new(FALSE, 8);
  gtk_box_pack_start(GTK_BOX(box), top, FALSE, FALSE, 0);
  history->balance = gtk_label_new(NULL);
  gtk_widget_set_name(history->balance, "ppm-balance");
  gtk_misc_set_alignment(GTK_MISC(history->balance), 0.0, 0.5);
  atk_object_set_name(gtk_widget_get_accessible(history->balance), _("Balance"));
  gtk_box_pack_start(GTK_BOX(top), history->balance, TRUE, TRUE, 0);
  history->spinner = gtk_spinner_new();
  gtk_widget_set_name(history->spinner, "ppm-spinner");
  atk_object_set_name(gtk_widget_get_accessible(history->spinner), _("Loading"));
  gtk_box_pack_start(GTK_BOX(top), history->spinner, FALSE, FALSE, 0);
  history->refresh = gtk_button_new_from_stock(GTK_STOCK_REFRESH);
  gtk_widget_set_name(history->refresh, "ppm-refresh");
  g_signal_connect(history->refresh, "clicked", G_CALLBACK(ppm_gtk_history_on_refresh), history);
  gtk_box_pack_end(GTK_BOX(top), history->refresh, FALSE, FALSE, 0);

  GtkWidget *scroll = gtk_scrolled_window_new(NULL, NULL);
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_AUTOMATIC,
                                 GTK_POLICY_ALWAYS);
  gtk_scrolled_window_set_shadow_type(GTK_SCROLLED_WINDOW(scroll), GTK_SHADOW_IN);
  gtk_box_pack_start(GTK_BOX(box), scroll, TRUE, TRUE, 0);
  history->view = gtk_tree_view_new_with_model(GTK_TREE_MODEL(history->store));
  gtk_widget_set_name(history->view, "ppm-transactions");
  gtk_tree_view_set_rules_hint(GTK_TREE_VIEW(history->view), TRUE);
  atk_object_set_name(gtk_widget_get_accessible(history->view), _("Transactions"));
  ppm_gtk_history_add_column(history, _("Time"), COL_TIME, 0.0);
  ppm_gtk_history_add_column(history, _("Kind"), COL_KIND, 0.0);
  ppm_gtk_history_add_column(history, _("Amount"), COL_AMOUNT, 1.0);
  ppm_gtk_history_add_column(history, _("Balance after"), COL_BALANCE, 1.0);
  ppm_gtk_history_add_column(history, _("Member"), COL_COUNTERPARTY, 0.0);
  gtk_container_add(GTK_CONTAINER(scroll), history->view);
  g_signal_connect(gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(scroll)),
                   "value-changed", G_CALLBACK(ppm_gtk_history_on_scroll), history);
  /* A page that does not fill the window gets no scrolling: "changed" then
   * shows the end is in sight and the next page is loaded. */
  g_signal_connect(gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(scroll)), "changed",
                   G_CALLBACK(ppm_gtk_history_on_scroll), history);

  history->message = gtk_label_new(NULL);
  gtk_widget_set_name(history->message, "ppm-history-message");
  gtk_misc_set_alignment(GTK_MISC(history->message), 0.0, 0.5);
  GtkWidget *bottom = gtk_hbox_new(FALSE, 8);
  gtk_box_pack_start(GTK_BOX(box), bottom, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bottom), history->message, TRUE, TRUE, 0);
  GtkWidget *close = gtk_button_new_from_stock(GTK_STOCK_CLOSE);
  gtk_widget_set_name(close, "ppm-history-close");
  g_signal_connect_swapped(close, "clicked", G_CALLBACK(gtk_widget_destroy), history->window);
  gtk_box_pack_end(GTK_BOX(bottom), close, FALSE, FALSE, 0);

  g_signal_connect(history->window, "destroy", G_CALLBACK(ppm_gtk_history_on_destroy), history);
  gtk_widget_show_all(history->window);
  ppm_gtk_history_refresh(history);
  return history;
}

void
ppm_gtk_history_set_balance(PpmGtkHistory *history, const char *balance)
{
  g_autofree char *markup = g_markup_printf_escaped("%s <span size='large' weight='bold'>%s</span>",
                                                    _("Balance:"), balance != NULL ? balance : "–");
  gtk_label_set_markup(GTK_LABEL(history->balance), markup);
}

void
ppm_gtk_history_add_page(PpmGtkHistory *history, const PpmGtkHistoryRow *rows, gsize n_rows,
                         const char *next_before)
{
  for (gsize i = 0; i < n_rows; i++)
    gtk_list_store_insert_with_values(history->store, NULL, -1, COL_TIME, rows[i].time, COL_KIND,
                                      rows[i].kind, COL_AMOUNT, rows[i].amount, COL_BALANCE,
                                      rows[i].balance_after, COL_COUNTERPARTY,
                                      rows[i].counterparty != NULL ? rows[i].counterparty : "", -1);
  g_free(history->next_before);
  history->next_before = g_strdup(next_before);
  history->at_end = next_before == NULL;
  ppm_gtk_history_set_loading(history, FALSE);
  int shown = gtk_tree_model_iter_n_children(GTK_TREE_MODEL(history->store), NULL);
  g_autofree char *message = g_strdup_printf(
      g_dngettext(GETTEXT_PACKAGE, "%d transaction", "%d transactions", (gulong)shown), shown);
  gtk_label_set_text(GTK_LABEL(history->message), message);
}

void
ppm_gtk_history_fail(PpmGtkHistory *history, const char *message)
{
  ppm_gtk_history_set_loading(history, FALSE);
  g_autofree char *markup
      = g_markup_printf_escaped("<span foreground='#b00020'>%s</span>", message);
  gtk_label_set_markup(GTK_LABEL(history->message), markup);
}

void
ppm_gtk_history_refresh(PpmGtkHistory *history)
{
  gtk_list_store_clear(history->store);
  g_clear_pointer(&history->next_before, g_free);
  history->at_end = FALSE;
  ppm_gtk_history_load(history, NULL);
}

GtkWidget *
ppm_gtk_history_get_window(PpmGtkHistory *history)
{
  return history->window;
}

void
ppm_gtk_history_close(PpmGtkHistory *history)
{
  gtk_widget_destroy(history->window);
}
