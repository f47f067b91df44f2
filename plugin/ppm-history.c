/* Payment history: the newest transactions and sessions, then older pages
 * on request; as HTML (the default), or as pages of rows for a UI that shows
 * a list (history_page). */
#include "ppm-i18n.h"
#include "ppm-platform-api.h"
#include "ppm-platform.h"
#include "ppm-ui.h"

#define HISTORY_PAGE 20

typedef struct
{
  PpmPage *transactions;
  PpmPage *sessions;
  int pending;
  gboolean older; /* a page after the first */
  gboolean cancelled;
} History;

/* The cursors of the next page, kept between pages. */
static char *next_transactions;
static char *next_sessions;

static void
history_free(History *history)
{
  g_clear_pointer(&history->transactions, ppm_page_free);
  g_clear_pointer(&history->sessions, ppm_page_free);
  g_free(history);
}

static char *
money_html(const PpmMoney *money)
{
  g_autofree char *text = ppm_text_money(money->minor, money->currency);
  return g_markup_escape_text(text, -1);
}

static void
append_transactions(GString *html, const PpmPage *page)
{
  g_string_append_printf(html, "<b>%s</b><br>", _("Transactions"));
  if (page == NULL || page->items->len == 0)
    g_string_append_printf(html, "%s<br>", _("None"));
  for (guint i = 0; page != NULL && i < page->items->len; i++)
    {
      PpmTransaction *t = g_ptr_array_index(page->items, i);
      g_autofree char *amount = money_html(&t->amount);
      g_autofree char *balance = money_html(&t->balance_after);
      g_autofree char *time = ppm_text_local_time(t->time);
      g_autofree char *line
          = g_markup_printf_escaped("%s %s ", time, ppm_text_transaction_kind(t->kind));
      g_string_append(html, line);
      g_string_append_printf(html, "%s (%s %s)", amount, _("balance"), balance);
      if (t->counterparty != NULL)
        {
          g_autofree char *who = g_markup_escape_text(t->counterparty, -1);
          g_string_append_printf(html, " — %s", who);
        }
      g_string_append(html, "<br>");
    }
}

static void
append_sessions(GString *html, const PpmPage *page)
{
  g_string_append_printf(html, "<br><b>%s</b><br>", _("Calls"));
  if (page == NULL || page->items->len == 0)
    g_string_append_printf(html, "%s<br>", _("None"));
  for (guint i = 0; page != NULL && i < page->items->len; i++)
    {
      PpmSessionItem *s = g_ptr_array_index(page->items, i);
      g_autofree char *total = money_html(&s->total);
      g_autofree char *started = ppm_text_local_time(s->started);
      g_autofree char *line
          = g_markup_printf_escaped("%s %s, %" G_GINT64_FORMAT " %s, ", started, s->counterparty,
                                    s->periods_charged, _("minutes"));
      g_string_append(html, line);
      g_string_append(html, total);
      if (s->reason != NULL)
        {
          g_autofree char *reason = g_markup_escape_text(ppm_text_reason_words(s->reason), -1);
          g_string_append_printf(html, " (%s)", reason);
        }
      g_string_append(html, "<br>");
    }
}

static void history_request(gboolean older);

static void
on_more(gpointer data)
{
  history_request(TRUE);
}

static void
history_show(History *history)
{
  g_autoptr(GString) html = g_string_new(NULL);
  append_transactions(html, history->transactions);
  append_sessions(html, history->sessions);
  g_free(next_transactions);
  g_free(next_sessions);
  next_transactions
      = history->transactions != NULL ? g_strdup(history->transactions->next_before) : NULL;
  next_sessions = history->sessions != NULL ? g_strdup(history->sessions->next_before) : NULL;
  gboolean more = next_transactions != NULL || next_sessions != NULL;
  ppm_ui_history_show(history->older ? _("Payment history (older)") : _("Payment history"),
                      html->str, more ? on_more : NULL, NULL);
}

