/* Checked int64 arithmetic on the compiler's overflow builtins. */
#include "ppm-money.h"

/* The three helpers differ only in the builtin they call. */
#define PPM_INT64_CHECKED(op)                                                                      \
  gboolean ppm_int64_##op##_checked(gint64 a, gint64 b, gint64 *out)                               \
  {                                                                                                \
    gint64 r;                                                                                      \
                                                                                                   \
    if (__builtin_##op##_overflow(a, b, &r))                                                       \
      return FALSE;                                                                                \
    *out = r;                                                                                      \
    return TRUE;                                                                                   \
  }

PPM_INT64_CHECKED(add)
PPM_INT64_CHECKED(sub)
PPM_INT64_CHECKED(mul)
