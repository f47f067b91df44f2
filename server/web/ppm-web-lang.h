/* The language and time zone of the account pages.
 *
 * A page speaks the language of the browser's "ppm_lang" cookie (set by the
 * chooser every page carries), else the best of Accept-Language (RFC 9110
 * weights), else English.  The shipped languages are English and those of
 * po/LINGUAS, from the same catalogue ("purple-ppm") as the plugin.
 *
 * Threads: every request is handled on a worker thread, many at once in
 * different languages.  setlocale() and the LANGUAGE variable are
 * process-wide, so a page is rendered under uselocale() with its language's
 * own locale object (newlocale(), made once at start and never freed):
 * glibc's dgettext() and strftime() read that thread's locale only.  LANGUAGE would override
 * LC_MESSAGES for every thread, so the server drops it at start, before any thread runs.
 */
#pragma once

#include <libintl.h>
#include <locale.h>

#include "ppm-http.h"
#include "ppm-money.h"

G_BEGIN_DECLS

#define _(text) dgettext(GETTEXT_PACKAGE, text)
#define N_(text) text

typedef struct
{
  const char *tag;    /* BCP 47, as in html lang and the cookie: "de", "pt-BR" */
  const char *locale; /* the C library's locale: "de_DE.UTF-8" */
  const char *name;   /* in its own language, for the chooser: "Deutsch" */
  /* Set by ppm_web_languages_init(); locale_object 0 when the C library
   * lacks the locale (the language is then not offered).  Pages render
   * under locale_object (the language's LC_MESSAGES and LC_TIME over C);
   * `money` comes from money_locale's LC_MONETARY, which holds its strings. */
  locale_t locale_object;
  locale_t money_locale;
  PpmMoneyStyle money;
} PpmWebLanguage;

/* English first, then po/LINGUAS's languages; `n` gets the count. */
const PpmWebLanguage *ppm_web_languages(gsize *n);

/* The shipped language whose primary subtag the best-weighted range of an
 * Accept-Language value names ("de-AT" → de, "pt" → pt-BR, "*" → en);
 * NULL when none does.  Ranges with weight 0, a malformed range or weight,
 * and entries after the 64th are ignored; ties go to the earlier range. */
const PpmWebLanguage *ppm_web_language_negotiate(const char *accept_language);
/* The shipped language of exactly `tag` (case-insensitive); NULL for
 * others. */
const PpmWebLanguage *ppm_web_language_find(const char *tag);

/* Runs `handle` in the request's language (cookie, else Accept-Language,
 * else English) on this thread. */
void ppm_web_language_run(PpmHttpRequest *request,
                          void (*handle)(PpmHttpRequest *request, const char *id), const char *id);
/* The language of the page being rendered on this thread. */
const PpmWebLanguage *ppm_web_language_current(void);
/* Sets the language cookie to `language`. */
void ppm_web_language_remember(PpmHttpRequest *request, const PpmWebLanguage *language);

/* The request's time zone: the "ppm_tz" cookie when it names an IANA zone,
 * else UTC. */
GTimeZone *ppm_web_time_zone(PpmHttpRequest *request);
/* Whether `identifier` is an IANA zone name the server knows. */
gboolean ppm_web_time_zone_valid(const char *identifier);
/* Sets the time-zone cookie. */
void ppm_web_time_zone_remember(PpmHttpRequest *request, const char *identifier);

G_END_DECLS
