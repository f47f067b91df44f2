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

/* The process's CPU time (user + system) in microseconds. */
gint64 ppm_test_cpu_time_us(void);
/* The calling thread's CPU time in microseconds. */
gint64 ppm_test_thread_cpu_us(void);

/* Deletes the directory `path` and everything in it. */
void ppm_test_remove_tree(const char *path);

/* Records the longest gap between two iterations of the default main
 * context: from the moment one poll returns to the start of the next
 * iteration, i.e. how long the loop could not look at its sources.  Time
 * spent waiting in poll() is not a stall.  It never wakes the loop (so it
 * costs no CPU of its own) and also records the thread's CPU time over the
 * same gap, which tells the loop's own work from the machine's scheduling. */
typedef struct _PpmStallProbe PpmStallProbe;

PpmStallProbe *ppm_stall_probe_start(void);
/* The longest gap so far, wall time, in microseconds. */
gint64 ppm_stall_probe_longest(PpmStallProbe *probe);
/* The most CPU time the thread spent in one gap, in microseconds. */
gint64 ppm_stall_probe_longest_cpu(PpmStallProbe *probe);
void ppm_stall_probe_reset(PpmStallProbe *probe);
void ppm_stall_probe_free(PpmStallProbe *probe);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStallProbe, ppm_stall_probe_free)

/* A fault must never block the main loop longer than this. */
#define PPM_TEST_MAX_STALL_US (250 * 1000)

G_END_DECLS
