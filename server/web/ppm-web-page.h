/* Building the account pages: HTML with every value escaped, links from
 * --public-url, the shared layout, and the steps every page handler takes.
 */
#pragma once

#include "ppm-http.h"
#include "ppm-web-lang.h"

G_BEGIN_DECLS

/* What a page says when the store failed; translate with _(). */
#define PPM_WEB_PROBLEM N_("Something went wrong on our side. Try again later.")

/* Appends printf-style text where every string argument is HTML-escaped
 * (g_markup_vprintf_escaped()): the one way text reaches a page. */
void ppm_web_append(GString *html, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* --public-url + `path` (which starts with "/"). */
char *ppm_web_url(PpmHttpRequest *request, const char *path);
/* An amount of the platform's currency for people, by core/money's
 * formatter in the page's language: "$20.00", "−$2.00", "2,00 €". */
char *ppm_web_money(PpmHttpRequest *request, gint64 minor);
/* In the request's time zone and the page's language: "27 Nov 2026, 13:05
 * UTC", "27.11.2026, 14:05 CET". */
char *ppm_web_time(PpmHttpRequest *request, gint64 ms);
/* `next` when it is a page of this site under /account/ (so a parameter
 * cannot send people elsewhere), else the payment history. */
const char *ppm_web_next_page(const char *next);

/* Opens a POST form to `path` with its CSRF field; close it with "</form>". */
void ppm_web_form_begin(GString *html, PpmHttpRequest *request, const char *path,
                        gboolean signed_in);
/* A message box: `error` TRUE for a problem, FALSE for a confirmation. */
void ppm_web_append_message(GString *html, gboolean error, const char *message);

/* Answers with the layout around `content` (already HTML); `user` (may be
 * NULL) decides the navigation. */
void ppm_web_respond_page(PpmHttpRequest *request, guint status, const PpmStoreUser *user,
                          const char *title, const char *content);
/* A page that only says `message`. */
void ppm_web_respond_message(PpmHttpRequest *request, guint status, const PpmStoreUser *user,
                             const char *title, const char *message);
/* 303 to --public-url + `path`. */
void ppm_web_redirect(PpmHttpRequest *request, const char *path);

/* The signed-in user, or NULL after answering with a redirect to the sign-in
 * page that comes back to this page. */
PpmStoreUser *ppm_web_require_user(PpmHttpRequest *request);
/* The decoded form of a POST whose CSRF token is valid, or NULL after
 * answering 400 (not a UTF-8 form) or 403 (no valid token). */
GHashTable *ppm_web_post_form(PpmHttpRequest *request, const PpmStoreUser *user);
/* A form field as sent; "" when absent. */
const char *ppm_web_field(GHashTable *form, const char *name);

G_END_DECLS
