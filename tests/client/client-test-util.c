/* Main-loop waits, a stall probe and temporary directories for the client suite. */
#include "client-test-util.h"

#include <glib/gstdio.h>

struct _PpmStallProbe
{
  guint id;
  gint64 last;
  gint64 longest;
};

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

static gboolean
ppm_stall_probe_tick(gpointer user_data)
{
  PpmStallProbe *probe = user_data;
  gint64 now = g_get_monotonic_time();

  probe->longest = MAX(probe->longest, now - probe->last);
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

PpmStallProbe *
ppm_stall_probe_start(void)
{
  PpmStallProbe *probe = g_new0(PpmStallProbe, 1);

  probe->last = g_get_monotonic_time();
  probe->id = g_timeout_add(2, ppm_stall_probe_tick, probe);
  return probe;
}

gint64
ppm_stall_probe_longest(PpmStallProbe *probe)
{
  return probe->longest;
}

void
ppm_stall_probe_reset(PpmStallProbe *probe)
{
  probe->last = g_get_monotonic_time();
  probe->longest = 0;
}

void
ppm_stall_probe_free(PpmStallProbe *probe)
{
  if (probe == NULL)
    return;
  g_source_remove(probe->id);
  g_free(probe);
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
