/* core/money: parsing, formatting, the fee rule, checked arithmetic. */
#include "ppm-money.h"

typedef struct
{
  const char *text;
  const char *currency;
  gint64 minor;
} GoodCase;

static void
test_parse_good(void)
{
  const GoodCase cases[] = {
    { "2.00", "USD", 200 },
    { "2", "USD", 200 },
    { "0.5", "USD", 50 },
    { "2.5", "EUR", 250 },
    { "0", "GBP", 0 },
    { "10.01", "USD", 1001 },
    { "500", "JPY", 500 },
    { "1.234", "KWD", 1234 },
    { "92233720368547758.07", "USD", G_MAXINT64 },
    { "007.10", "USD", 710 },
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      PpmMoney money;
      g_autoptr(GError) error = NULL;

      g_assert_true(ppm_money_parse(cases[i].text, cases[i].currency, &money, &error));
      g_assert_no_error(error);
      g_assert_cmpint(money.minor, ==, cases[i].minor);
      g_assert_cmpstr(money.currency, ==, cases[i].currency);
    }
}

typedef struct
{
  const char *text;
  const char *currency;
  PpmMoneyError code;
} BadCase;

static void
test_parse_bad(void)
{
  const BadCase cases[] = {
    { "-2.00", "USD", PPM_MONEY_ERROR_INVALID },
    { "1e3", "USD", PPM_MONEY_ERROR_INVALID },
    { "99999999999999999999", "USD", PPM_MONEY_ERROR_OVERFLOW },
    { "92233720368547758.08", "USD", PPM_MONEY_ERROR_OVERFLOW },
    { "9223372036854775808", "JPY", PPM_MONEY_ERROR_OVERFLOW },
    { "2.001", "USD", PPM_MONEY_ERROR_TOO_PRECISE },
    { "2.5", "JPY", PPM_MONEY_ERROR_TOO_PRECISE },
    { "", "USD", PPM_MONEY_ERROR_INVALID },
    { "abc", "USD", PPM_MONEY_ERROR_INVALID },
    { "+2", "USD", PPM_MONEY_ERROR_INVALID },
    { " 2", "USD", PPM_MONEY_ERROR_INVALID },
    { "2 ", "USD", PPM_MONEY_ERROR_INVALID },
    { "2.", "USD", PPM_MONEY_ERROR_INVALID },
    { ".5", "USD", PPM_MONEY_ERROR_INVALID },
    { "2,00", "USD", PPM_MONEY_ERROR_INVALID },
    { "0x10", "USD", PPM_MONEY_ERROR_INVALID },
    { "2.0.0", "USD", PPM_MONEY_ERROR_INVALID },
    { "2", "XXX", PPM_MONEY_ERROR_UNKNOWN_CURRENCY },
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      PpmMoney money = { 42, "EUR" };
      g_autoptr(GError) error = NULL;

      g_test_message("rejecting “%s”", cases[i].text);
      g_assert_false(ppm_money_parse(cases[i].text, cases[i].currency, &money, &error));
      g_assert_error(error, PPM_MONEY_ERROR, (gint)cases[i].code);
      g_assert_cmpint(money.minor, ==, 42);
      g_assert_cmpstr(money.currency, ==, "EUR");
    }
}

static char *
format_c(gint64 minor, const char *currency)
{
  PpmMoney money = ppm_money_of(minor, currency);

  return ppm_money_format(&money);
}

static void
assert_formats(gint64 minor, const char *currency, const char *expected)
{
  g_autofree char *text = format_c(minor, currency);

  g_assert_cmpstr(text, ==, expected);
}

static void
test_format_c(void)
{
  assert_formats(200, "USD", "$2.00");
  assert_formats(5, "USD", "$0.05");
  assert_formats(200, "EUR", "€2.00");
  assert_formats(123456, "GBP", "£1234.56");
  assert_formats(500, "JPY", "¥500");
  assert_formats(-350, "USD", "-$3.50");
  assert_formats(200, "CHF", "2.00 CHF");
  assert_formats(G_MININT64, "USD", "-$92233720368547758.08");
}

static void
test_format_edges(void)
{
  assert_formats(0, "USD", "$0.00");
  assert_formats(1, "USD", "$0.01");
  assert_formats(-1, "USD", "-$0.01");
  assert_formats(0, "JPY", "¥0");
  assert_formats(1, "KWD", "0.001 KWD");
  assert_formats(1000, "KWD", "1.000 KWD");
  assert_formats(G_MAXINT64, "USD", "$92233720368547758.07");
  assert_formats(G_MAXINT64, "JPY", "¥9223372036854775807");
}

