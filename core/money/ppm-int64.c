/* Checked int64 arithmetic on the compiler's overflow builtins. */
#include "ppm-money.h"

gboolean
ppm_int64_add_checked(gint64 a, gint64 b, gint64 *out)
{
  gint64 r;

  if (__builtin_add_overflow(a, b, &r))
    return FALSE;
  *out = r;
  return TRUE;
}

gboolean
ppm_int64_sub_checked(gint64 a, gint64 b, gint64 *out)
{
  gint64 r;

  if (__builtin_sub_overflow(a, b, &r))
    return FALSE;
  *out = r;
  return TRUE;
}

gboolean
ppm_int64_mul_checked(gint64 a, gint64 b, gint64 *out)
{
  gint64 r;

  if (__builtin_mul_overflow(a, b, &r))
    return FALSE;
  *out = r;
  return TRUE;
}
