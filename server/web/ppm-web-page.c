#include "ppm-web-page.h"

#include <stdarg.h>
#include <string.h>

#include "ppm-money.h"
#include "ppm-web-lang.h"
#include "ppm-web-session.h"

#define HOME_PATH "/account/payments/history"

/* One inline style sheet: no external assets; one column that fits a phone,
 * wider tables scroll inside their box instead of the page. */
static const char page_style[]
    = ":root{--ink:#1f1b2d;--muted:#6b6680;--brand:#5b34a8;--line:#e5e1ee;--bg:#f5f3fa;"
      "--bad:#b3261e;--ok:#1b7345}"
      "*{box-sizing:border-box}"
      "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
      "color:var(--ink);background:var(--bg)}"
      "header{background:var(--brand);color:#fff}"
      ".bar{max-width:46rem;margin:0 auto;padding:.7rem 1rem;display:flex;flex-wrap:wrap;"
      "gap:.5rem 1rem;align-items:center;justify-content:space-between}"
      ".brand{font-weight:700;font-size:1.1rem;color:#fff;text-decoration:none}"
      "nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}"
      "nav a{color:#fff}nav form{margin:0}"
      "nav button{font:inherit;color:#fff;background:none;border:1px solid rgba(255,255,255,.7);"
      "border-radius:.4rem;padding:.15rem .6rem;cursor:pointer}"
      "main{max-width:46rem;margin:1.5rem auto;padding:0 1rem}"
      ".card{background:#fff;border:1px solid var(--line);border-radius:.8rem;padding:1.25rem;"
      "box-shadow:0 1px 3px rgba(30,20,60,.06);overflow-x:auto}"
      ".narrow{max-width:27rem;margin:0 auto}"
      "h1{font-size:1.45rem;margin:0 0 1rem}"
      "h2{font-size:1.1rem;margin:1.4rem 0 .4rem}"
      "select{padding:.5rem;font:inherit;border:1px solid #c8c2d8;border-radius:.5rem}"
      "form button:not(.primary){font:inherit;padding:.3rem .8rem;margin-top:.5rem;"
      "color:var(--brand);background:#fff;border:1px solid var(--brand);border-radius:.4rem;"
      "cursor:pointer}td form{margin:0}td form button:not(.primary){margin:0}"
      "label,legend{display:block;font-weight:600;margin:.9rem 0 .3rem}"
      "input[type=email],input[type=text],input[type=password],textarea{width:100%;"
      "padding:.6rem .7rem;font:inherit;border:1px solid #c8c2d8;border-radius:.5rem}"
      "input:focus,textarea:focus{outline:2px solid var(--brand);outline-offset:1px}"
      "textarea{min-height:6rem;resize:vertical}"
      ".hint{color:var(--muted);font-size:.875rem;margin:.3rem 0 0}"
      ".primary{display:block;width:100%;margin-top:1.3rem;padding:.7rem;font:inherit;"
      "font-weight:600;color:#fff;background:var(--brand);border:0;border-radius:.5rem;"
      "cursor:pointer}"
      ".msg{padding:.7rem .9rem;border-radius:.5rem;margin:0 0 1rem}"
      ".msg.error{background:#fdecea;color:var(--bad);border:1px solid #f3c5c0}"
      ".msg.ok{background:#e7f4ec;color:var(--ok);border:1px solid #bde0cb}"
      ".after{text-align:center;color:var(--muted);margin:1rem 0 0}"
      ".tiles{display:flex;flex-wrap:wrap;gap:1rem;margin:0 0 1rem}"
      ".tile{flex:1 1 9rem;background:#fff;border:1px solid var(--line);border-radius:.8rem;"
      "padding:1rem 1.25rem}"
      ".tile span{display:block;color:var(--muted);font-size:.875rem}"
      ".tile strong{font-size:1.6rem}"
      "table{width:100%;border-collapse:collapse}"
      "th,td{padding:.6rem .4rem;border-bottom:1px solid var(--line);text-align:left;"
      "vertical-align:top}"
      "th{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}"
      ".num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
      ".neg{color:var(--bad)}.pos{color:var(--ok)}"
      ".sub{display:block;color:var(--muted);font-size:.85rem}"
      ".empty{margin:0}"
      ".crumbs{margin:0 0 .2rem;color:var(--muted);font-size:.85rem}"
      ".pager{display:flex;justify-content:space-between;gap:1rem;margin-top:1rem}"
      "fieldset{border:0;padding:0;margin:0}"
      ".stars{display:inline-flex;flex-direction:row-reverse;gap:.2rem}"
      ".stars input{position:absolute;opacity:0;width:1px;height:1px}"
      ".stars label{margin:0;font-size:2.2rem;line-height:1;color:#cfc9dc;cursor:pointer}"
      ".stars input:checked~label,.stars label:hover,.stars label:hover~label{color:#f0a500}"
      ".stars input:focus-visible+label{outline:2px solid var(--brand)}"
      "footer{max-width:46rem;margin:0 auto 1.5rem;padding:0 1rem;color:var(--muted);"
      "font-size:.875rem}footer form{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}"
      "footer label{display:inline;font-weight:400;margin:0}"
      "footer select{padding:.2rem .4rem}footer button:not(.primary){margin:0}"
      "@media (max-width:30rem){main{margin-top:1rem}.card{padding:1rem .8rem}}";