typedef struct
{
  gint64 minor;
  const char *currency;
  const char *expected;
} FormatCase;

static void
assert_styled(const PpmMoneyStyle *style, const FormatCase *cases, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      PpmMoney money = ppm_money_of(cases[i].minor, cases[i].currency);
      g_autofree char *text = ppm_money_format_styled(&money, style);

      g_assert_cmpstr(text, ==, cases[i].expected);
    }
}

/* In the style of the web pages: the C style with U+2212 for minus. */
static void
test_format_negative_sign(void)
{
  const PpmMoneyStyle web = { ".", "", FALSE, "−", FALSE };
  const FormatCase cases[] = {
    { -200, "USD", "−$2.00" }, { 2000, "USD", "$20.00" }, { -200, "CHF", "−2.00 CHF" },
    { -500, "JPY", "−¥500" },  { 0, "EUR", "€0.00" },     { 150, "CAD", "CA$1.50" },
    { 150, "INR", "₹1.50" },   { 150, "PLN", "zł1.50" },
  };

  assert_styled(&web, cases, G_N_ELEMENTS(cases));
}

static void
test_format_plain_ignores_style(void)
{
  PpmMoney money = ppm_money_of(-350, "USD");
  g_autofree char *plain = ppm_money_format_plain(&money);

  g_assert_cmpstr(plain, ==, "-3.50");
}

static void
test_format_grouping(void)
{
  const PpmMoneyStyle grouped = { ".", ",", FALSE, "-", FALSE };
  const FormatCase cases[] = {
    { 99999, "USD", "$999.99" },       { 100000, "USD", "$1,000.00" },
    { 1234567, "JPY", "¥1,234,567" },  { -123456789, "USD", "-$1,234,567.89" },
    { 123456, "CHF", "1,234.56 CHF" },
  };

  assert_styled(&grouped, cases, G_N_ELEMENTS(cases));
}

static void
test_format_styled(void)
{
  const PpmMoneyStyle german = { ",", ".", TRUE, "-", FALSE };
  PpmMoney euros = { 123456789, "EUR" };
  PpmMoney small = { 200, "EUR" };
  g_autofree char *big = ppm_money_format_styled(&euros, &german);
  g_autofree char *two = ppm_money_format_styled(&small, &german);

  g_assert_cmpstr(big, ==, "1.234.567,89 €");
  g_assert_cmpstr(two, ==, "2,00 €");
}

/* A leading symbol with a space, as pt_BR writes reais. */
static void
test_format_symbol_space(void)
{
  const PpmMoneyStyle brazilian = { ",", ".", FALSE, "-", TRUE };
  PpmMoney reais = { 123450, "BRL" };
  PpmMoney francs = { 200, "CHF" };
  g_autofree char *text = ppm_money_format_styled(&reais, &brazilian);
  g_autofree char *code = ppm_money_format_styled(&francs, &brazilian);

  g_assert_cmpstr(text, ==, "R$ 1.234,50");
  g_assert_cmpstr(code, ==, "2,00 CHF");
}

static void
test_style_from_c_locale(void)
{
  PpmMoneyStyle style;
  PpmMoney money = { 200, "USD" };
  PpmMoney refund = { -200, "USD" };
  g_autofree char *text = NULL, *negative = NULL;

  /* The tests run with LC_ALL=C.UTF-8, whose negative sign is empty. */
  ppm_money_style_from_locale(&style);
  text = ppm_money_format_styled(&money, &style);
  negative = ppm_money_format_styled(&refund, &style);
  g_assert_cmpstr(text, ==, "$2.00");
  g_assert_cmpstr(negative, ==, "-$2.00");
}

static void
test_plain_round_trip(void)
{
  const char *currencies[] = { "USD", "JPY", "KWD" };
  const gint64 amounts[] = { 0, 1, 9, 10, 99, 100, 101, 1999, 123456789, G_MAXINT64 };

  for (guint c = 0; c < G_N_ELEMENTS(currencies); c++)
    for (guint i = 0; i < G_N_ELEMENTS(amounts); i++)
      {
        PpmMoney money = { amounts[i], "" };
        PpmMoney back;
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;

        g_strlcpy(money.currency, currencies[c], sizeof money.currency);
        text = ppm_money_format_plain(&money);
        g_assert_true(ppm_money_parse(text, currencies[c], &back, &error));
        g_assert_no_error(error);
        g_assert_cmpint(back.minor, ==, amounts[i]);
      }
  assert_formats(2000, "USD", "$20.00");
  {
    PpmMoney money = { 2000, "USD" };
    g_autofree char *plain = ppm_money_format_plain(&money);

    g_assert_cmpstr(plain, ==, "20.00");
  }
}

