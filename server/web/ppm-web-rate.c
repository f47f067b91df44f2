/* The member of a call rates the show: 1 to 5 stars and a comment. */
#include <string.h>

#include "ppm-validate.h"
#include "ppm-web-page.h"
#include "ppm-web-pages.h"

#define SESSIONS_SCAN_PAGE 200

/* The store refuses to rate a call none of whose minutes stands paid. */
#define UNPAID_WORDS                                                                               \
  N_("No minute of this call stands paid (nothing was charged, or all of it was refunded), so "    \
     "there is nothing to rate.")
#define RATE_TITLE N_("Rate the show")
#define NO_SUCH_CALL N_("There is no such call among yours.")

/* Session ids are 32 lowercase hex characters (ppm_token_new_id()). */
static gboolean
session_id_valid(const char *id)
{
  return strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32;
}

/* The member's session `id`, looked for in its history and kept in `page`;
 * NULL when it is not one of the member's sessions. */
static const PpmStoreSessionItem *
session_find(PpmStore *store, const PpmStoreUser *user, const char *id, PpmStorePage *page,
             GError **error)
{
  gint64 before = 0;

  do
    {
      ppm_page_clear(page);
      if (!ppm_store_sessions_page(store, user->id, before, SESSIONS_SCAN_PAGE, page, error))
        return NULL;
      for (guint i = 0; i < page->items->len; i++)
        {
          const PpmStoreSessionItem *item = g_ptr_array_index(page->items, i);

          if (strcmp(item->session_id, id) == 0)
            return item;
        }
      before = page->next_before;
    }
  while (before != 0);
  return NULL;
}

/* The signed-in member and a well-formed id, or NULL after answering. */
static PpmStoreUser *
rate_begin(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = ppm_web_require_user(request);

  if (user == NULL)
    return NULL;
  if (user->role != PPM_ROLE_MEMBER)
    ppm_web_respond_message(request, 403, user, _(RATE_TITLE),
                            _("Only the member who made the call rates the show here."));
  else if (!session_id_valid(id))
    ppm_web_respond_message(request, 404, user, _(RATE_TITLE), _(NO_SUCH_CALL));
  else
    return g_steal_pointer(&user);
  return NULL;
}

static void
rate_render(PpmHttpRequest *request, guint status, const PpmStoreUser *user, const char *id,
            const PpmStoreSessionItem *session, const char *error, const char *comment)
{
  g_autoptr(GString) html = g_string_new(NULL);
  g_autofree char *path = g_strconcat("/account/sessions/", id, "/rate", NULL);

  ppm_web_append(html, "<div class=\"card narrow\"><h1>%s</h1>", _(RATE_TITLE));
  if (session != NULL)
    {
      g_autofree char *when = ppm_web_time(request, session->started_ms);
      g_autofree char *total = ppm_web_money(request, session->total_minor);
      int minutes = (int)MIN(session->periods_charged, G_MAXINT);

      g_string_append(html, "<p>");
      /* TRANSLATORS: the model's name, when the call began, how many
       * minutes were paid, the total. */
      ppm_web_append(html,
                     dngettext(GETTEXT_PACKAGE, "Your call with %s on %s: %d paid minute, %s.",
                               "Your call with %s on %s: %d paid minutes, %s.", (gulong)minutes),
                     session->counterparty, when, minutes, total);
      g_string_append(html, "</p>");
    }
  if (error != NULL)
    ppm_web_append_message(html, TRUE, error);
  ppm_web_form_begin(html, request, path, TRUE);
  ppm_web_append(html, "<fieldset><legend>%s</legend><div class=\"stars\">", _("Your rating"));
  for (int stars = 5; stars >= 1; stars--)
    {
      g_autofree char *title = g_strdup_printf(
          dngettext(GETTEXT_PACKAGE, "%d star", "%d stars", (gulong)stars), stars);

      ppm_web_append(html,
                     "<input type=\"radio\" id=\"stars%d\" name=\"stars\" value=\"%d\" required>"
                     "<label for=\"stars%d\" title=\"%s\">★</label>",
                     stars, stars, stars, title);
    }
  g_autofree char *up_to = g_strdup_printf(_("Up to %d characters."), PPM_COMMENT_MAX_CHARS);
  ppm_web_append(html,
                 "</div></fieldset><label for=\"comment\">%s</label>"
                 "<textarea id=\"comment\" name=\"comment\" maxlength=\"%d\">%s</textarea>"
                 "<p class=\"hint\">%s</p>"
                 "<button class=\"primary\" type=\"submit\">%s</button></form></div>",
                 _("Comment (optional)"), PPM_COMMENT_MAX_CHARS, comment, up_to, _("Send rating"));
  ppm_web_respond_page(request, status, user, _(RATE_TITLE), html->str);
}

