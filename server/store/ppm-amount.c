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
