/* The journal on its own: what it records, what it yields after a restart,
 * corrupt files, and failing writes. */
#include "client-test-util.h"
#include "ppm-journal.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
  fixture->dir = g_dir_make_tmp("ppm-journal-XXXXXX", NULL);
  g_assert_nonnull(fixture->dir);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  ppm_test_remove_tree(fixture->dir);
  g_free(fixture->dir);
}

static PpmJournal *
open_journal(const char *dir)
{
  g_autoptr(GError) error = NULL;
  PpmJournal *journal = ppm_journal_open(dir, &error);

  g_assert_no_error(error);
  g_assert_nonnull(journal);
  return journal;
}

static void
record_session(PpmJournal *journal, const char *id, gint64 charges)
{
  g_autoptr(GError) error = NULL;

  g_assert_true(
      ppm_journal_open_requested(journal, id, "prpl-jabber", "model@x", "member@x", &error));
  g_assert_true(ppm_journal_opened(journal, id, "srv-1", 120, &error));
  for (gint64 seq = 0; seq < charges; seq++)
    g_assert_true(ppm_journal_charge_confirmed(journal, id, seq, 1000 + seq * 60000,
                                               200 * (seq + 1), "USD", &error));
  g_assert_no_error(error);
}

static void
test_unfinished_after_reopen(Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  PpmJournalSession *session;

  {
    g_autoptr(PpmJournal) journal = open_journal(fixture->dir);

    record_session(journal, "a", 3);
    record_session(journal, "b", 1);
    g_assert_true(ppm_journal_close_requested(journal, "b", "local_hangup", 61500, &error));
    record_session(journal, "c", 2);
    g_assert_true(ppm_journal_close_requested(journal, "c", "remote_hangup", 70000, &error));
    g_assert_true(ppm_journal_closed(journal, "c", 2, 400, "USD", &error));
    g_assert_true(ppm_journal_note_elapsed(journal, "a", 150000, &error));
    /* Older values never overwrite newer ones. */
    g_assert_true(ppm_journal_note_elapsed(journal, "a", 5, &error));
  }
  {
    g_autoptr(PpmJournal) journal = open_journal(fixture->dir);

    g_assert_null(ppm_journal_get_moved_aside(journal));
    sessions = ppm_journal_list_unfinished(journal, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(sessions->len, ==, 2);
    session = sessions->pdata[0];
    g_assert_cmpstr(session->client_session_id, ==, "a");
    g_assert_cmpstr(session->session_id, ==, "srv-1");
    g_assert_cmpint(session->periods_charged, ==, 3);
    g_assert_cmpint(session->elapsed_ms, ==, 150000);
    g_assert_null(session->close_reason);
    session = sessions->pdata[1];
    g_assert_cmpstr(session->client_session_id, ==, "b");
    g_assert_cmpstr(session->close_reason, ==, "local_hangup");
    g_assert_cmpint(session->close_elapsed_ms, ==, 61500);
    g_assert_cmpint(ppm_journal_get_closed_periods(journal, "c", &error), ==, 2);
    g_assert_cmpint(ppm_journal_get_closed_periods(journal, "a", &error), ==, -1);
  }
}

static void
test_close_keeps_first_reason(Fixture *fixture, gconstpointer data)
{
  g_autoptr(PpmJournal) journal = open_journal(fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;

  record_session(journal, "a", 1);
  g_assert_true(ppm_journal_close_requested(journal, "a", "plugin_unloaded", 3000, &error));
  g_assert_true(ppm_journal_close_requested(journal, "a", "client_restart", 9000, &error));
  sessions = ppm_journal_list_unfinished(journal, &error);
  g_assert_cmpstr(((PpmJournalSession *)sessions->pdata[0])->close_reason, ==, "plugin_unloaded");
  g_assert_cmpint(((PpmJournalSession *)sessions->pdata[0])->close_elapsed_ms, ==, 3000);
}

static void
test_repeated_charge_counts_once(Fixture *fixture, gconstpointer data)
{
  g_autoptr(PpmJournal) journal = open_journal(fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;

  record_session(journal, "a", 2);
  g_assert_true(ppm_journal_charge_confirmed(journal, "a", 1, 61000, 400, "USD", &error));
  g_assert_true(ppm_journal_charge_confirmed(journal, "a", 0, 1000, 200, "USD", &error));
  sessions = ppm_journal_list_unfinished(journal, &error);
  g_assert_cmpint(((PpmJournalSession *)sessions->pdata[0])->periods_charged, ==, 2);
}

static void
test_unknown_session(Fixture *fixture, gconstpointer data)
{
  g_autoptr(PpmJournal) journal = open_journal(fixture->dir);
  g_autoptr(GError) error = NULL;

  g_assert_false(ppm_journal_charge_confirmed(journal, "nope", 0, 1, 1, "USD", &error));
  g_assert_error(error, PPM_JOURNAL_ERROR, PPM_JOURNAL_ERROR_UNKNOWN);
}

static guint moved_aside_warnings;

/* Counts the journal's move-aside warnings, then logs as usual. */
static GLogWriterOutput
count_moved_aside_warnings(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                           gpointer user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal(fields[i].key, "MESSAGE") && fields[i].length < 0
        && strstr(fields[i].value, "moved to") != NULL)
      moved_aside_warnings++;
  return g_log_writer_default(level, fields, n_fields, user_data);
}

static void
assert_moved_aside(Fixture *fixture, const char *contents, gsize len)
{
  g_autofree char *path = g_build_filename(fixture->dir, PPM_JOURNAL_FILE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmJournal) journal = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autofree char *kept = NULL;
  gsize kept_len;

  g_assert_true(g_file_set_contents(path, contents, (gssize)len, &error));
  moved_aside_warnings = 0;
  /* This one warning is expected: not fatal while the journal opens. */
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  journal = open_journal(fixture->dir);
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_assert_cmpuint(moved_aside_warnings, ==, 1);
  g_assert_nonnull(ppm_journal_get_moved_aside(journal));
  g_assert_true(strstr(ppm_journal_get_moved_aside(journal), ".corrupt-") != NULL);
  /* The old bytes are kept, not dropped, and the new journal works. */
  g_assert_true(
      g_file_get_contents(ppm_journal_get_moved_aside(journal), &kept, &kept_len, &error));
  g_assert_cmpmem(kept, kept_len, contents, len);
  record_session(journal, "fresh", 1);
  sessions = ppm_journal_list_unfinished(journal, &error);
  g_assert_cmpuint(sessions->len, ==, 1);
}

static void
test_garbage_moved_aside(Fixture *fixture, gconstpointer data)
{
  static const char garbage[] = "this is not a database, it is a shopping list: eggs, milk\n";

  assert_moved_aside(fixture, garbage, sizeof garbage - 1);
}

static void
test_damaged_moved_aside(Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename(fixture->dir, PPM_JOURNAL_FILE_NAME, NULL);
  g_autofree char *contents = NULL;
  gsize len;

  {
    g_autoptr(PpmJournal) journal = open_journal(fixture->dir);

    for (int i = 0; i < 50; i++)
      {
        g_autofree char *id = g_strdup_printf("session-%d", i);

        record_session(journal, id, 5);
      }
  }
  /* A real journal whose pages after the header were overwritten. */
  g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
  g_assert_cmpuint(len, >, 8192);
  memset(contents + 4096, 0x5a, len - 4096);
  assert_moved_aside(fixture, contents, len);
}

static void
test_foreign_database_moved_aside(Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename(fixture->dir, PPM_JOURNAL_FILE_NAME, NULL);
  g_autofree char *contents = NULL;
  gsize len;

  {
    g_autoptr(PpmJournal) journal = open_journal(fixture->dir);
  }
  g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
  /* The same bytes with another application id (offset 68) are not ours. */
  contents[68] ^= 0x01;
  g_remove(path);
  assert_moved_aside(fixture, contents, len);
}

static void
test_full_disk(Fixture *fixture, gconstpointer data)
{
  g_autoptr(PpmJournal) journal = open_journal(fixture->dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *long_handle = g_strnfill(2000, 'h');
  g_autoptr(GPtrArray) sessions = NULL;
  gboolean failed = FALSE;

  record_session(journal, "a", 1);
  ppm_journal_set_size_limit(journal, 64 * 1024);
  for (int i = 0; i < 1000 && !failed; i++)
    {
      g_autofree char *id = g_strdup_printf("filler-%d", i);

      failed = !ppm_journal_open_requested(journal, id, "prpl-jabber", long_handle, long_handle,
                                           &error);
    }
  g_assert_true(failed);
  g_assert_error(error, PPM_JOURNAL_ERROR, PPM_JOURNAL_ERROR_WRITE);
  g_clear_error(&error);
  /* Nothing is left half done: the writes work again once there is room. */
  ppm_journal_set_size_limit(journal, 0);
  g_assert_true(ppm_journal_open_requested(journal, "after", "prpl-jabber", long_handle,
                                           long_handle, &error));
  g_assert_true(ppm_journal_charge_confirmed(journal, "a", 1, 61000, 400, "USD", &error));
  g_assert_no_error(error);
  sessions = ppm_journal_list_unfinished(journal, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(((PpmJournalSession *)sessions->pdata[0])->client_session_id, ==, "a");
  g_assert_cmpint(((PpmJournalSession *)sessions->pdata[0])->periods_charged, ==, 2);
  g_assert_cmpint(((PpmJournalSession *)sessions->pdata[0])->total_minor, ==, 400);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_writer_func(count_moved_aside_warnings, NULL, NULL);
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD("/client/journal/unfinished-after-reopen", test_unfinished_after_reopen);
  ADD("/client/journal/close-keeps-first-reason", test_close_keeps_first_reason);
  ADD("/client/journal/repeated-charge-counts-once", test_repeated_charge_counts_once);
  ADD("/client/journal/unknown-session", test_unknown_session);
  ADD("/client/journal/garbage-moved-aside", test_garbage_moved_aside);
  ADD("/client/journal/damaged-moved-aside", test_damaged_moved_aside);
  ADD("/client/journal/foreign-database-moved-aside", test_foreign_database_moved_aside);
  ADD("/client/journal/full-disk-is-an-error", test_full_disk);
#undef ADD
  return g_test_run();
}
