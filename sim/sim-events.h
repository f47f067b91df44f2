/* One machine-readable line per event on standard output. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Monotonic seconds (CLOCK_MONOTONIC, comparable between processes). */
double ppm_sim_now(void);

/* Prints "event=NAME t=SECONDS key=value ..." from ("key", "value") pairs
 * ending with NULL, then flushes.  Values are printed without spaces; a pair
 * whose key is "text" goes last and runs to the end of the line (newlines
 * escaped as \n), so it may carry any message.  A NULL value skips its pair. */
void ppm_sim_event(const char *name, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
