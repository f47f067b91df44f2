/* Shared by the client suite: main-loop waits, a stall probe, temporary
 * directories. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Iterates the default main context until *flag is TRUE or `timeout_ms`
 * passes; returns *flag. */
gboolean ppm_test_wait_for(gboolean *flag, guint timeout_ms);
/* Iterates the default main context for `ms` milliseconds. */
void ppm_test_spin(guint ms);

/* Deletes the directory `path` and everything in it. */
void ppm_test_remove_tree(const char *path);

/* A 2 ms timer on the default main context that records the longest gap
 * between two of its runs: how long the loop was blocked. */
typedef struct _PpmStallProbe PpmStallProbe;

PpmStallProbe *ppm_stall_probe_start(void);
/* The longest gap so far, in microseconds. */
gint64 ppm_stall_probe_longest(PpmStallProbe *probe);
void ppm_stall_probe_reset(PpmStallProbe *probe);
void ppm_stall_probe_free(PpmStallProbe *probe);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStallProbe, ppm_stall_probe_free)

/* A fault must never block the main loop longer than this. */
#define PPM_TEST_MAX_STALL_US (250 * 1000)

G_END_DECLS
