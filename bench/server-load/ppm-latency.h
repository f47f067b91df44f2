/* Latency samples of a benchmark run and the figures printed from them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct PpmLatency PpmLatency;

PpmLatency *ppm_latency_new(void);
void ppm_latency_free(PpmLatency *latency);

/* Records one operation that took `usec` microseconds. */
void ppm_latency_add(PpmLatency *latency, gint64 usec);
/* Moves every sample of `from` into `into` (for per-thread collectors). */
void ppm_latency_merge(PpmLatency *into, PpmLatency *from);
guint ppm_latency_count(const PpmLatency *latency);

/* The `p`-th percentile (0 < p <= 100) in microseconds, nearest rank; 0
 * without samples.  Sorts the samples. */
gint64 ppm_latency_percentile(PpmLatency *latency, double p);

/* Prints "LABEL: N ops in S s = R ops/s, p50 X ms, p99 Y ms, max Z ms" on
 * stdout. */
void ppm_latency_print(PpmLatency *latency, const char *label, gint64 elapsed_usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmLatency, ppm_latency_free)

G_END_DECLS
