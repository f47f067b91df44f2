/* ppm_die(): the one way ppm-server and ppm-admin give up. */
#include "ppm-die.h"

#include <stdio.h>
#include <stdlib.h>

void
ppm_die(const char *format, ...)
{
  va_list args;

  fprintf(stderr, "%s: ", g_get_prgname());
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  exit(1);
}
