/* core/'s log: a core module's message reaches the handler a host set, with
 * the module's domain and the message's level; without a handler GLib's
 * default logging gets it. */
#include "ppm-journal.h"
#include "ppm-log.h"
#include "ppm-test-server.h"

#include <string.h>

typedef struct
{
  char *domain;
  GLogLevelFlags level;
  char *message;
  guint count;
} Heard;

static void
heard_clear(Heard *heard)
{
  g_clear_pointer(&heard->domain, g_free);
  g_clear_pointer(&heard->message, g_free);
}

static void
on_log(const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  Heard *heard = user_data;
  heard_clear(heard);
  heard->domain = g_strdup(domain);
  heard->level = level;
  heard->message = g_strdup(message);
  heard->count++;
}

/* A journal file that is not a database, in a new directory: core/journal
 * moves it aside and says so at warning level. */
static PpmJournal *
open_unreadable_journal(const char *dir)
{
  g_autofree char *path = g_build_filename(dir, PPM_JOURNAL_FILE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_set_contents(path, "not a database", -1, &error));
  PpmJournal *journal = ppm_journal_open(dir, &error);
  g_assert_no_error(error);
  g_assert_nonnull(ppm_journal_get_moved_aside(journal));
  return journal;
}

static void
test_handler_gets_domain_and_level(void)
{
  Heard heard = { 0 };
  g_autofree char *dir = g_dir_make_tmp("ppm-test-log-XXXXXX", NULL);
  ppm_log_set_handler(on_log, &heard);
  PpmJournal *journal = open_unreadable_journal(dir);
  ppm_log_set_handler(NULL, NULL);
  ppm_journal_free(journal);
  ppm_test_dir_remove(dir);

  g_assert_cmpuint(heard.count, ==, 1);
  g_assert_cmpstr(heard.domain, ==, "ppm-journal");
  g_assert_cmpint(heard.level, ==, G_LOG_LEVEL_WARNING);
  g_assert_nonnull(strstr(heard.message, "billing journal"));
  g_assert_nonnull(strstr(heard.message, "unreadable"));
  heard_clear(&heard);
}

static void
test_without_handler_glib_logs(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-test-log-XXXXXX", NULL);
  g_test_expect_message("ppm-journal", G_LOG_LEVEL_WARNING, "The billing journal *unreadable*");
  ppm_journal_free(open_unreadable_journal(dir));
  g_test_assert_expected_messages();
  ppm_test_dir_remove(dir);
}

static void
test_handler_removed(void)
{
  Heard heard = { 0 };
  ppm_log_set_handler(on_log, &heard);
  ppm_log("ppm-test", G_LOG_LEVEL_INFO, "one %d", 1);
  ppm_log_set_handler(NULL, NULL);
  g_test_expect_message("ppm-test", G_LOG_LEVEL_MESSAGE, "two 2");
  ppm_log("ppm-test", G_LOG_LEVEL_MESSAGE, "two %d", 2);
  g_test_assert_expected_messages();
  g_assert_cmpuint(heard.count, ==, 1);
  g_assert_cmpstr(heard.message, ==, "one 1");
  g_assert_cmpint(heard.level, ==, G_LOG_LEVEL_INFO);
  heard_clear(&heard);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/log/handler-gets-domain-and-level", test_handler_gets_domain_and_level);
  g_test_add_func("/log/without-handler-glib-logs", test_without_handler_glib_logs);
  g_test_add_func("/log/handler-removed", test_handler_removed);
  return g_test_run();
}
