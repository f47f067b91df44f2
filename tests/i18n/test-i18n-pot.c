/* The translation sources stay in step with the code: the committed POT holds
 * exactly the messages xgettext finds in the files of po/POTFILES, xgettext
 * reads every one of them whole, POTFILES names every plugin/, ui/ and server/web/ file
 * with a translatable string, and every translation compiles with msgfmt
 * --check (format specifiers kept in order, one mnemonic where the English
 * has one).  The account pages (server/web) share the catalogue.
 *
 * Environment: PPM_SOURCE_DIR (the source tree), XGETTEXT, MSGCMP, MSGFMT. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

static const char *
source_dir(void)
{
  const char *dir = g_getenv("PPM_SOURCE_DIR");
  g_assert_nonnull(dir);
  return dir;
}

static char *
source_path(const char *relative)
{
  return g_build_filename(source_dir(), relative, NULL);
}

static const char *
tool(const char *variable)
{
  const char *path = g_getenv(variable);
  g_assert_nonnull(path);
  return path;
}

/* The non-empty lines of a file under the source tree, "#" comments left out. */
static GPtrArray *
read_list(const char *relative)
{
  g_autofree char *path = source_path(relative);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

  g_file_get_contents(path, &text, NULL, &error);
  g_assert_no_error(error);
  g_auto(GStrv) split = g_strsplit(text, "\n", -1);
  for (char **line = split; *line != NULL; line++)
    {
      g_strstrip(*line);
      if (**line != '\0' && **line != '#')
        g_ptr_array_add(lines, g_strdup(*line));
    }
  return lines;
}

/* Runs argv in the source tree; TRUE when it exits 0.  Its standard error goes
 * to the test log and, when `err_out` is not NULL, to the caller. */
static gboolean
run_capture(GPtrArray *argv, char **err_out)
{
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add(argv, NULL);
  g_spawn_sync(source_dir(), (char **)argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
               NULL, &err, &status, &error);
  g_assert_no_error(error);
  if (err != NULL && *err != '\0')
    g_test_message("%s: %s", (char *)argv->pdata[0], err);
  if (err_out != NULL)
    *err_out = g_steal_pointer(&err);
  return g_spawn_check_wait_status(status, NULL);
}

static gboolean
run(GPtrArray *argv)
{
  return run_capture(argv, NULL);
}

/* xgettext with meson's "glib" preset (po/xgettext-args), writing `pot`. */
static GPtrArray *
xgettext_argv(const char *pot)
{
  g_autoptr(GPtrArray) args = read_list("po/xgettext-args");
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);

  g_ptr_array_add(argv, g_strdup(tool("XGETTEXT")));
  g_ptr_array_add(argv, g_strdup("--package-name=purple-ppm"));
  g_ptr_array_add(argv, g_strdup("-k_"));
  g_ptr_array_add(argv, g_strconcat("--output=", pot, NULL));
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add(argv, g_strdup(args->pdata[i]));
  return argv;
}

/* TRUE when every message of `reference` is in `definitions` (translated or
 * not): msgcmp compares the msgctxt/msgid pairs only. */
static gboolean
messages_included(const char *reference, const char *definitions)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup(tool("MSGCMP")));
  g_ptr_array_add(argv, g_strdup("--use-untranslated"));
  g_ptr_array_add(argv, g_strdup("--use-fuzzy"));
  g_ptr_array_add(argv, g_strdup(definitions));
  g_ptr_array_add(argv, g_strdup(reference));
  return run(argv);
}

static char *
temp_dir(void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp("ppm-i18n-XXXXXX", &error);
  g_assert_no_error(error);
  return dir;
}

static void
remove_temp(const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename(dir, file, NULL);
  g_unlink(path);
  g_rmdir(dir);
}

static void
test_pot_up_to_date(void)
{
  g_autofree char *dir = temp_dir();
  g_autofree char *fresh = g_build_filename(dir, "fresh.pot", NULL);
  g_autofree char *committed = source_path("po/purple-ppm.pot");
  g_autoptr(GPtrArray) argv = xgettext_argv(fresh);

  g_ptr_array_add(argv, g_strdup("--files-from=po/POTFILES"));
  gboolean extracted = run(argv);
  gboolean complete = extracted && messages_included(fresh, committed);
  gboolean no_stale = extracted && messages_included(committed, fresh);
  remove_temp(dir, "fresh.pot");
  g_assert_true(extracted);
  if (!complete || !no_stale)
    g_test_message("po/purple-ppm.pot is out of date: run po/update");
  g_assert_true(complete);
  g_assert_true(no_stale);
}

