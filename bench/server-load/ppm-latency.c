#include "ppm-latency.h"

#include <math.h>
#include <stdio.h>

struct PpmLatency
{
  GArray *usec; /* gint64 */
  gboolean sorted;
};

PpmLatency *
ppm_latency_new(void)
{
  PpmLatency *latency = g_new0(PpmLatency, 1);

  latency->usec = g_array_new(FALSE, FALSE, sizeof(gint64));
  return latency;
}

void
ppm_latency_free(PpmLatency *latency)
{
  if (latency == NULL)
    return;
  g_array_unref(latency->usec);
  g_free(latency);
}

void
ppm_latency_add(PpmLatency *latency, gint64 usec)
{
  g_array_append_val(latency->usec, usec);
  latency->sorted = FALSE;
}

void
ppm_latency_merge(PpmLatency *into, PpmLatency *from)
{
  g_array_append_vals(into->usec, from->usec->data, from->usec->len);
  g_array_set_size(from->usec, 0);
  into->sorted = FALSE;
}

guint
ppm_latency_count(const PpmLatency *latency)
{
  return latency->usec->len;
}

static int
compare_gint64(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

gint64
ppm_latency_percentile(PpmLatency *latency, double p)
{
  guint n = latency->usec->len;
  guint rank;

  if (n == 0)
    return 0;
  if (!latency->sorted)
    {
      g_array_sort(latency->usec, compare_gint64);
      latency->sorted = TRUE;
    }
  /* Nearest rank: the smallest sample with at least p % of all at or below it. */
  rank = (guint)ceil(p / 100.0 * n);
  rank = CLAMP(rank, 1, n);
  return g_array_index(latency->usec, gint64, rank - 1);
}

void
ppm_latency_print(PpmLatency *latency, const char *label, gint64 elapsed_usec)
{
  guint n = ppm_latency_count(latency);
  double seconds = elapsed_usec / 1e6;

  printf("%s: %u ops in %.2f s = %.0f ops/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", label, n,
         seconds, seconds > 0 ? n / seconds : 0.0, ppm_latency_percentile(latency, 50) / 1e3,
         ppm_latency_percentile(latency, 99) / 1e3, ppm_latency_percentile(latency, 100) / 1e3);
  fflush(stdout);
}
