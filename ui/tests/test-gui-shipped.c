/* The shipped gtk-ppm carries no test hook: none of the hook's symbols or
 * strings are in gtk-ppm.so (they are in the hook's own module), and no
 * package installs the hook's module. */
#define _GNU_SOURCE /* memmem */
#include <glib.h>
#include <string.h>

/* Names only the hook defines: its functions, its socket variable, its commands. */
static const char *const hook_marks[] = {
  "ppm_gtk_hook_start", "ppm_gtk_hook_stop",   "ppm_gtk_dump_windows",
  "ppm_gtk_dump_find",  "PPM_GTK_TEST_SOCKET", "tools-menu",
};

static gboolean
contains(const char *data, gsize length, const char *needle)
{
  return memmem(data, length, needle, strlen(needle)) != NULL;
}

static char *
read_env_file(const char *variable, gsize *length)
{
  const char *path = g_getenv(variable);
  g_assert_nonnull(path);
  char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_get_contents(path, &data, length, &error));
  g_assert_no_error(error);
  return data;
}

static void
test_plugin_has_no_hook(void)
{
  gsize plugin_length = 0, hook_length = 0;
  g_autofree char *plugin = read_env_file("PPM_GTK_PLUGIN", &plugin_length);
  g_autofree char *hook = read_env_file("PPM_GTK_HOOK_PLUGIN", &hook_length);
  for (gsize i = 0; i < G_N_ELEMENTS(hook_marks); i++)
    {
      /* Each mark is really the hook's: the test module has it. */
      g_assert_true(contains(hook, hook_length, hook_marks[i]));
      if (contains(plugin, plugin_length, hook_marks[i]))
        g_error("gtk-ppm.so contains the test hook's \"%s\"", hook_marks[i]);
    }
}

static void
test_packages_ship_no_hook(void)
{
  const char *dir_path = g_getenv("PPM_PACKAGING_DIR");
  g_assert_nonnull(dir_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
  g_assert_no_error(error);
  gboolean ships_plugin = FALSE;
  for (const char *name; (name = g_dir_read_name(dir)) != NULL;)
    {
      if (!g_str_has_suffix(name, ".install"))
        continue;
      g_autofree char *path = g_build_filename(dir_path, name, NULL);
      g_autofree char *text = NULL;
      g_assert_true(g_file_get_contents(path, &text, NULL, &error));
      g_assert_no_error(error);
      if (strstr(text, "test-hook") != NULL)
        g_error("%s installs the test hook", name);
      ships_plugin = ships_plugin || strstr(text, "gtk-ppm.so") != NULL;
    }
  g_assert_true(ships_plugin);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/gui/shipped/plugin-has-no-hook", test_plugin_has_no_hook);
  g_test_add_func("/gui/shipped/packages-ship-no-hook", test_packages_ship_no_hook);
  return g_test_run();
}