void
ppm_web_append(GString *html, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start(args, format);
  text = g_markup_vprintf_escaped(format, args);
  va_end(args);
  g_string_append(html, text);
}

char *
ppm_web_url(PpmHttpRequest *request, const char *path)
{
  const char *base = ppm_http_request_get_platform(request)->billing.public_url;
  gsize length = strlen(base);

  while (length > 0 && base[length - 1] == '/')
    length--;
  return g_strdup_printf("%.*s%s", (int)length, base, path);
}

char *
ppm_web_money(PpmHttpRequest *request, gint64 minor)
{
  PpmMoney money = ppm_money_of(minor, ppm_http_request_get_platform(request)->store->currency);

  return ppm_money_format_styled(&money, &ppm_web_language_current()->money);
}

char *
ppm_web_time(PpmHttpRequest *request, gint64 ms)
{
  g_autoptr(GTimeZone) zone = ppm_web_time_zone(request);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone(utc, zone) : NULL;
  struct tm tm = { 0 };
  char text[128];

  if (local == NULL)
    return g_strdup("");
  tm.tm_year = g_date_time_get_year(local) - 1900;
  tm.tm_mon = g_date_time_get_month(local) - 1;
  tm.tm_mday = g_date_time_get_day_of_month(local);
  tm.tm_hour = g_date_time_get_hour(local);
  tm.tm_min = g_date_time_get_minute(local);
  tm.tm_sec = g_date_time_get_second(local);
  tm.tm_wday = g_date_time_get_day_of_week(local) % 7;
  tm.tm_yday = g_date_time_get_day_of_year(local) - 1;
  /* Month names come from the page's locale (this thread's, uselocale()). */
  /* TRANSLATORS: how the pages write a date and time, in strftime() terms;
   * the zone's abbreviation follows.  German: "%d.%m.%Y, %H:%M".
   * xgettext:no-c-format */
  if (strftime(text, sizeof text, _("%d %b %Y, %H:%M"), &tm) == 0)
    return g_strdup("");
  return g_strdup_printf("%s %s", text, g_date_time_get_timezone_abbreviation(local));
}

const char *
ppm_web_next_page(const char *next)
{
  if (next == NULL || !g_str_has_prefix(next, "/account/") || strstr(next, "..") != NULL
      || strspn(next, "abcdefghijklmnopqrstuvwxyz0123456789/_-.") != strlen(next))
    return HOME_PATH;
  return next;
}

void
ppm_web_form_begin(GString *html, PpmHttpRequest *request, const char *path, gboolean signed_in)
{
  g_autofree char *action = ppm_web_url(request, path);
  g_autofree char *csrf = ppm_web_csrf_token(request, signed_in);

  ppm_web_append(html,
                 "<form method=\"post\" action=\"%s\">"
                 "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
                 action, csrf);
}

void
ppm_web_append_message(GString *html, gboolean error, const char *message)
{
  ppm_web_append(html, "<p class=\"msg %s\" role=\"%s\">%s</p>", error ? "error" : "ok",
                 error ? "alert" : "status", message);
}

static void
append_navigation(GString *html, PpmHttpRequest *request, const PpmStoreUser *user)
{
  g_autofree char *history = ppm_web_url(request, "/account/payments/history");
  g_autofree char *password = ppm_web_url(request, "/account/password");
  g_autofree char *settings = ppm_web_url(request, "/account/settings");
  g_autofree char *login = ppm_web_url(request, "/account/login");
  g_autofree char *signup = ppm_web_url(request, "/account/signup");

  ppm_web_append(html, "<header><div class=\"bar\"><a class=\"brand\" href=\"%s\">%s</a><nav>",
                 user != NULL ? history : login, "purple-ppm");
  if (user == NULL)
    {
      ppm_web_append(html, "<a href=\"%s\">%s</a><a href=\"%s\">%s</a>", login, _("Sign in"),
                     signup, _("Create account"));
    }
  else
    {
      ppm_web_append(html, "<span>%s</span><a href=\"%s\">%s</a>", user->display_name, history,
                     _("History"));
      if (user->role == PPM_ROLE_MEMBER)
        ppm_web_append(html, "<a href=\"%s\">%s</a>", settings, _("Settings"));
      ppm_web_append(html, "<a href=\"%s\">%s</a>", password, _("Password"));
      ppm_web_form_begin(html, request, "/account/logout", TRUE);
      ppm_web_append(html, "<button type=\"submit\">%s</button></form>", _("Sign out"));
    }
  g_string_append(html, "</nav></div></header>");
}

