/* Main-loop waits, a stall probe and temporary directories for the client suite. */
#include "client-test-util.h"

#include <glib/gstdio.h>

#include <sys/resource.h>
#include <time.h>

struct _PpmStallProbe
{
  GSource *source;
  gint64 woke;     /* when the last poll returned; 0 outside a gap */
  gint64 woke_cpu; /* the thread's CPU time then */
  gint64 longest;
  gint64 longest_cpu;
};

typedef struct
{
  GSource source;
  PpmStallProbe *probe;
} PpmStallSource;

static gboolean
ppm_test_flag_timeout(gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ppm_test_wait_for(gboolean *flag, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add(timeout_ms, ppm_test_flag_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration(NULL, TRUE);
  if (!timed_out)
    g_source_remove(id);
  return *flag;
}

void
ppm_test_spin(guint ms)
{
  gboolean never = FALSE;

  ppm_test_wait_for(&never, ms);
}

gint64
ppm_test_thread_cpu_us(void)
{
  struct timespec now;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64)now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* The first source prepared in an iteration: the gap ends here. */
static gboolean
ppm_stall_probe_prepare(GSource *source, gint *timeout)
{
  PpmStallProbe *probe = ((PpmStallSource *)source)->probe;

  if (probe->woke != 0)
    {
      probe->longest = MAX(probe->longest, g_get_monotonic_time() - probe->woke);
      probe->longest_cpu = MAX(probe->longest_cpu, ppm_test_thread_cpu_us() - probe->woke_cpu);
    }
  /* GLib skips the check phase when the poll set changed under it: then the
   * next gap is not measured rather than measured across a poll. */
  probe->woke = 0;
  *timeout = -1;
  return FALSE;
}

/* The first source checked after the poll: a gap starts. */
static gboolean
ppm_stall_probe_check(GSource *source)
{
  PpmStallProbe *probe = ((PpmStallSource *)source)->probe;

  probe->woke = g_get_monotonic_time();
  probe->woke_cpu = ppm_test_thread_cpu_us();
  return FALSE;
}

static GSourceFuncs ppm_stall_probe_funcs = {
  .prepare = ppm_stall_probe_prepare,
  .check = ppm_stall_probe_check,
};

PpmStallProbe *
ppm_stall_probe_start(void)
{
  PpmStallProbe *probe = g_new0(PpmStallProbe, 1);

  probe->source = g_source_new(&ppm_stall_probe_funcs, sizeof(PpmStallSource));
  ((PpmStallSource *)probe->source)->probe = probe;
  /* Before every other source in both phases, and never ready itself. */
  g_source_set_priority(probe->source, G_MININT);
  g_source_set_name(probe->source, "stall probe");
  g_source_attach(probe->source, NULL);
  return probe;
}

gint64
ppm_stall_probe_longest(PpmStallProbe *probe)
{
  return probe->longest;
}

gint64
ppm_stall_probe_longest_cpu(PpmStallProbe *probe)
{
  return probe->longest_cpu;
}

void
ppm_stall_probe_reset(PpmStallProbe *probe)
{
  /* A gap in progress counts from now. */
  if (probe->woke != 0)
    {
      probe->woke = g_get_monotonic_time();
      probe->woke_cpu = ppm_test_thread_cpu_us();
    }
  probe->longest = 0;
  probe->longest_cpu = 0;
}

void
ppm_stall_probe_free(PpmStallProbe *probe)
{
  if (probe == NULL)
    return;
  g_source_destroy(probe->source);
  g_source_unref(probe->source);
  g_free(probe);
}

gint64
ppm_test_cpu_time_us(void)
{
  struct rusage usage;

  getrusage(RUSAGE_SELF, &usage);
  return (gint64)usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec
         + (gint64)usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

void
ppm_test_remove_tree(const char *path)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *child = g_build_filename(path, name, NULL);

      if (g_file_test(child, G_FILE_TEST_IS_DIR))
        ppm_test_remove_tree(child);
      else
        g_remove(child);
    }
  g_rmdir(path);
}
