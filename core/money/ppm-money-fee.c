/* The platform's fee on a charge (docs/billing-rules.md#fee). */
#include "ppm-money.h"

gint64
ppm_money_fee(gint64 amount_minor, int fee_bps)
{
  gint64 whole, rest;

  g_return_val_if_fail(amount_minor >= 0, 0);
  g_return_val_if_fail(fee_bps >= 0 && fee_bps <= PPM_MONEY_FEE_BPS_MAX, 0);

  /* amount = whole · 10000 + rest: the fee on `whole` ten-thousands is exact
   * (10000 bps being all of it), only the fee on `rest` is rounded, and no
   * product can overflow. */
  whole = amount_minor / PPM_MONEY_FEE_BPS_MAX;
  rest = amount_minor % PPM_MONEY_FEE_BPS_MAX;
  return whole * fee_bps + (rest * fee_bps + PPM_MONEY_FEE_BPS_MAX / 2) / PPM_MONEY_FEE_BPS_MAX;
}
