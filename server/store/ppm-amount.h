/* Money as the platform checks it: limits, currencies, amount text.
 * Parsing, formatting, the fee rule and checked int64 arithmetic come from
 * core/money (ppm-money.h). */
#pragma once

#include <glib.h>

#include "ppm-money.h"

G_BEGIN_DECLS

#define PPM_MAX_DEPOSIT_MINOR G_GINT64_CONSTANT(100000000000)     /* 10^11 */
#define PPM_MAX_BALANCE_MINOR G_GINT64_CONSTANT(1000000000000000) /* 10^15 */

/* A currency core/money knows. */
gboolean ppm_currency_valid(const char *code);
/* Its ISO 4217 minor digits (2 for a code it does not know). */
int ppm_currency_digits(const char *code);

/* Parses `^[0-9]+(\.[0-9]{1,D})?$` (D: the currency's digits) into minor
 * units; PPM_STORE_ERROR_INVALID when it does not match or exceeds
 * PPM_MAX_BALANCE_MINOR. */
gboolean ppm_amount_parse(const char *text, const char *currency, gint64 *minor, GError **error);

G_END_DECLS