static void
test_currency_table(void)
{
  g_assert_cmpint(ppm_currency_minor_digits("USD"), ==, 2);
  g_assert_cmpint(ppm_currency_minor_digits("EUR"), ==, 2);
  g_assert_cmpint(ppm_currency_minor_digits("GBP"), ==, 2);
  g_assert_cmpint(ppm_currency_minor_digits("JPY"), ==, 0);
  g_assert_cmpint(ppm_currency_minor_digits("usd"), ==, -1);
  g_assert_cmpint(ppm_currency_minor_digits(NULL), ==, -1);
  g_assert_cmpstr(ppm_currency_symbol("EUR"), ==, "€");
  g_assert_null(ppm_currency_symbol("CHF"));
  /* The currencies of the shipped languages' countries. */
  g_assert_cmpint(ppm_currency_minor_digits("BRL"), ==, 2);
  g_assert_cmpint(ppm_currency_minor_digits("RON"), ==, 2);
  g_assert_cmpint(ppm_currency_minor_digits("RUB"), ==, 2);
  g_assert_cmpstr(ppm_currency_symbol("BRL"), ==, "R$");
  g_assert_cmpstr(ppm_currency_symbol("RON"), ==, "lei");
  g_assert_cmpstr(ppm_currency_symbol("RUB"), ==, "₽");
}

static void
test_unit(void)
{
  g_assert_cmpint(ppm_money_unit(0), ==, 1);
  g_assert_cmpint(ppm_money_unit(2), ==, 100);
  g_assert_cmpint(ppm_money_unit(3), ==, 1000);
  g_assert_cmpint(ppm_money_unit(18), ==, G_GINT64_CONSTANT(1000000000000000000));
}

static void
test_money_of(void)
{
  PpmMoney money = ppm_money_of(-7, "EUR");

  g_assert_cmpint(money.minor, ==, -7);
  g_assert_cmpstr(money.currency, ==, "EUR");
}

/* docs/billing-rules.md#fee by hand: halves round up, each charge alone. */
static void
test_fee_examples(void)
{
  const struct
  {
    gint64 amount;
    int fee_bps;
    gint64 fee;
  } cases[] = {
    { 200, 2000, 40 }, /* 2.00 at 20 %: 0.40 */
    { 3, 2000, 1 },    /* 0.6 → 1 */
    { 2, 2000, 0 },    /* 0.4 → 0 */
    { 1, 5000, 1 },    /* 0.5 → 1: halves up */
    { 3, 5000, 2 },    /* 1.5 → 2 */
    { 1, 4999, 0 },    /* 0.4999 → 0 */
    { 0, 10000, 0 },   /* nothing charged, nothing taken */
    { 1, 0, 0 },       /* no fee */
    { 1, 10000, 1 },   /* all of it */
    { 12345, 1, 1 },   /* 1.2345 → 1 */
    { 15000, 1, 2 },   /* 1.5 → 2 */
    { 14999, 1, 1 },   /* 1.4999 → 1 */
    { G_MAXINT64, 10000, G_MAXINT64 },
    { G_MAXINT64, 0, 0 },
    { G_MAXINT64, 5000, G_GINT64_CONSTANT(4611686018427387904) },
    { G_MAXINT64, 2000, G_GINT64_CONSTANT(1844674407370955161) },
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_test_message("%" G_GINT64_FORMAT " at %d bps", cases[i].amount, cases[i].fee_bps);
      g_assert_cmpint(ppm_money_fee(cases[i].amount, cases[i].fee_bps), ==, cases[i].fee);
    }
}

/* Wide enough for amount · fee_bps + 5000 at any int64 amount. */
__extension__ typedef __int128 Wide;

/* Over amounts up to the int64 limit, against the rule computed in 128 bits:
 * the same fee, and never more than the amount. */
