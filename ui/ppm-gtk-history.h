/* The payment history: balance on top, transactions newest first, loaded page
 * by page as the list is scrolled to its end. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One transaction of GET /v1/me/transactions, formatted for people. */
typedef struct
{
  const char *time;
  const char *kind;
  const char *amount;
  const char *balance_after;
  const char *counterparty; /* may be NULL */
} PpmGtkHistoryRow;

typedef struct _PpmGtkHistory PpmGtkHistory;

/* Asks the host for a page: `before` NULL for the newest one.  The host
 * answers later with ppm_gtk_history_add_page() or ppm_gtk_history_fail(). */
typedef void (*PpmGtkHistoryLoad)(PpmGtkHistory *history, const char *before, gpointer user_data);

/* Opens the window and asks for the first page. */
PpmGtkHistory *ppm_gtk_history_new(PpmGtkHistoryLoad load, gpointer user_data);
void ppm_gtk_history_set_balance(PpmGtkHistory *history, const char *balance);
/* Appends rows (older than those shown); `next_before` NULL: nothing older. */
void ppm_gtk_history_add_page(PpmGtkHistory *history, const PpmGtkHistoryRow *rows, gsize n_rows,
                              const char *next_before);
void ppm_gtk_history_fail(PpmGtkHistory *history, const char *message);
/* Clears the list and loads the newest page again. */
void ppm_gtk_history_refresh(PpmGtkHistory *history);
GtkWidget *ppm_gtk_history_get_window(PpmGtkHistory *history);
/* Destroys the window; the history is freed with it. */
void ppm_gtk_history_close(PpmGtkHistory *history);

G_END_DECLS
