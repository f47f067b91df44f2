#include "ppm-amount.h"
#include "ppm-store.h"

#include <string.h>

gboolean
ppm_currency_valid(const char *code)
{
  return code != NULL && strlen(code) == 3 && ppm_currency_minor_digits(code) >= 0;
}

int
ppm_currency_digits(const char *code)
{
  int digits = ppm_currency_minor_digits(code);
  return digits < 0 ? 2 : digits;
}

gint64
ppm_money_unit(int digits)
{
  gint64 unit = 1;
  for (int i = 0; i < digits; i++)
    unit *= 10;
  return unit;
}

gboolean
ppm_amount_parse(const char *text, const char *currency, gint64 *minor, GError **error)
{
  PpmMoney money;
  g_autoptr(GError) local = NULL;

  if (!ppm_money_parse(text, currency, &money, &local))
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID, "invalid amount \"%s\": %s",
                  text, local->message);
      return FALSE;
    }
  if (money.minor > PPM_MAX_BALANCE_MINOR)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID, "amount \"%s\" is too large",
                  text);
      return FALSE;
    }
  *minor = money.minor;
  return TRUE;
}

char *
ppm_amount_format(gint64 minor, int digits)
{
  gint64 unit = ppm_money_unit(digits);
  const char *sign = minor < 0 ? "-" : "";
  guint64 magnitude = minor < 0 ? -(guint64)minor : (guint64)minor;

  if (digits == 0)
    return g_strdup_printf("%s%" G_GUINT64_FORMAT, sign, magnitude);
  return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT, sign,
                         magnitude / (guint64)unit, digits, magnitude % (guint64)unit);
}

gboolean
ppm_fee_of(gint64 amount, int fee_bps, gint64 *fee)
{
  gint64 product;

  if (!ppm_int64_mul_checked(amount, fee_bps, &product)
      || !ppm_int64_add_checked(product, 5000, &product))
    return FALSE;
  *fee = product / 10000;
  return TRUE;
}