static void
on_page(GObject *source, GAsyncResult *result, gpointer data, PpmPage **slot)
{
  History *history = data;
  g_autoptr(GError) error = NULL;
  *slot = ppm_api_list_finish(PPM_API(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    history->cancelled = TRUE;
  else if (*slot == NULL)
    purple_debug_warning("ppm", "history: %s\n", error->message);
  if (--history->pending == 0)
    {
      if (!history->cancelled)
        history_show(history);
      history_free(history);
    }
}

static void
on_transactions(GObject *source, GAsyncResult *result, gpointer data)
{
  on_page(source, result, data, &((History *)data)->transactions);
}

static void
on_sessions(GObject *source, GAsyncResult *result, gpointer data)
{
  on_page(source, result, data, &((History *)data)->sessions);
}

/* The first page of both lists, or the next page of those that have one. */
static void
history_request(gboolean older)
{
  PpmApi *api = ppm_platform_get_api();
  if (!ppm_platform_is_signed_in() || api == NULL)
    {
      purple_notify_error(purple_plugins_find_with_id(PPM_PLUGIN_ID), _("Payment history"),
                          _("Sign in to the platform first."), NULL);
      return;
    }
  History *history = g_new0(History, 1);
  history->older = older;
  gboolean transactions = !older || next_transactions != NULL;
  gboolean sessions = !older || next_sessions != NULL;
  history->pending = transactions + sessions;
  GCancellable *cancellable = ppm_platform_get_cancellable();
  if (transactions)
    ppm_api_list_transactions(api, HISTORY_PAGE, older ? next_transactions : NULL, cancellable,
                              on_transactions, history);
  if (sessions)
    ppm_api_list_sessions(api, HISTORY_PAGE, older ? next_sessions : NULL, cancellable, on_sessions,
                          history);
  if (history->pending == 0)
    history_free(history);
}

/* ---- pages of rows for a UI's list ---- */

static void list_request(const char *before);

static void
on_list_more(const char *before, gpointer data)
{
  list_request(before);
}

static void
list_send(const char *before, const PpmPage *page, const char *error)
{
  g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(PpmHistoryRow));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; page != NULL && i < page->items->len; i++)
    {
      PpmTransaction *t = g_ptr_array_index(page->items, i);
      char *amount = ppm_text_money(t->amount.minor, t->amount.currency);
      char *balance_after = ppm_text_money(t->balance_after.minor, t->balance_after.currency);
      char *time = ppm_text_local_time(t->time);
      g_ptr_array_add(texts, amount);
      g_ptr_array_add(texts, balance_after);
      g_ptr_array_add(texts, time);
      PpmHistoryRow row = {
        .time = time,
        .kind = ppm_text_transaction_kind(t->kind),
        .amount = amount,
        .balance_after = balance_after,
        .counterparty = t->counterparty,
      };
      g_array_append_val(rows, row);
    }
  /* The newest transaction's balance is the balance now; without one, the
   * last GET /v1/me says it. */
  const char *balance = NULL;
  const PpmMe *me = ppm_platform_get_me();
  if (before == NULL && rows->len > 0)
    balance = g_array_index(rows, PpmHistoryRow, 0).balance_after;
  else if (before == NULL && me != NULL)
    {
      char *known = ppm_text_money(me->balance.minor, me->balance.currency);
      g_ptr_array_add(texts, known);
      balance = known;
    }
  PpmHistoryPage answer = {
    .before = before,
    .rows = (const PpmHistoryRow *)(gpointer)rows->data,
    .n_rows = rows->len,
    .balance = balance,
    .next_before = page != NULL ? page->next_before : NULL,
    .error = error,
  };
  ppm_ui_history_page(&answer, on_list_more, NULL);
}

static void
on_list_page(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autofree char *before = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmPage) page = ppm_api_list_finish(PPM_API(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_autofree char *words = page == NULL ? ppm_platform_error_words(error) : NULL;
  list_send(before, page, words);
}

static void
list_request(const char *before)
{
  PpmApi *api = ppm_platform_get_api();
  if (!ppm_platform_is_signed_in() || api == NULL)
    {
      list_send(before, NULL, _("Sign in to the platform first."));
      return;
    }
  ppm_api_list_transactions(api, HISTORY_PAGE, before, ppm_platform_get_cancellable(), on_list_page,
                            g_strdup(before));
}

void
ppm_platform_show_history(void)
{
  if (ppm_ui_has_history_page())
    list_request(NULL);
  else
    history_request(FALSE);
}

void
ppm_history_shutdown(void)
{
  g_clear_pointer(&next_transactions, g_free);
  g_clear_pointer(&next_sessions, g_free);
}
