/* Money: an amount in integer minor units of an ISO 4217 currency.
 *
 * Never floating point (docs/billing-rules.md#words).  Parsing follows the amount
 * grammar `^[0-9]+(\.[0-9]{1,D})?$`, D being the currency's minor digits, and
 * rejects anything else with a GError.  Formatting for people and the platform's
 * fee rule are here too, so the plugin, the server's web pages, ppm-admin and
 * both store engines write and compute money the same way.  The checked int64
 * helpers are shared with the server so every sum and product of amounts
 * detects overflow.
 */
#pragma once

#include <glib.h>
#include <locale.h>

G_BEGIN_DECLS

#define PPM_MONEY_ERROR (ppm_money_error_quark())
GQuark ppm_money_error_quark(void);

typedef enum
{
  PPM_MONEY_ERROR_INVALID,          /* not an amount: empty, sign, exponent, stray characters */
  PPM_MONEY_ERROR_TOO_PRECISE,      /* more fraction digits than the currency has */
  PPM_MONEY_ERROR_OVERFLOW,         /* does not fit in int64 minor units */
  PPM_MONEY_ERROR_UNKNOWN_CURRENCY, /* not in the currency table */
} PpmMoneyError;

typedef struct
{
  gint64 minor;     /* signed: refunds and payouts show as negative amounts */
  char currency[4]; /* ISO 4217 code, NUL-terminated, upper case */
} PpmMoney;

/* `minor` units of `currency` (an ISO 4217 code, copied). */
PpmMoney ppm_money_of(gint64 minor, const char *currency);

/* The currency's minor digits (USD 2, JPY 0, KWD 3, ...), or -1 when the code is
 * not in the table. */
int ppm_currency_minor_digits(const char *code);

/* 10^digits: one whole unit ("1.00") in minor units; `digits` is 0..18. */
gint64 ppm_money_unit(int digits);

/* The currency's symbol ("$", "€", "£", "¥", ...), or NULL when it has none in
 * the table (then the code itself is shown). */
const char *ppm_currency_symbol(const char *code);

/* Fills `out` with `currency` and the amount `text` denotes: "2", "2.5" and
 * "2.50" are 250 minor units of USD.  Rejects negative or signed amounts,
 * exponents, leading or trailing spaces, "2.", ".5", "" and amounts that
 * overflow int64 minor units.  `out` is left untouched on error. */
gboolean ppm_money_parse(const char *text, const char *currency, PpmMoney *out, GError **error);

/* How a locale writes money (C locale: ".", no grouping, symbol before, "-"). */
typedef struct
{
  const char *decimal_separator;   /* "." or "," ... */
  const char *thousands_separator; /* "" for none */
  gboolean symbol_after;           /* TRUE: "2,00 €"; FALSE: "€2.00" */
  const char *negative_sign;       /* "-", or "−" (U+2212) where typography allows */
  gboolean symbol_space;           /* TRUE: a space after a leading symbol, "R$ 2,00" */
} PpmMoneyStyle;

/* The C locale's style: "$2.00", "-$2.00", "€1234.50". */
extern const PpmMoneyStyle ppm_money_style_c;

/* Fills `style` from the current LC_MONETARY/LC_NUMERIC locale (localeconv()).
 * The strings point into static storage valid until the locale changes. */
void ppm_money_style_from_locale(PpmMoneyStyle *style);

/* The same from the locale object `locale` (newlocale(), with LC_MONETARY), for
 * a thread that formats in a locale other than the process's; the strings
 * live as long as `locale`. */
void ppm_money_style_from_locale_l(PpmMoneyStyle *style, locale_t locale);

/* For people: the sign, the symbol and the amount in `style` ("$2.00",
 * "2,00 €", "-$3.50"); a currency without a symbol is written "2.00 CHF".
 * Free with g_free(). */
char *ppm_money_format_styled(const PpmMoney *money, const PpmMoneyStyle *style);

/* ppm_money_format_styled() with the C style: "$2.00". */
char *ppm_money_format(const PpmMoney *money);

/* The bare amount (docs/billing-rules.md#amounts), as ppm-admin prints it: "20.00", "-3.50",
 * "500" (JPY).  Parsing the result with ppm_money_parse() gives back the same
 * amount when it is not negative. */
char *ppm_money_format_plain(const PpmMoney *money);

/* Fees are in basis points (1/100 of a percent); the most is the whole amount. */
#define PPM_MONEY_FEE_BPS_MAX 10000

/* The platform's fee on a charge of `amount_minor` ≥ 0 at `fee_bps`
 * (docs/billing-rules.md#fee): amount · fee_bps / 10000 rounded to the nearest
 * minor unit, halves up, i.e. (amount · fee_bps + 5000) div 10000.  Exact for
 * every int64 amount (no intermediate product overflows), and 0 ≤ fee ≤ amount,
 * so the model's share, amount − fee, is never negative.  PostgreSQL computes
 * the same in SQL (ppm_money_fee() in server/store/pg/functions.sql); the pg
 * tests check that both agree. */
gint64 ppm_money_fee(gint64 amount_minor, int fee_bps);

/* Checked int64 arithmetic: TRUE and *out set when the exact result fits,
 * FALSE (and *out untouched) on overflow. */
gboolean ppm_int64_add_checked(gint64 a, gint64 b, gint64 *out);
gboolean ppm_int64_sub_checked(gint64 a, gint64 b, gint64 *out);
gboolean ppm_int64_mul_checked(gint64 a, gint64 b, gint64 *out);

G_END_DECLS
