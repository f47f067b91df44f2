#include "ppm-web-lang.h"

#include <libintl.h>
#include <string.h>

#include "ppm-web-session.h"
#include "ppm-web.h"

#ifndef PPM_LOCALEDIR
#error "PPM_LOCALEDIR must be defined by the build"
#endif

#define LANGUAGE_COOKIE "ppm_lang"
#define ZONE_COOKIE "ppm_tz"
/* A year: a preference, not a secret. */
#define PREFERENCE_COOKIE_SECONDS (365 * 24 * 3600)
/* Enough for any browser's list; the rest of a hostile header is not read. */
#define ACCEPT_LANGUAGE_MAX_ENTRIES 64
/* RFC 9110 weights, in thousandths. */
#define WEIGHT_MAX 1000

/* English, then po/LINGUAS with the locales tools/install-deps generates.
 * English writes money in the C style with the typographic minus, which
 * pages can show; the others as their locale does (ppm_web_languages_init()). */
static PpmWebLanguage languages[] = {
  { "en", "C", "English", 0, 0, { ".", "", FALSE, "−", FALSE } },
  { "de", "de_DE.UTF-8", "Deutsch", 0, 0, { 0 } },
  { "es", "es_ES.UTF-8", "Español", 0, 0, { 0 } },
  { "pt-BR", "pt_BR.UTF-8", "Português (Brasil)", 0, 0, { 0 } },
  { "ro", "ro_RO.UTF-8", "Română", 0, 0, { 0 } },
  { "ru", "ru_RU.UTF-8", "Русский", 0, 0, { 0 } },
};

static _Thread_local const PpmWebLanguage *current;

const PpmWebLanguage *
ppm_web_languages(gsize *n)
{
  *n = G_N_ELEMENTS(languages);
  return languages;
}

/* The locale a page renders under: the language's words (LC_MESSAGES) and
 * month names (LC_TIME) on top of the C locale, so that numbers the store
 * and libraries print or parse on this thread stay in the C conventions. */
static locale_t
render_locale_new(const char *name)
{
  locale_t base = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  locale_t locale;

  if (base == (locale_t)0 || g_str_equal(name, "C"))
    return base;
  locale = newlocale(LC_MESSAGES_MASK | LC_TIME_MASK, name, base);
  if (locale == (locale_t)0)
    freelocale(base);
  return locale;
}

void
ppm_web_languages_init(void)
{
  const char *localedir = g_getenv("PPM_LOCALEDIR");

  g_unsetenv("LANGUAGE");
  bindtextdomain(GETTEXT_PACKAGE, localedir != NULL ? localedir : PPM_LOCALEDIR);
  bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
  for (gsize i = 0; i < G_N_ELEMENTS(languages); i++)
    {
      PpmWebLanguage *language = &languages[i];

      language->locale_object = render_locale_new(language->locale);
      if (i > 0 && language->locale_object != (locale_t)0)
        language->money_locale = newlocale(LC_MONETARY_MASK, language->locale, (locale_t)0);
      if (i > 0 && language->money_locale == (locale_t)0)
        {
          g_warning("locale %s is not installed: pages in %s fall back to English",
                    language->locale, language->name);
          g_clear_pointer(&language->locale_object, freelocale);
          continue;
        }
      if (i > 0)
        ppm_money_style_from_locale_l(&language->money, language->money_locale);
    }
}

const PpmWebLanguage *
ppm_web_language_find(const char *tag)
{
  for (gsize i = 0; tag != NULL && i < G_N_ELEMENTS(languages); i++)
    if (g_ascii_strcasecmp(languages[i].tag, tag) == 0)
      return &languages[i];
  return NULL;
}

/* "1*8ALPHA *("-" 1*8alphanum)" or "*". */
static gboolean
range_valid(const char *range, gsize length)
{
  gsize run = 0;

  if (length == 1 && range[0] == '*')
    return TRUE;
  for (gsize i = 0; i < length; i++)
    {
      if (range[i] == '-' && run > 0 && i + 1 < length)
        run = 0;
      else if ((g_ascii_isalpha(range[i]) || (g_ascii_isdigit(range[i]) && i > run)) && run < 8)
        run++;
      else
        return FALSE;
    }
  return run > 0;
}

/* The weight of ";q=..." parameters `text` (may be empty) in thousandths,
 * or -1 when it is not exactly one well-formed weight. */