static void
test_fee_exact_without_overflow(void)
{
  const gint64 amounts[]
      = { 0,
          1,
          4999,
          5000,
          9999,
          10000,
          10001,
          99999999,
          G_GINT64_CONSTANT(1000000000000000), /* a balance's limit */
          G_GINT64_CONSTANT(922337203685477),  /* the last whose product at 10000 bps fits */
          G_GINT64_CONSTANT(922337203685478),
          G_MAXINT64 - 1,
          G_MAXINT64 };
  const int rates[] = { 0, 1, 2, 1999, 2000, 2500, 4999, 5000, 5001, 9999, 10000 };

  for (guint a = 0; a < G_N_ELEMENTS(amounts); a++)
    for (guint r = 0; r < G_N_ELEMENTS(rates); r++)
      {
        Wide exact = ((Wide)amounts[a] * rates[r] + 5000) / 10000;
        gint64 fee = ppm_money_fee(amounts[a], rates[r]);

        g_assert_true(fee == exact);
        g_assert_cmpint(fee, >=, 0);
        g_assert_cmpint(fee, <=, amounts[a]);
      }
}

static void
test_fee_rejects_out_of_range(void)
{
  g_test_expect_message("ppm-money", G_LOG_LEVEL_CRITICAL, "*fee_bps <= PPM_MONEY_FEE_BPS_MAX*");
  g_assert_cmpint(ppm_money_fee(100, PPM_MONEY_FEE_BPS_MAX + 1), ==, 0);
  g_test_assert_expected_messages();
  g_test_expect_message("ppm-money", G_LOG_LEVEL_CRITICAL, "*fee_bps >= 0*");
  g_assert_cmpint(ppm_money_fee(100, -1), ==, 0);
  g_test_assert_expected_messages();
  g_test_expect_message("ppm-money", G_LOG_LEVEL_CRITICAL, "*amount_minor >= 0*");
  g_assert_cmpint(ppm_money_fee(-100, 2000), ==, 0);
  g_test_assert_expected_messages();
}

static void
test_checked_arithmetic(void)
{
  gint64 r = 7;

  g_assert_true(ppm_int64_add_checked(G_MAXINT64 - 1, 1, &r));
  g_assert_cmpint(r, ==, G_MAXINT64);
  g_assert_false(ppm_int64_add_checked(G_MAXINT64, 1, &r));
  g_assert_cmpint(r, ==, G_MAXINT64);
  g_assert_false(ppm_int64_add_checked(G_MININT64, -1, &r));
  g_assert_true(ppm_int64_sub_checked(0, G_MAXINT64, &r));
  g_assert_cmpint(r, ==, -G_MAXINT64);
  g_assert_false(ppm_int64_sub_checked(G_MININT64, 1, &r));
  g_assert_true(ppm_int64_mul_checked(100000000000, 10000, &r));
  g_assert_cmpint(r, ==, 1000000000000000);
  g_assert_false(ppm_int64_mul_checked(G_MAXINT64 / 2 + 1, 2, &r));
  g_assert_false(ppm_int64_mul_checked(G_MININT64, -1, &r));
  g_assert_cmpint(r, ==, 1000000000000000);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  g_test_add_func("/money/parse-accepts", test_parse_good);
  g_test_add_func("/money/parse-rejects", test_parse_bad);
  g_test_add_func("/money/format/c-locale", test_format_c);
  g_test_add_func("/money/format/zero-one-unit-and-limits", test_format_edges);
  g_test_add_func("/money/format/style-negative-sign", test_format_negative_sign);
  g_test_add_func("/money/format/plain-is-c-style", test_format_plain_ignores_style);
  g_test_add_func("/money/format/thousands-grouping", test_format_grouping);
  g_test_add_func("/money/format/styled", test_format_styled);
  g_test_add_func("/money/format/symbol-space", test_format_symbol_space);
  g_test_add_func("/money/format/style-from-c-locale", test_style_from_c_locale);
  g_test_add_func("/money/format/plain-round-trip", test_plain_round_trip);
  g_test_add_func("/money/currency-table", test_currency_table);
  g_test_add_func("/money/unit-is-ten-to-the-digits", test_unit);
  g_test_add_func("/money/of-copies-amount-and-currency", test_money_of);
  g_test_add_func("/money/fee/rounds-halves-up", test_fee_examples);
  g_test_add_func("/money/fee/exact-without-overflow", test_fee_exact_without_overflow);
  g_test_add_func("/money/fee/rejects-out-of-range", test_fee_rejects_out_of_range);
  g_test_add_func("/money/checked-arithmetic", test_checked_arithmetic);
  return g_test_run();
}