/* A msgid xgettext cannot read whole (a format macro such as G_GINT64_FORMAT
 * spliced into the literal) never matches the string looked up at run time:
 * that text stays English in every language.  xgettext warns about it. */
static void
test_pot_format_strings(void)
{
  g_autofree char *dir = temp_dir();
  g_autofree char *pot = g_build_filename(dir, "check.pot", NULL);
  g_autoptr(GPtrArray) argv = xgettext_argv(pot);
  g_autofree char *err = NULL;

  g_ptr_array_add(argv, g_strdup("--files-from=po/POTFILES"));
  gboolean ran = run_capture(argv, &err);
  remove_temp(dir, "check.pot");
  g_assert_true(ran);
  g_assert_null(strstr(err != NULL ? err : "", "warning:"));
}

/* The .c and .h files under `relative`, recursively, as source-relative paths. */
static void
collect_sources(const char *relative, GPtrArray *files)
{
  g_autofree char *path = source_path(relative);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(path, 0, &error);
  const char *name;

  g_assert_no_error(error);
  while ((name = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *child = g_build_filename(relative, name, NULL);
      g_autofree char *full = source_path(child);
      if (g_file_test(full, G_FILE_TEST_IS_DIR))
        collect_sources(child, files);
      else if (g_str_has_suffix(name, ".c") || g_str_has_suffix(name, ".h"))
        g_ptr_array_add(files, g_steal_pointer(&child));
    }
}

/* The files named in the "#: file:line ..." references of a PO file. */
static GHashTable *
referenced_files(const char *pot)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  g_file_get_contents(pot, &text, NULL, &error);
  g_assert_no_error(error);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      if (!g_str_has_prefix(*line, "#: "))
        continue;
      g_auto(GStrv) refs = g_strsplit(*line + 3, " ", -1);
      for (char **ref = refs; *ref != NULL; ref++)
        {
          char *colon = strrchr(*ref, ':');
          if (colon != NULL)
            *colon = '\0';
          if (**ref != '\0')
            g_hash_table_add(files, g_strdup(*ref));
        }
    }
  return files;
}

static void
test_potfiles_complete(void)
{
  g_autofree char *dir = temp_dir();
  g_autofree char *all = g_build_filename(dir, "all.pot", NULL);
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) listed = read_list("po/POTFILES");
  g_autoptr(GPtrArray) argv = xgettext_argv(all);

  collect_sources("plugin", sources);
  collect_sources("ui", sources);
  collect_sources("server/web", sources);
  g_assert_cmpuint(sources->len, >, 0);
  for (guint i = 0; i < sources->len; i++)
    g_ptr_array_add(argv, g_strdup(sources->pdata[i]));
  gboolean extracted = run(argv);

  /* xgettext writes no file when it finds nothing at all. */
  g_autoptr(GHashTable) with_strings = extracted && g_file_test(all, G_FILE_TEST_EXISTS)
                                           ? referenced_files(all)
                                           : g_hash_table_new(NULL, NULL);
  remove_temp(dir, "all.pot");
  g_assert_true(extracted);
  g_assert_cmpuint(g_hash_table_size(with_strings), >, 0);

  GHashTableIter iter;
  const char *file;
  guint missing = 0;
  g_hash_table_iter_init(&iter, with_strings);
  while (g_hash_table_iter_next(&iter, (gpointer *)&file, NULL))
    if (!g_ptr_array_find_with_equal_func(listed, file, g_str_equal, NULL))
      {
        g_test_message("%s has translatable strings but is not in po/POTFILES", file);
        missing++;
      }
  g_assert_cmpuint(missing, ==, 0);
}

static void
test_translations_compile(void)
{
  g_autoptr(GPtrArray) languages = read_list("po/LINGUAS");

  g_assert_cmpuint(languages->len, >, 0);
  for (guint i = 0; i < languages->len; i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
      g_ptr_array_add(argv, g_strdup(tool("MSGFMT")));
      g_ptr_array_add(argv, g_strdup("--check"));
      g_ptr_array_add(argv, g_strdup("--check-accelerators=_"));
      g_ptr_array_add(argv, g_strdup("--output-file=/dev/null"));
      g_ptr_array_add(argv, g_strdup_printf("po/%s.po", (char *)languages->pdata[i]));
      g_test_message("checking po/%s.po", (char *)languages->pdata[i]);
      g_assert_true(run(argv));
    }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/i18n/pot/up-to-date", test_pot_up_to_date);
  g_test_add_func("/i18n/pot/format-strings", test_pot_format_strings);
  g_test_add_func("/i18n/potfiles/complete", test_potfiles_complete);
  g_test_add_func("/i18n/po/msgfmt-check", test_translations_compile);
  return g_test_run();
}