static int
weight_parse(const char *text, gsize length)
{
  const char *end = text + length;
  int weight = 0, scale = 100;

  while (text < end && (*text == ' ' || *text == '\t'))
    text++;
  if (text == end)
    return WEIGHT_MAX;
  if (*text++ != ';')
    return -1;
  while (text < end && (*text == ' ' || *text == '\t'))
    text++;
  if (end - text < 3 || g_ascii_tolower(text[0]) != 'q' || text[1] != '=')
    return -1;
  text += 2;
  while (end > text && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  if (*text != '0' && *text != '1')
    return -1;
  weight = (*text++ - '0') * WEIGHT_MAX;
  if (text < end && *text++ != '.')
    return -1;
  if (end - text > 3)
    return -1;
  for (; text < end; text++, scale /= 10)
    {
      if (!g_ascii_isdigit(*text))
        return -1;
      weight += (*text - '0') * scale;
    }
  return weight <= WEIGHT_MAX ? weight : -1;
}

/* The shipped language whose primary subtag `range` has. */
static const PpmWebLanguage *
range_language(const char *range, gsize length)
{
  gsize primary = 0;

  if (length == 1 && range[0] == '*')
    return &languages[0];
  while (primary < length && range[primary] != '-')
    primary++;
  for (gsize i = 0; i < G_N_ELEMENTS(languages); i++)
    {
      const char *tag = languages[i].tag;
      gsize tag_primary = strcspn(tag, "-");

      if (tag_primary == primary && g_ascii_strncasecmp(tag, range, primary) == 0)
        return &languages[i];
    }
  return NULL;
}

const PpmWebLanguage *
ppm_web_language_negotiate(const char *accept_language)
{
  const PpmWebLanguage *best = NULL;
  int best_weight = 0;
  const char *entry = accept_language;

  for (guint n = 0; entry != NULL && n < ACCEPT_LANGUAGE_MAX_ENTRIES; n++)
    {
      const char *comma = strchr(entry, ',');
      gsize length = comma != NULL ? (gsize)(comma - entry) : strlen(entry);
      gsize start = 0, range_end;
      const PpmWebLanguage *language;
      int weight;

      while (start < length && (entry[start] == ' ' || entry[start] == '\t'))
        start++;
      range_end = start;
      while (range_end < length && entry[range_end] != ';' && entry[range_end] != ' '
             && entry[range_end] != '\t')
        range_end++;
      weight = weight_parse(entry + range_end, length - range_end);
      if (range_end > start && weight > best_weight && range_valid(entry + start, range_end - start)
          && (language = range_language(entry + start, range_end - start)) != NULL)
        {
          best = language;
          best_weight = weight;
        }
      entry = comma != NULL ? comma + 1 : NULL;
    }
  return best;
}

static const PpmWebLanguage *
request_language(PpmHttpRequest *request)
{
  const PpmWebLanguage *chosen
      = ppm_web_language_find(ppm_http_request_get_cookie(request, LANGUAGE_COOKIE));

  if (chosen == NULL)
    chosen = ppm_web_language_negotiate(ppm_http_request_get_header(request, "Accept-Language"));
  if (chosen == NULL || chosen->locale_object == (locale_t)0)
    chosen = &languages[0];
  return chosen;
}

void
ppm_web_language_run(PpmHttpRequest *request,
                     void (*handle)(PpmHttpRequest *request, const char *id), const char *id)
{
  const PpmWebLanguage *language = request_language(request);
  locale_t before;

  /* English's locale object is missing only when the server was not
   * started through ppm_web_languages_init() (tests of single pieces). */
  if (language->locale_object == (locale_t)0)
    {
      handle(request, id);
      return;
    }
  before = uselocale(language->locale_object);
  current = language;
  handle(request, id);
  current = NULL;
  uselocale(before);
}

const PpmWebLanguage *
ppm_web_language_current(void)
{
  return current != NULL ? current : &languages[0];
}

void
ppm_web_language_remember(PpmHttpRequest *request, const PpmWebLanguage *language)
{
  ppm_web_cookie_set(request, LANGUAGE_COOKIE, language->tag, PREFERENCE_COOKIE_SECONDS);
}

/* The zone `identifier` names, NULL unless it is a plain zone name GLib
 * knows.  Only names: GLib also takes offsets ("+02:00") and file paths. */
static GTimeZone *
time_zone_named(const char *identifier)
{
  if (identifier == NULL || *identifier == '\0' || strlen(identifier) > 64
      || (!g_ascii_isalpha(identifier[0]))
      || strspn(identifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-+")
             != strlen(identifier)
      || strstr(identifier, "..") != NULL)
    return NULL;
  return g_time_zone_new_identifier(identifier);
}

gboolean
ppm_web_time_zone_valid(const char *identifier)
{
  g_autoptr(GTimeZone) zone = time_zone_named(identifier);
  return zone != NULL;
}

GTimeZone *
ppm_web_time_zone(PpmHttpRequest *request)
{
  GTimeZone *zone = time_zone_named(ppm_http_request_get_cookie(request, ZONE_COOKIE));
  return zone != NULL ? zone : g_time_zone_new_utc();
}

void
ppm_web_time_zone_remember(PpmHttpRequest *request, const char *identifier)
{
  ppm_web_cookie_set(request, ZONE_COOKIE, identifier, PREFERENCE_COOKIE_SECONDS);
}
