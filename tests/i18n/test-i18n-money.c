/* Money in the chat lines follows the locale: its separators, and the symbol
 * where the locale puts it.  glibc's LC_MONETARY for es_ES and de_DE:
 * mon_decimal_point ",", mon_thousands_sep ".", p_cs_precedes 0 (symbol
 * after), p_sep_by_space 1 (one space), so strfmon writes "1.234,50 €".
 * Each test needs its locale generated (locale-gen) or is skipped. */
#include "ppm-money.h"
#include "ppm-test-missing.h"
#include "ppm-text.h"

#include <locale.h>

typedef struct
{
  const char *locale;
  gint64 minor;
  const char *currency;
  const char *expected;
} MoneyCase;

static const MoneyCase cases[] = {
  { "es_ES.UTF-8", 200, "EUR", "2,00 €" },          { "es_ES.UTF-8", 200, "USD", "2,00 $" },
  { "es_ES.UTF-8", 123450, "EUR", "1.234,50 €" },   { "es_ES.UTF-8", 500, "JPY", "500 ¥" },
  { "de_DE.UTF-8", 200, "EUR", "2,00 €" },          { "de_DE.UTF-8", 123450, "USD", "1.234,50 $" },
  { "de_DE.UTF-8", 1234567, "EUR", "12.345,67 €" }, { "C.UTF-8", 200, "USD", "$2.00" },
  { "C.UTF-8", 123450, "EUR", "€1234.50" },
};

static void
test_money_case(gconstpointer data)
{
  const MoneyCase *c = data;

  if (setlocale(LC_ALL, c->locale) == NULL)
    {
      g_autofree char *what = g_strdup_printf("locale %s is not generated", c->locale);

      ppm_test_missing(what);
      return;
    }
  g_autofree char *text = ppm_text_money(c->minor, c->currency);
  setlocale(LC_ALL, "C.UTF-8");
  g_assert_cmpstr(text, ==, c->expected);
}

/* The same conventions read from a locale object (the web pages' way, one
 * locale per request on a thread of its own), each currency as its
 * country's locale writes it.  glibc's ro_RO puts the symbol first, spaced
 * (p_cs_precedes 1, p_sep_by_space 1): "lei 2,00". */
static const MoneyCase locale_l_cases[] = {
  { "de_DE.UTF-8", 200, "EUR", "2,00 €" },   { "pt_BR.UTF-8", 200, "BRL", "R$ 2,00" },
  { "ro_RO.UTF-8", 200, "RON", "lei 2,00" }, { "ru_RU.UTF-8", 200, "RUB", "2,00 ₽" },
  { "es_ES.UTF-8", 200, "EUR", "2,00 €" },   { "C.UTF-8", 200, "USD", "$2.00" },
};

static void
test_money_locale_l_case(gconstpointer data)
{
  const MoneyCase *c = data;
  locale_t locale = newlocale(LC_MONETARY_MASK | LC_NUMERIC_MASK, c->locale, (locale_t)0);
  PpmMoneyStyle style;
  PpmMoney money = ppm_money_of(c->minor, c->currency);
  g_autofree char *text = NULL;

  if (locale == (locale_t)0)
    {
      g_autofree char *what = g_strdup_printf("locale %s is not generated", c->locale);

      ppm_test_missing(what);
      return;
    }
  ppm_money_style_from_locale_l(&style, locale);
  text = ppm_money_format_styled(&money, &style);
  freelocale(locale);
  g_assert_cmpstr(text, ==, c->expected);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(locale_l_cases); i++)
    {
      g_autofree char *path = g_strdup_printf("/i18n/money-locale-object/%s/%s",
                                              locale_l_cases[i].locale, locale_l_cases[i].currency);
      g_test_add_data_func(path, &locale_l_cases[i], test_money_locale_l_case);
    }
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_autofree char *path = g_strdup_printf("/i18n/money/%s/%" G_GINT64_FORMAT "-%s",
                                              cases[i].locale, cases[i].minor, cases[i].currency);
      g_test_add_data_func(path, &cases[i], test_money_case);
    }
  return g_test_run();
}
