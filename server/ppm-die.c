/* ppm_die(): the one way ppm-server and ppm-admin give up. */
#include "ppm-die.h"

#include <stdio.h>
#include <stdlib.h>

static G_NORETURN void
die(int status, const char *format, va_list args)
{
  g_autofree char *message = g_strdup_vprintf(format, args);

  /* One line whatever the message: database errors (libpq's) carry line
   * breaks of their own, and scripts read stderr line by line. */
  g_strdelimit(g_strstrip(message), "\r\n", ' ');
  fprintf(stderr, "%s: %s\n", g_get_prgname(), message);
  exit(status);
}

void
ppm_die(const char *format, ...)
{
  va_list args;

  va_start(args, format);
  die(1, format, args);
}

void
ppm_die_usage(const char *format, ...)
{
  va_list args;

  va_start(args, format);
  die(PPM_EXIT_USAGE, format, args);
}