void
ppm_web_rate_get(PpmHttpRequest *request, const char *id)
{
  PpmStore *store = ppm_http_request_get_platform(request)->store;
  g_autoptr(PpmStoreUser) user = rate_begin(request, id);
  g_auto(PpmStorePage) page = { 0 };
  const PpmStoreSessionItem *session;
  g_autoptr(GError) error = NULL;

  if (user == NULL)
    return;
  session = session_find(store, user, id, &page, &error);
  if (session != NULL && session->periods_charged == 0)
    ppm_web_respond_message(request, 200, user, _(RATE_TITLE), _(UNPAID_WORDS));
  else if (session != NULL)
    rate_render(request, 200, user, id, session, NULL, "");
  else if (error != NULL)
    ppm_web_respond_message(request, 500, user, _(RATE_TITLE), _(PPM_WEB_PROBLEM));
  else
    ppm_web_respond_message(request, 404, user, _(RATE_TITLE), _(NO_SUCH_CALL));
}

/* A browser sends a textarea's line breaks as CRLF; count them as one
 * character each, as the textarea's maxlength does. */
static char *
comment_normalize(const char *text)
{
  g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);

  return g_strjoinv("\n", lines);
}

/* Stores the rating; returns the problem for the page (NULL on success) and
 * sets *status, and *fixable when the form is worth showing again. */
static const char *
rate_store(PpmHttpRequest *request, const PpmStoreUser *user, const char *id, GHashTable *form,
           const char *comment, guint *status, gboolean *fixable)
{
  PpmStore *store = ppm_http_request_get_platform(request)->store;
  gint64 stars = 0;
  g_autoptr(GError) error = NULL;

  *status = 422;
  *fixable = TRUE;
  if (!g_ascii_string_to_signed(ppm_web_field(form, "stars"), 10, 1, 5, &stars, NULL))
    return _("Choose from 1 to 5 stars.");
  if (!ppm_comment_valid(comment))
    return _("The comment can have at most 500 characters.");
  if (ppm_store_session_rate(store, user->id, id, (int)stars, *comment != '\0' ? comment : NULL,
                               ppm_http_request_get_time_ms(request), &error))
    {
      *status = 200;
      return NULL;
    }
  *status = ppm_store_error_status(error);
  *fixable = FALSE;
  if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID))
    return _(UNPAID_WORDS);
  if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_ALREADY_RATED))
    return _("You have rated this show already. Thank you!");
  if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
    return _(NO_SUCH_CALL);
  g_warning("rating failed: %s", error->message);
  return _(PPM_WEB_PROBLEM);
}

void
ppm_web_rate_post(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = rate_begin(request, id);
  GHashTable *form = user != NULL ? ppm_web_post_form(request, user) : NULL;
  g_autofree char *comment = NULL;
  const char *problem;
  guint status;
  gboolean fixable;

  if (form == NULL)
    return;
  comment = comment_normalize(ppm_web_field(form, "comment"));
  problem = rate_store(request, user, id, form, comment, &status, &fixable);
  if (problem == NULL)
    ppm_web_respond_message(request, 200, user, _("Thank you"),
                            _("Your rating was saved. Thank you for telling us about the show."));
  else if (fixable)
    rate_render(request, status, user, id, NULL, problem, comment);
  else
    ppm_web_respond_message(request, status, user, _(RATE_TITLE), problem);
}
