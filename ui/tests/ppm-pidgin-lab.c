#include "ppm-pidgin-lab.h"

#include "lab-process.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PPM_LAB_START_TIMEOUT_S 60

static gboolean
ppm_pidgin_lab_start_xvfb(PpmPidginLab *lab, GError **error)
{
  int fds[2];
  if (!g_unix_open_pipe(fds, FD_CLOEXEC, error))
    return FALSE;
  /* Xvfb picks a free display itself and writes its number to fd 3. */
  const char *argv[]
      = { "Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", NULL };
  int source_fds[] = { fds[1] };
  int target_fds[] = { 3 };
  gboolean ok = g_spawn_async_with_pipes_and_fds(
      NULL, argv, NULL,
      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
          | G_SPAWN_STDERR_TO_DEV_NULL,
      ppm_lab_child_setup, NULL, -1, -1, -1, source_fds, target_fds, 1, &lab->xvfb, NULL, NULL,
      NULL, error);
  close(fds[1]);
  if (!ok)
    {
      close(fds[0]);
      return FALSE;
    }
  char buffer[16] = { 0 };
  gsize used = 0;
  while (used < sizeof buffer - 1 && strchr(buffer, '\n') == NULL)
    {
      ssize_t n = read(fds[0], buffer + used, sizeof buffer - 1 - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      used += (gsize)n;
    }
  close(fds[0]);
  if (strchr(buffer, '\n') == NULL)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Xvfb did not report a display");
      return FALSE;
    }
  lab->display = atoi(buffer);
  return TRUE;
}

static char *
ppm_pidgin_lab_prefs_xml(PpmPidginLab *lab, const PpmPidginLabConfig *config)
{
  GString *xml
      = g_string_new("<?xml version='1.0' encoding='UTF-8' ?>\n<pref version='1' name='/'>\n");
  g_string_append(xml, " <pref name='purple'>\n  <pref name='network'>\n"
                       "   <pref name='map_ports' type='bool' value='0'/>\n"
                       "   <pref name='auto_ip' type='bool' value='0'/>\n"
                       "   <pref name='stun_server' type='string' value=''/>\n"
                       "  </pref>\n </pref>\n");
  g_autofree char *gtk_path = g_build_filename(lab->dir, "plugins", "gtk-ppm.so", NULL);
  g_autofree char *hook_path = g_build_filename(lab->dir, "plugins", "gtk-ppm-test-hook.so", NULL);
  g_autofree char *gtk_item = g_markup_printf_escaped(
      "    <item value='%s'/>\n    <item value='%s'/>\n", gtk_path, hook_path);
  g_string_append_printf(
      xml,
      " <pref name='pidgin'>\n  <pref name='plugins'>\n"
      "   <pref name='loaded' type='pathlist'>\n%s   </pref>\n  </pref>\n"
      "  <pref name='vvconfig'>\n   <pref name='audio'>\n"
      "    <pref name='src'><pref name='device' type='string' value='audiotestsrc'/></pref>\n"
      "    <pref name='sink'><pref name='device' type='string' value='fakesink'/></pref>\n"
      "   </pref>\n   <pref name='video'>\n"
      "    <pref name='src'><pref name='device' type='string' value='videotestsrc'/></pref>\n"
      "   </pref>\n  </pref>\n"
      " </pref>\n",
      gtk_item);
  g_string_append(xml, " <pref name='plugins'>\n  <pref name='core'>\n   <pref name='ppm'>\n");
  for (const char *const *p = config != NULL ? config->extra_prefs_xml : NULL;
       p != NULL && *p != NULL; p++)
    g_string_append_printf(xml, "    %s\n", *p);
  g_string_append(xml, "   </pref>\n  </pref>\n </pref>\n</pref>\n");
  return g_string_free(xml, FALSE);
}

