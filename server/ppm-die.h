/* Ending a command-line program over a wrong flag or a failed step. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Prints "PROGRAM: MESSAGE" (g_get_prgname()) as one line ending in a newline
 * (line breaks inside MESSAGE become spaces) to stderr and exits 1.  Runs
 * no cleanup: call it before anything needs freeing. */
G_NORETURN void ppm_die(const char *format, ...) G_GNUC_PRINTF(1, 2);

#define PPM_EXIT_USAGE 64 /* sysexits.h's EX_USAGE: a wrong command line */

/* ppm_die() for a wrong command line: exits PPM_EXIT_USAGE. */
G_NORETURN void ppm_die_usage(const char *format, ...) G_GNUC_PRINTF(1, 2);

G_END_DECLS
