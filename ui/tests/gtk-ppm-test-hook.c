/* gtk-ppm-test-hook: a Pidgin plugin built only for the GUI tests, loaded
 * next to gtk-ppm, that serves the test hook (ppm-gtk-hook.h). */
#include "ppm-gtk-hook.h"
#include "ppm-gtk-ipc.h"

#include <libpurple/debug.h>
#include <libpurple/plugin.h>
#include <libpurple/version.h>
#include <pidgin/gtkplugin.h>

static gboolean
ppm_gtk_test_hook_load(PurplePlugin *plugin)
{
  g_autoptr(GError) error = NULL;
  if (!ppm_gtk_hook_start(&error))
    {
      purple_debug_error("gtk-ppm-test-hook", "%s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ppm_gtk_test_hook_unload(PurplePlugin *plugin)
{
  ppm_gtk_hook_stop();
  return TRUE;
}

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .ui_requirement = PIDGIN_PLUGIN_TYPE,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = "gtk-ppm-test-hook",
  .name = "Pay per minute test hook",
  .version = PPM_VERSION,
  .summary = "Drives and reads gtk-ppm's windows for the GUI tests",
  .description = "Listens on the socket PPM_GTK_TEST_SOCKET names; for tests only.",
  .author = "purple-ppm",
  .homepage = "",
  .load = ppm_gtk_test_hook_load,
  .unload = ppm_gtk_test_hook_unload,
};

static void
ppm_gtk_test_hook_init(PurplePlugin *plugin)
{
  info.dependencies = g_list_append(NULL, (gpointer)PPM_GTK_PLUGIN_ID);
}

PURPLE_INIT_PLUGIN(gtk_ppm_test_hook, ppm_gtk_test_hook_init, info)
