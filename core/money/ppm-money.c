/* Money parsing and formatting. */
/* nl_langinfo_l()'s LC_MONETARY items (MON_DECIMAL_POINT, ...) are GNU. */
#define _GNU_SOURCE
#include "ppm-money.h"

#include <langinfo.h>
#include <locale.h>
#include <string.h>

GQuark
ppm_money_error_quark(void)
{
  return g_quark_from_static_string("ppm-money-error-quark");
}

typedef struct
{
  const char *code;
  int minor_digits;
  const char *symbol; /* NULL: written as the code */
} PpmCurrency;

static const PpmCurrency currencies[] = {
  { "USD", 2, "$" },   { "EUR", 2, "€" },   { "GBP", 2, "£" },  { "JPY", 0, "¥" },
  { "CHF", 2, NULL },  { "CAD", 2, "CA$" }, { "AUD", 2, "A$" }, { "NZD", 2, "NZ$" },
  { "SEK", 2, NULL },  { "NOK", 2, NULL },  { "DKK", 2, NULL }, { "PLN", 2, "zł" },
  { "CZK", 2, "Kč" },  { "HUF", 2, "Ft" },  { "BRL", 2, "R$" }, { "MXN", 2, "MX$" },
  { "INR", 2, "₹" },   { "CNY", 2, "CN¥" }, { "KRW", 0, "₩" },  { "ISK", 0, NULL },
  { "KWD", 3, NULL },  { "BHD", 3, NULL },  { "TND", 3, NULL }, { "RUB", 2, "₽" },
  { "TRY", 2, "₺" },   { "ILS", 2, "₪" },   { "ZAR", 2, "R" },  { "SGD", 2, "S$" },
  { "HKD", 2, "HK$" }, { "RON", 2, "lei" },
};

const PpmMoneyStyle ppm_money_style_c = { ".", "", FALSE, "-", FALSE };

static const PpmCurrency *
currency_find(const char *code)
{
  if (code == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS(currencies); i++)
    if (strcmp(currencies[i].code, code) == 0)
      return &currencies[i];
  return NULL;
}

PpmMoney
ppm_money_of(gint64 minor, const char *currency)
{
  PpmMoney money = { .minor = minor };

  g_strlcpy(money.currency, currency, sizeof money.currency);
  return money;
}

int
ppm_currency_minor_digits(const char *code)
{
  const PpmCurrency *c = currency_find(code);

  return c != NULL ? c->minor_digits : -1;
}

gint64
ppm_money_unit(int digits)
{
  gint64 unit = 1;

  g_return_val_if_fail(digits >= 0 && digits <= 18, 1);
  for (int i = 0; i < digits; i++)
    unit *= 10;
  return unit;
}

const char *
ppm_currency_symbol(const char *code)
{
  const PpmCurrency *c = currency_find(code);

  return c != NULL ? c->symbol : NULL;
}

/* Shifts the `n` decimal digits at `digits` into *acc, failing on overflow. */
static gboolean
accumulate_digits(const char *digits, gsize n, gint64 *acc)
{
  for (gsize i = 0; i < n; i++)
    if (!ppm_int64_mul_checked(*acc, 10, acc) || !ppm_int64_add_checked(*acc, digits[i] - '0', acc))
      return FALSE;
  return TRUE;
}

gboolean
ppm_money_parse(const char *text, const char *currency, PpmMoney *out, GError **error)
{
  const PpmCurrency *c = currency_find(currency);
  const char *p = text;
  gsize int_len, frac_len = 0;
  const char *frac = NULL;
  gint64 minor = 0;

  g_return_val_if_fail(text != NULL, FALSE);
  g_return_val_if_fail(out != NULL, FALSE);

  if (c == NULL)
    {
      g_set_error(error, PPM_MONEY_ERROR, PPM_MONEY_ERROR_UNKNOWN_CURRENCY, "Unknown currency “%s”",
                  currency != NULL ? currency : "");
      return FALSE;
    }

  /* The grammar ^[0-9]+(\.[0-9]{1,D})?$, checked by hand: no sign, no space,
   * no exponent, digits on both sides of the point. */
  int_len = strspn(p, "0123456789");
  p += int_len;
  if (*p == '.')
    {
      frac = p + 1;
      frac_len = strspn(frac, "0123456789");
      p = frac + frac_len;
    }
  if (int_len == 0 || *p != '\0' || (frac != NULL && frac_len == 0))
    {
      g_set_error(error, PPM_MONEY_ERROR, PPM_MONEY_ERROR_INVALID, "“%s” is not an amount", text);
      return FALSE;
    }
  if (frac_len > (gsize)c->minor_digits)
    {
      g_set_error(error, PPM_MONEY_ERROR, PPM_MONEY_ERROR_TOO_PRECISE,
                  "“%s” has more than %d decimals for %s", text, c->minor_digits, c->code);
      return FALSE;
    }

  if (!accumulate_digits(text, int_len, &minor)
      || (frac != NULL && !accumulate_digits(frac, frac_len, &minor)))
    goto overflow;
  for (gsize i = frac_len; i < (gsize)c->minor_digits; i++)
    if (!ppm_int64_mul_checked(minor, 10, &minor))
      goto overflow;

  out->minor = minor;
  memcpy(out->currency, c->code, sizeof out->currency);
  return TRUE;

overflow:
  g_set_error(error, PPM_MONEY_ERROR, PPM_MONEY_ERROR_OVERFLOW, "“%s” is too large", text);
  return FALSE;
}

