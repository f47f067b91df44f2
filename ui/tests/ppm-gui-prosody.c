#include "ppm-gui-prosody.h"

#include "lab-process.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

static gboolean
ppm_gui_prosody_register(const char *config, const char *user, const char *password, GError **error)
{
  const char *argv[]
      = { "prosodyctl", "--config", config, "register", user, "localhost", password, NULL };
  int status = 0;
  g_autofree char *err = NULL;
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                    NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, error))
    {
      g_prefix_error(error, "prosodyctl register %s: %s ", user, err);
      return FALSE;
    }
  return TRUE;
}

/* Prosody's internal storage: DATA/localhost/roster/USER.dat, a Lua table. */
static gboolean
ppm_gui_prosody_roster(const char *data, const char *user, const char *const *users, GError **error)
{
  g_autofree char *dir = g_build_filename(data, "localhost", "roster", NULL);
  g_mkdir_with_parents(dir, 0700);
  GString *lua = g_string_new("return {\n\t[false] = { [\"version\"] = 1; };\n");
  for (const char *const *u = users; *u != NULL; u++)
    if (g_strcmp0(*u, user) != 0)
      g_string_append_printf(
          lua, "\t[\"%s@localhost\"] = { [\"subscription\"] = \"both\"; [\"groups\"] = {}; };\n",
          *u);
  g_string_append(lua, "};\n");
  g_autofree char *file = g_strdup_printf("%s.dat", user);
  g_autofree char *path = g_build_filename(dir, file, NULL);
  g_autofree char *text = g_string_free(lua, FALSE);
  return g_file_set_contents(path, text, -1, error);
}

static gboolean
ppm_gui_prosody_wait(PpmGuiProsody *prosody, GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new();
  for (int i = 0; i < 100; i++)
    {
      int status;
      if (ppm_lab_process_wait(&prosody->pid, 0, &status))
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "prosody exited; see %s/prosody.log",
                      prosody->dir);
          return FALSE;
        }
      g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host(
          client, "127.0.0.1", (guint16)prosody->port, NULL, NULL);
      if (connection != NULL)
        return TRUE;
      g_usleep(100 * 1000);
    }
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "prosody did not listen on port %d",
              prosody->port);
  return FALSE;
}

PpmGuiProsody *
ppm_gui_prosody_start(const char *dir, int port, const char *const *users, const char *password,
                      GError **error)
{
  g_autoptr(PpmGuiProsody) prosody = g_new0(PpmGuiProsody, 1);
  prosody->port = port;
  prosody->dir = g_strdup(dir);
  g_autofree char *data = g_build_filename(dir, "prosody-data", NULL);
  g_autofree char *config = g_build_filename(dir, "prosody.cfg.lua", NULL);
  g_mkdir_with_parents(data, 0700);
  g_autofree char *text = g_strdup_printf(
      "run_as_root = true\n"
      "daemonize = false\n"
      "pidfile = \"%s/prosody.pid\"\n"
      "data_path = \"%s\"\n"
      "interfaces = { \"127.0.0.1\" }\n"
      "c2s_interfaces = { \"127.0.0.1\" }\n"
      "c2s_ports = { %d }\n"
      "s2s_ports = {}\n"
      "c2s_require_encryption = false\n"
      "allow_unencrypted_plain_auth = true\n"
      "authentication = \"internal_plain\"\n"
      "modules_enabled = { \"roster\", \"saslauth\", \"disco\", \"presence\", \"ping\", \"posix\" "
      "}\n"
      "log = { { levels = { min = \"info\" }, to = \"file\", filename = \"%s/prosody.log\" } }\n"
      "VirtualHost \"localhost\"\n",
      dir, data, port, dir);
  if (!g_file_set_contents(config, text, -1, error))
    return NULL;
  for (const char *const *u = users; *u != NULL; u++)
    if (!ppm_gui_prosody_register(config, *u, password, error)
        || !ppm_gui_prosody_roster(data, *u, users, error))
      return NULL;
  const char *argv[] = { "prosody", "-F", "--config", config, NULL };
  if (!g_spawn_async(NULL, (char **)argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                         | G_SPAWN_STDERR_TO_DEV_NULL,
                     ppm_lab_child_setup, NULL, &prosody->pid, error)
      || !ppm_gui_prosody_wait(prosody, error))
    return NULL;
  return g_steal_pointer(&prosody);
}

void
ppm_gui_prosody_free(PpmGuiProsody *prosody)
{
  if (prosody == NULL)
    return;
  ppm_lab_process_stop(&prosody->pid);
  g_free(prosody->dir);
  g_free(prosody);
}
