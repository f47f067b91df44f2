/* What the plugin list shows of core-ppm, in Spanish: the name, summary and
 * description are translated when the plugin is probed, after it bound its
 * text domain.  Run with LC_ALL=C.UTF-8 LANGUAGE=es and PPM_LOCALEDIR, the
 * build tree's catalogues. */
#define _GNU_SOURCE
#include "plugin-host.h"

#include <dlfcn.h>
#include <locale.h>

/* The plugin binds its text domain to the installed catalogues.  Its call
 * resolves to this program's bindtextdomain() first (the program exports
 * its symbols), which sends our domain to the build tree instead. */
char *bindtextdomain(const char *domain, const char *dir);

char *
bindtextdomain(const char *domain, const char *dir)
{
  char *(*real)(const char *, const char *);
  /* POSIX's way to a function pointer from dlsym(). */
  *(void **)&real = dlsym(RTLD_NEXT, "bindtextdomain");
  if (dir != NULL && g_strcmp0(domain, GETTEXT_PACKAGE) == 0)
    dir = g_getenv("PPM_LOCALEDIR");
  return real(domain, dir);
}

static void
test_plugin_list_in_spanish(void)
{
  PurplePlugin *plugin = ppm_host_probe_plugin();
  g_assert_cmpstr(plugin->info->name, ==, "Pago por minuto");
  g_assert_cmpstr(plugin->info->summary, ==, "Cobra por minuto las llamadas de voz y vídeo");
  g_assert_true(g_str_has_prefix(plugin->info->description, "Consulta a quienes llaman"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(g_getenv("PPM_LOCALEDIR"));
  g_assert_nonnull(setlocale(LC_ALL, ""));
  ppm_host_init();
  g_test_add_func("/plugin/i18n/plugin-list-in-spanish", test_plugin_list_in_spanish);
  int status = g_test_run();
  ppm_host_shutdown();
  return status;
}