static gboolean
ppm_pidgin_lab_write_config(PpmPidginLab *lab, const PpmPidginLabConfig *config, GError **error)
{
  const char *core = g_getenv("PPM_CORE_PLUGIN");
  const char *gtk = g_getenv("PPM_GTK_PLUGIN");
  const char *hook = g_getenv("PPM_GTK_HOOK_PLUGIN");
  if (core == NULL || gtk == NULL || hook == NULL)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                  "PPM_CORE_PLUGIN, PPM_GTK_PLUGIN and PPM_GTK_HOOK_PLUGIN must be set");
      return FALSE;
    }
  g_autofree char *plugins = g_build_filename(lab->dir, "plugins", NULL);
  g_mkdir_with_parents(plugins, 0700);
  g_autofree char *core_link = g_build_filename(plugins, "ppm.so", NULL);
  g_autofree char *gtk_link = g_build_filename(plugins, "gtk-ppm.so", NULL);
  g_autofree char *hook_link = g_build_filename(plugins, "gtk-ppm-test-hook.so", NULL);
  if (symlink(core, core_link) != 0 || symlink(gtk, gtk_link) != 0 || symlink(hook, hook_link) != 0)
    {
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "symlink: %s",
                  g_strerror(errno));
      return FALSE;
    }
  g_autofree char *prefs = ppm_pidgin_lab_prefs_xml(lab, config);
  g_autofree char *prefs_path = g_build_filename(lab->dir, "prefs.xml", NULL);
  if (!g_file_set_contents(prefs_path, prefs, -1, error))
    return FALSE;
  if (config != NULL && config->accounts_xml != NULL)
    {
      g_autofree char *accounts = g_build_filename(lab->dir, "accounts.xml", NULL);
      if (!g_file_set_contents(accounts, config->accounts_xml, -1, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
ppm_pidgin_lab_start_pidgin(PpmPidginLab *lab, const PpmPidginLabConfig *config, GError **error)
{
  g_auto(GStrv) env = g_get_environ();
  g_autofree char *display = g_strdup_printf(":%d", lab->display);
  g_autofree char *cache = g_build_filename(lab->dir, "cache", NULL);
  env = g_environ_setenv(env, "DISPLAY", display, TRUE);
  env = g_environ_setenv(env, "HOME", lab->dir, TRUE);
  env = g_environ_setenv(env, "XDG_CACHE_HOME", cache, TRUE);
  env = g_environ_setenv(env, "PPM_GTK_TEST_SOCKET", lab->socket, TRUE);
  env = g_environ_setenv(env, "NO_AT_BRIDGE", "1", TRUE);
  env = g_environ_setenv(env, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  env = g_environ_unsetenv(env, "G_DEBUG");
  /* A sanitized gtk-ppm needs the runtime preloaded into the stock pidgin. */
  const char *preload = g_getenv("PPM_GUI_PRELOAD");
  if (preload != NULL && *preload != '\0')
    {
      env = g_environ_setenv(env, "LD_PRELOAD", preload, TRUE);
      env = g_environ_setenv(env, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
    }
  for (const char *const *e = config != NULL ? config->env : NULL; e != NULL && *e != NULL; e++)
    {
      g_auto(GStrv) pair = g_strsplit(*e, "=", 2);
      env = g_environ_setenv(env, pair[0], pair[1] != NULL ? pair[1] : "", TRUE);
    }

  int log = g_open(lab->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0)
    {
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", lab->log_path,
                  g_strerror(errno));
      return FALSE;
    }
  const char *argv[] = { "pidgin", "-d", "-c", lab->dir, NULL };
  gboolean ok = g_spawn_async_with_pipes_and_fds(NULL, argv, (const char *const *)env,
                                                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                                 ppm_lab_child_setup, NULL, -1, log, log, NULL,
                                                 NULL, 0, &lab->pidgin, NULL, NULL, NULL, error);
  close(log);
  return ok;
}

static gboolean
ppm_pidgin_lab_connect(PpmPidginLab *lab, GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new(lab->socket);
  gint64 deadline = g_get_monotonic_time() + PPM_LAB_START_TIMEOUT_S * G_USEC_PER_SEC;
  while (g_get_monotonic_time() < deadline)
    {
      int status;
      if (ppm_lab_process_wait(&lab->pidgin, 0, &status))
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "pidgin exited; see %s", lab->log_path);
          return FALSE;
        }
      lab->hook = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(address), NULL, NULL);
      if (lab->hook != NULL)
        {
          g_socket_set_timeout(g_socket_connection_get_socket(lab->hook), 20);
          lab->replies
              = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(lab->hook)));
          return TRUE;
        }
      g_usleep(100 * 1000);
    }
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the test hook did not answer; see %s",
              lab->log_path);
  return FALSE;
}

PpmPidginLab *
ppm_pidgin_lab_start(const PpmPidginLabConfig *config, GError **error)
{
  g_autoptr(PpmPidginLab) lab = g_new0(PpmPidginLab, 1);
  lab->dir = g_dir_make_tmp("ppm-pidgin-XXXXXX", error);
  if (lab->dir == NULL)
    return NULL;
  lab->socket = g_build_filename(lab->dir, "hook.sock", NULL);
  const char *artifacts = g_getenv("PPM_GUI_ARTIFACTS");
  g_autofree char *log_name = g_strdup_printf("pidgin-%d.log", (int)getpid());
  lab->log_path = g_build_filename(artifacts != NULL ? artifacts : ".", log_name, NULL);
  if (artifacts != NULL)
    g_mkdir_with_parents(artifacts, 0755);
  if (!ppm_pidgin_lab_write_config(lab, config, error) || !ppm_pidgin_lab_start_xvfb(lab, error)
      || !ppm_pidgin_lab_start_pidgin(lab, config, error) || !ppm_pidgin_lab_connect(lab, error))
    return NULL;
  return g_steal_pointer(&lab);
}

char *
ppm_pidgin_lab_escape(const char *value)
{
  return g_uri_escape_string(value != NULL ? value : "", NULL, FALSE);
}