/* Writes |minor| as an amount with the currency's decimals into `out`. */
static void
append_amount(GString *out, const PpmMoney *money, const PpmMoneyStyle *style)
{
  int digits = MAX(ppm_currency_minor_digits(money->currency), 0);
  /* Unsigned so that G_MININT64 has a magnitude. */
  guint64 magnitude = money->minor < 0 ? -(guint64)money->minor : (guint64)money->minor;
  guint64 scale = (guint64)ppm_money_unit(digits);
  g_autofree char *whole = NULL;
  gsize len, lead;

  whole = g_strdup_printf("%" G_GUINT64_FORMAT, magnitude / scale);
  len = strlen(whole);
  lead = len % 3 == 0 ? 3 : len % 3;
  g_string_append_len(out, whole, lead);
  for (gsize i = lead; i < len; i += 3)
    {
      g_string_append(out, style->thousands_separator);
      g_string_append_len(out, whole + i, 3);
    }
  if (digits > 0)
    g_string_append_printf(out, "%s%0*" G_GUINT64_FORMAT, style->decimal_separator, digits,
                           magnitude % scale);
}

/* A new string holding the sign of `money` in `style`. */
static GString *
start_signed(const PpmMoney *money, const PpmMoneyStyle *style)
{
  return g_string_new(money->minor < 0 ? style->negative_sign : "");
}

char *
ppm_money_format_plain(const PpmMoney *money)
{
  GString *out = start_signed(money, &ppm_money_style_c);

  append_amount(out, money, &ppm_money_style_c);
  return g_string_free(out, FALSE);
}

char *
ppm_money_format_styled(const PpmMoney *money, const PpmMoneyStyle *style)
{
  const char *symbol = ppm_currency_symbol(money->currency);
  GString *out = start_signed(money, style);

  if (symbol == NULL || style->symbol_after)
    {
      append_amount(out, money, style);
      g_string_append_printf(out, " %s", symbol != NULL ? symbol : money->currency);
    }
  else
    {
      g_string_append(out, symbol);
      if (style->symbol_space)
        g_string_append_c(out, ' ');
      append_amount(out, money, style);
    }
  return g_string_free(out, FALSE);
}

char *
ppm_money_format(const PpmMoney *money)
{
  return ppm_money_format_styled(money, &ppm_money_style_c);
}

/* The one reading of a locale's money conventions, from either source:
 * an empty separator or sign keeps the C style's; CHAR_MAX (the C locale's
 * "unspecified") keeps the symbol first and unspaced. */
static void
style_fill(PpmMoneyStyle *style, const char *decimal, const char *thousands, const char *negative,
           char cs_precedes, char sep_by_space)
{
  *style = ppm_money_style_c;
  if (decimal != NULL && *decimal != '\0')
    style->decimal_separator = decimal;
  if (thousands != NULL)
    style->thousands_separator = thousands;
  if (negative != NULL && *negative != '\0')
    style->negative_sign = negative;
  if (cs_precedes == 0)
    style->symbol_after = TRUE;
  if (cs_precedes == 1 && sep_by_space == 1)
    style->symbol_space = TRUE;
}

void
ppm_money_style_from_locale(PpmMoneyStyle *style)
{
  const struct lconv *lc = localeconv();

  style_fill(style, lc->mon_decimal_point, lc->mon_thousands_sep, lc->negative_sign,
             lc->p_cs_precedes, lc->p_sep_by_space);
}

void
ppm_money_style_from_locale_l(PpmMoneyStyle *style, locale_t locale)
{
  style_fill(style, nl_langinfo_l(MON_DECIMAL_POINT, locale),
             nl_langinfo_l(MON_THOUSANDS_SEP, locale), nl_langinfo_l(NEGATIVE_SIGN, locale),
             *nl_langinfo_l(P_CS_PRECEDES, locale), *nl_langinfo_l(P_SEP_BY_SPACE, locale));
}
