/* bench-journal: how long one journal write holds its caller.
 *
 * The journal writes synchronously (WAL, synchronous=FULL) on the caller's
 * thread, which for the plugin is Pidgin's main loop.  This opens a journal
 * in a fresh directory under DIR (default: the temporary directory, which
 * must be on the disk the plugin's user directory lives on for the figures to
 * mean anything), journals one session and then WRITES confirmed charges, and
 * prints the wall time per write (median, 90th percentile, maximum) and the
 * process's CPU time per write.
 *
 * Usage: bench-journal [WRITES [DIR]]   (defaults 500 and the temporary directory) */
#include "client-test-util.h"
#include "ppm-journal.h"

#include <stdlib.h>

static int
compare_gint64(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
  guint writes = argc > 1 ? (guint)MAX(atoi(argv[1]), 1) : 500;
  g_autofree char *template
      = g_build_filename(argc > 2 ? argv[2] : g_get_tmp_dir(), "bench-journal-XXXXXX", NULL);
  g_autofree gint64 *took = g_new(gint64, writes);
  g_autoptr(PpmJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = "0b7c4f0e-3c57-4d5e-9b8e-2f7d3f5f8a11";
  gint64 cpu;

  if (g_mkdtemp(template) == NULL)
    g_error("cannot create a directory from %s", template);
  journal = ppm_journal_open(template, &error);
  g_assert_no_error(error);
  ppm_journal_open_requested(journal, id, "prpl-jabber", "model@x", "member@x", &error);
  g_assert_no_error(error);
  ppm_journal_opened(journal, id, "s-1", 0, &error);
  g_assert_no_error(error);

  cpu = ppm_test_cpu_time_us();
  for (guint i = 0; i < writes; i++)
    {
      gint64 start = g_get_monotonic_time();

      ppm_journal_charge_confirmed(journal, id, i, (gint64)i * 60000, (gint64)(i + 1) * 200, "USD",
                                   &error);
      g_assert_no_error(error);
      took[i] = g_get_monotonic_time() - start;
    }
  cpu = ppm_test_cpu_time_us() - cpu;
  qsort(took, writes, sizeof *took, compare_gint64);
  g_print("%u charge writes: median %.3f ms, 90th percentile %.3f ms, max %.3f ms;"
          " CPU %.3f ms per write\n",
          writes, took[writes / 2] / 1000.0, took[writes * 9 / 10] / 1000.0,
          took[writes - 1] / 1000.0, (double)cpu / 1000.0 / writes);
  g_clear_pointer(&journal, ppm_journal_free);
  ppm_test_remove_tree(template);
  return 0;
}
