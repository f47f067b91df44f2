/* My Account > Payment > History: the balance and every transaction, newest
 * first, a page at a time. */
#include "ppm-web-page.h"
#include "ppm-web-pages.h"

#define HISTORY_PATH "/account/payments/history"
#define HISTORY_PAGE_SIZE 25
/* The first page reloads by itself so new charges show up during a call. */
#define HISTORY_REFRESH_SECONDS "30"

static const char *
kind_label(const char *kind)
{
  static const char *const labels[][2] = {
    { "deposit", N_("Deposit") }, { "charge", N_("Call") },   { "refund", N_("Refund") },
    { "earning", N_("Call") },    { "payout", N_("Payout") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(labels); i++)
    if (g_strcmp0(kind, labels[i][0]) == 0)
      return _(labels[i][1]);
  return kind;
}

static void
append_tile(GString *html, PpmHttpRequest *request, const char *label, gint64 minor)
{
  g_autofree char *amount = ppm_web_money(request, minor);

  ppm_web_append(html, "<div class=\"tile\"><span>%s</span><strong>%s</strong></div>", label,
                 amount);
}

static void
append_row(GString *html, PpmHttpRequest *request, const PpmStoreTransactionItem *item)
{
  g_autofree char *when = ppm_web_time(request, item->time_ms);
  g_autofree char *amount = ppm_web_money(request, item->amount_minor);
  g_autofree char *after = ppm_web_money(request, item->balance_after_minor);

  ppm_web_append(html, "<tr data-kind=\"%s\"><td><strong>%s</strong>", item->kind,
                 kind_label(item->kind));
  if (item->counterparty != NULL)
    {
      g_string_append_c(html, ' ');
      /* TRANSLATORS: after "Call": who the call was with. */
      ppm_web_append(html, _("with %s"), item->counterparty);
    }
  ppm_web_append(html,
                 "<span class=\"sub\">%s</span></td><td class=\"num %s\">%s</td>"
                 "<td class=\"num\">%s</td></tr>",
                 when, item->amount_minor < 0 ? "neg" : "pos", amount, after);
}

static void
append_pager(GString *html, PpmHttpRequest *request, gint64 before, gint64 next_before)
{
  g_autofree char *newest = ppm_web_url(request, HISTORY_PATH);
  g_autofree char *older = NULL;

  if (before == 0 && next_before == 0)
    return;
  g_string_append(html, "<div class=\"pager\">");
  if (before != 0)
    ppm_web_append(html, "<a href=\"%s\">← %s</a>", newest, _("Newest"));
  else
    g_string_append(html, "<span></span>");
  if (next_before != 0)
    {
      older = g_strdup_printf("%s?before=%" G_GINT64_FORMAT, newest, next_before);
      ppm_web_append(html, "<a href=\"%s\" rel=\"next\">%s →</a>", older, _("Older"));
    }
  g_string_append(html, "</div>");
}

/* The page's content, or NULL with *error set. */
static char *
history_render(PpmHttpRequest *request, const PpmStoreUser *user, gint64 before, GError **error)
{
  PpmStore *store = ppm_http_request_get_platform(request)->store;
  g_autoptr(PpmStoreAccount) account = ppm_store_account_get(store, user->id, error);
  g_auto(PpmStorePage) page = { 0 };
  g_autoptr(GString) html = g_string_new(NULL);

  if (account == NULL
      || !ppm_store_transactions_page(store, user->id, before, HISTORY_PAGE_SIZE, &page, error))
    return NULL;

  /* The path members know the page by. */
  ppm_web_append(html, "<p class=\"crumbs\">%s</p><h1>%s</h1><div class=\"tiles\">",
                 _("My Account › Payment › History"), _("Payment history"));
  if (user->role == PPM_ROLE_MEMBER)
    {
      append_tile(html, request, _("Balance"), account->balance_minor);
      append_tile(html, request, _("Available"), account->available_minor);
    }
  else
    append_tile(html, request, _("Earnings"), account->balance_minor);
  g_string_append(html, "</div><div class=\"card\">");
  if (page.items->len == 0)
    ppm_web_append(html, "<p class=\"empty\">%s</p>", _("No transactions yet."));
  else
    {
      ppm_web_append(html,
                     "<table id=\"transactions\"><thead><tr><th>%s</th>"
                     "<th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
                     _("Transaction"), _("Amount"), _("Balance"));
      for (guint i = 0; i < page.items->len; i++)
        append_row(html, request, g_ptr_array_index(page.items, i));
      g_string_append(html, "</tbody></table>");
    }
  append_pager(html, request, before, page.next_before);
  g_string_append(html, "</div>");
  if (user->role == PPM_ROLE_MEMBER)
    {
      g_autofree char *settings = ppm_web_url(request, "/account/settings");

      ppm_web_append(html, "<p class=\"after\"><a href=\"%s\">%s</a></p>", settings,
                     _("Choose which models may bill you"));
    }
  return g_string_free(g_steal_pointer(&html), FALSE);
}

void
ppm_web_history_get(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = ppm_web_require_user(request);
  const char *before_text = ppm_http_request_get_query(request, "before");
  guint64 before = 0;
  g_autofree char *content = NULL;
  g_autoptr(GError) error = NULL;

  if (user == NULL)
    return;
  if (before_text != NULL
      && !g_ascii_string_to_unsigned(before_text, 10, 1, G_MAXINT64, &before, NULL))
    {
      ppm_web_respond_message(request, 422, user, _("Payment history"),
                              _("This page of the history does not exist."));
      return;
    }
  content = history_render(request, user, (gint64)before, &error);
  if (content == NULL)
    {
      g_warning("history page failed: %s", error->message);
      ppm_web_respond_message(request, 500, user, _("Payment history"), _(PPM_WEB_PROBLEM));
      return;
    }
  if (before == 0)
    ppm_http_add_header(request, "Refresh", HISTORY_REFRESH_SECONDS);
  ppm_web_respond_page(request, 200, user, _("Payment history"), content);
}
