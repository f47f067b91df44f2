#include "ppm-test-missing.h"

#include <glib.h>

void
ppm_test_missing(const char *what)
{
  if (g_getenv("PPM_TEST_NO_SKIP") != NULL)
    g_test_fail_printf("%s (PPM_TEST_NO_SKIP: not skipped)", what);
  else
    g_test_skip(what);
}
