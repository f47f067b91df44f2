/* ppm_die(): the one way ppm-server and ppm-admin give up. */
#include "ppm-die.h"

#include <stdio.h>
#include <stdlib.h>

void
ppm_die(const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  /* One line whatever the message: database errors (libpq's) carry line
   * breaks of their own, and scripts read stderr line by line. */
  g_strdelimit(g_strstrip(message), "\r\n", ' ');
  fprintf(stderr, "%s: %s\n", g_get_prgname(), message);
  exit(1);
}