/* The language chooser every page carries: a form that sets the language
 * cookie and comes back to this page. */
static void
append_chooser(GString *html, PpmHttpRequest *request, const PpmStoreUser *user)
{
  const PpmWebLanguage *current = ppm_web_language_current();
  gsize n;
  const PpmWebLanguage *languages = ppm_web_languages(&n);

  g_string_append(html, "<footer>");
  ppm_web_form_begin(html, request, "/account/language", user != NULL);
  ppm_web_append(html,
                 "<input type=\"hidden\" name=\"next\" value=\"%s\">"
                 "<label for=\"lang\">%s</label><select id=\"lang\" name=\"lang\">",
                 ppm_web_next_page(ppm_http_request_get_path(request)), _("Language"));
  for (gsize i = 0; i < n; i++)
    if (languages[i].locale_object != (locale_t)0)
      ppm_web_append(html, "<option value=\"%s\" lang=\"%s\"%s>%s</option>", languages[i].tag,
                     languages[i].tag, &languages[i] == current ? " selected" : "",
                     languages[i].name);
  ppm_web_append(html, "</select><button type=\"submit\">%s</button></form></footer>", _("Change"));
}

void
ppm_web_respond_page(PpmHttpRequest *request, guint status, const PpmStoreUser *user,
                     const char *title, const char *content)
{
  g_autoptr(GString) html = g_string_new(NULL);

  const char *lang = ppm_web_language_current()->tag;

  ppm_web_append(html,
                 "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 "<meta name=\"referrer\" content=\"same-origin\">"
                 "<title>%s · purple-ppm</title>",
                 lang, title);
  /* Style text is not markup: entities would not be decoded inside it. */
  g_string_append_printf(html, "<style>%s</style></head><body>", page_style);
  append_navigation(html, request, user);
  g_string_append(html, "<main>");
  g_string_append(html, content);
  g_string_append(html, "</main>");
  append_chooser(html, request, user);
  g_string_append(html, "</body></html>");
  ppm_http_add_header(request, "Content-Language", lang);
  ppm_http_add_header(request, "Vary", "Accept-Language, Cookie");
  ppm_http_add_header(request, "X-Frame-Options", "DENY");
  ppm_http_add_header(request, "Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                      "frame-ancestors 'none'; base-uri 'none'");
  ppm_http_respond_html(request, status, html->str);
}

void
ppm_web_respond_message(PpmHttpRequest *request, guint status, const PpmStoreUser *user,
                        const char *title, const char *message)
{
  g_autoptr(GString) content = g_string_new(NULL);

  ppm_web_append(content, "<div class=\"card narrow\"><h1>%s</h1>", title);
  ppm_web_append_message(content, status >= 400, message);
  g_string_append(content, "</div>");
  if (user != NULL)
    {
      g_autofree char *history = ppm_web_url(request, "/account/payments/history");

      ppm_web_append(content, "<p class=\"after\"><a href=\"%s\">%s</a></p>", history,
                     _("Back to the payment history"));
    }
  ppm_web_respond_page(request, status, user, title, content->str);
}

void
ppm_web_redirect(PpmHttpRequest *request, const char *path)
{
  g_autofree char *location = ppm_web_url(request, path);

  ppm_http_respond_redirect(request, location);
}

PpmStoreUser *
ppm_web_require_user(PpmHttpRequest *request)
{
  PpmStoreUser *user = ppm_web_session_user(request);
  g_autofree char *next = NULL;
  g_autofree char *path = NULL;

  if (user != NULL)
    return user;
  next = g_uri_escape_string(ppm_http_request_get_path(request), NULL, FALSE);
  path = g_strconcat("/account/login?next=", next, NULL);
  ppm_web_redirect(request, path);
  return NULL;
}

static gboolean
form_text_valid(GHashTable *form)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init(&iter, form);
  while (g_hash_table_iter_next(&iter, &key, &value))
    if (!g_utf8_validate(key, -1, NULL) || !g_utf8_validate(value, -1, NULL))
      return FALSE;
  return TRUE;
}

GHashTable *
ppm_web_post_form(PpmHttpRequest *request, const PpmStoreUser *user)
{
  GHashTable *form = ppm_http_request_get_form(request);

  /* Values are echoed into pages and stored: only valid UTF-8 goes on. */
  if (form == NULL || !form_text_valid(form))
    {
      ppm_web_respond_message(request, 400, user, _("Unreadable form"),
                              _("The form could not be read. Go back, reload the page and try "
                                "again."));
      return NULL;
    }
  if (!ppm_web_csrf_valid(request, form, user != NULL))
    {
      ppm_web_respond_message(request, 403, user, _("Form expired"),
                              _("This form has expired or did not come from this site. "
                                "Go back, reload the page and try again (cookies must be on)."));
      return NULL;
    }
  return form;
}

const char *
ppm_web_field(GHashTable *form, const char *name)
{
  const char *value = g_hash_table_lookup(form, name);

  return value != NULL ? value : "";
}