char *
ppm_pidgin_lab_command(PpmPidginLab *lab, GError **error, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *line = g_strdup_vprintf(format, args);
  va_end(args);
  g_autofree char *request = g_strconcat(line, "\n", NULL);
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(lab->hook));
  if (!g_output_stream_write_all(out, request, strlen(request), NULL, NULL, error))
    return NULL;
  g_autofree char *reply = g_data_input_stream_read_line_utf8(lab->replies, NULL, NULL, error);
  if (reply == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the hook closed the connection");
      return NULL;
    }
  if (g_str_equal(reply, "ok"))
    return g_strdup("");
  if (g_str_has_prefix(reply, "ok "))
    return g_uri_unescape_string(reply + 3, NULL);
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", line, reply);
  return NULL;
}

char *
ppm_pidgin_lab_dump(PpmPidginLab *lab, GError **error)
{
  return ppm_pidgin_lab_command(lab, error, "dump");
}

gboolean
ppm_pidgin_lab_wait_dump(PpmPidginLab *lab, const char *needle, int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  do
    {
      g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
      if (dump != NULL && strstr(dump, needle) != NULL)
        return TRUE;
      g_usleep(100 * 1000);
    }
  while (g_get_monotonic_time() < deadline);
  return FALSE;
}

char *
ppm_pidgin_lab_widget(PpmPidginLab *lab, const char *window, const char *widget)
{
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_autofree char *prefix = g_strdup_printf("  %s: ", widget);
  g_auto(GStrv) lines = g_strsplit(dump != NULL ? dump : "", "\n", -1);
  gboolean inside = FALSE;
  for (char **l = lines; *l != NULL; l++)
    {
      if (g_str_has_prefix(*l, "window "))
        inside = strstr(*l, window) != NULL;
      else if (inside && g_str_has_prefix(*l, prefix))
        return g_strdup(*l + strlen(prefix));
    }
  return NULL;
}

/* Runs a program against the lab's display; `output` (may be NULL) gets its stdout. */
static gboolean
ppm_pidgin_lab_run(PpmPidginLab *lab, GPtrArray *argv, char **output, GError **error)
{
  g_auto(GStrv) env = g_get_environ();
  g_autofree char *display = g_strdup_printf(":%d", lab->display);
  env = g_environ_setenv(env, "DISPLAY", display, TRUE);
  g_ptr_array_add(argv, NULL);
  int status = 0;
  g_autofree char *err = NULL;
  if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL, output, &err,
                    &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, error))
    {
      g_prefix_error(error, "%s: %s ", (char *)argv->pdata[0], err);
      return FALSE;
    }
  return TRUE;
}

gboolean
ppm_pidgin_lab_screenshot(PpmPidginLab *lab, const char *name, const char *window_title,
                          GError **error)
{
  g_autofree char *window = g_strdup("root");
  if (window_title != NULL)
    {
      g_autoptr(GPtrArray) search = g_ptr_array_new();
      g_ptr_array_add(search, (gpointer) "xdotool");
      g_ptr_array_add(search, (gpointer) "search");
      g_ptr_array_add(search, (gpointer) "--onlyvisible");
      g_ptr_array_add(search, (gpointer) "--name");
      g_ptr_array_add(search, (gpointer)window_title);
      g_autofree char *ids = NULL;
      if (!ppm_pidgin_lab_run(lab, search, &ids, error))
        return FALSE;
      g_free(window);
      window = g_strndup(ids, strcspn(ids, "\n"));
    }
  const char *artifacts = g_getenv("PPM_GUI_ARTIFACTS");
  g_autofree char *file = g_strdup_printf("%s.png", name);
  g_autofree char *path = g_build_filename(artifacts != NULL ? artifacts : ".", file, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer) "import");
  g_ptr_array_add(argv, (gpointer) "-window");
  g_ptr_array_add(argv, window);
  g_ptr_array_add(argv, path);
  return ppm_pidgin_lab_run(lab, argv, NULL, error);
}

gboolean
ppm_pidgin_lab_xdotool(PpmPidginLab *lab, GError **error, const char *first_arg, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer) "xdotool");
  va_list args;
  va_start(args, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg(args, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(args);
  return ppm_pidgin_lab_run(lab, argv, NULL, error);
}

gboolean
ppm_pidgin_lab_quit(PpmPidginLab *lab, int *status)
{
  g_clear_object(&lab->replies);
  g_clear_object(&lab->hook);
  if (lab->pidgin <= 0)
    return FALSE;
  kill(lab->pidgin, SIGTERM);
  return ppm_lab_process_wait(&lab->pidgin, 10000, status);
}

void
ppm_pidgin_lab_free(PpmPidginLab *lab)
{
  if (lab == NULL)
    return;
  g_clear_object(&lab->replies);
  g_clear_object(&lab->hook);
  ppm_lab_process_stop(&lab->pidgin);
  ppm_lab_process_stop(&lab->xvfb);
  if (lab->dir != NULL)
    ppm_lab_remove_tree(lab->dir);
  g_free(lab->dir);
  g_free(lab->socket);
  g_free(lab->log_path);
  g_free(lab);
}
