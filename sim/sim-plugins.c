#include "sim-plugins.h"

#include <gio/gio.h>
#include <purple.h>

#include "sim-events.h"
#include "sim-options.h"
#include "sim-ui.h"

/* The plugins named by --plugin: libpurple's own prpls get no events. */
static GPtrArray *sim_plugins;

static void
sim_plugin_event(PurplePlugin *plugin, gpointer event)
{
  if (sim_plugins != NULL && g_ptr_array_find(sim_plugins, plugin, NULL))
    ppm_sim_event(event, "id", purple_plugin_get_id(plugin), NULL);
}

static gboolean
sim_parse_bool(const char *text, gboolean *value)
{
  if (g_ascii_strcasecmp(text, "true") == 0 || g_str_equal(text, "1"))
    *value = TRUE;
  else if (g_ascii_strcasecmp(text, "false") == 0 || g_str_equal(text, "0"))
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

gboolean
ppm_sim_pref_apply(const char *assignment, GError **error)
{
  g_auto(GStrv) parts = g_strsplit(assignment, "=", 2);
  gboolean flag = FALSE;
  gint64 number = 0;

  if (g_strv_length(parts) != 2)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "--pref %s: expected PATH=VALUE",
                  assignment);
      return FALSE;
    }
  switch (purple_prefs_get_type(parts[0]))
    {
      case PURPLE_PREF_BOOLEAN:
        if (!sim_parse_bool(parts[1], &flag))
          break;
        purple_prefs_set_bool(parts[0], flag);
        return TRUE;
      case PURPLE_PREF_INT:
        if (!g_ascii_string_to_signed(parts[1], 10, G_MININT, G_MAXINT, &number, NULL))
          break;
        purple_prefs_set_int(parts[0], (int)number);
        return TRUE;
      case PURPLE_PREF_STRING:
        purple_prefs_set_string(parts[0], parts[1]);
        return TRUE;
      case PURPLE_PREF_PATH:
        purple_prefs_set_path(parts[0], parts[1]);
        return TRUE;
      default:
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "--pref %s: no such pref, or not a bool, int, string or path", parts[0]);
        return FALSE;
    }
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
              "--pref %s: \"%s\" does not fit the pref's type", parts[0], parts[1]);
  return FALSE;
}

static gboolean
sim_plugins_unload(gpointer data)
{
  for (guint i = 0; i < sim_plugins->len; i++)
    purple_plugin_unload(sim_plugins->pdata[i]);
  return G_SOURCE_REMOVE;
}

gboolean
ppm_sim_plugins_load(char **paths, char **prefs, double unload_after, GError **error)
{
  static int handle;

  sim_plugins = g_ptr_array_new();

  purple_signal_connect(purple_plugins_get_handle(), "plugin-load", &handle,
                        PURPLE_CALLBACK(sim_plugin_event), "plugin-loaded");
  purple_signal_connect(purple_plugins_get_handle(), "plugin-unload", &handle,
                        PURPLE_CALLBACK(sim_plugin_event), "plugin-unloaded");
  for (char **path = paths; path != NULL && *path != NULL; path++)
    {
      PurplePlugin *plugin = purple_plugin_probe(*path);

      if (plugin == NULL || plugin->error != NULL)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot probe plugin %s: %s", *path,
                      plugin != NULL ? plugin->error : "not a libpurple plugin");
          return FALSE;
        }
      g_ptr_array_add(sim_plugins, plugin);
    }
  /* The plugins' own prefs exist from here on. */
  for (char **pref = prefs; pref != NULL && *pref != NULL; pref++)
    if (!ppm_sim_pref_apply(*pref, error))
      return FALSE;
  for (guint i = 0; i < sim_plugins->len; i++)
    {
      PurplePlugin *plugin = sim_plugins->pdata[i];

      if (!purple_plugin_load(plugin))
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot load plugin %s: %s",
                      purple_plugin_get_id(plugin),
                      plugin->error != NULL ? plugin->error : "its load function refused");
          return FALSE;
        }
    }
  if (sim_plugins->len > 0 && unload_after >= 0)
    g_timeout_add((guint)(unload_after * 1000), sim_plugins_unload, NULL);
  return TRUE;
}

/* The action labelled `name` of one of the --plugin plugins, run with
 * `button` as the answer to the requests it opens; the id of its plugin,
 * NULL when none has it. */
static const char *
sim_plugin_action_run(const char *name, const char *button)
{
  for (guint i = 0; i < sim_plugins->len; i++)
    {
      PurplePlugin *plugin = sim_plugins->pdata[i];
      gboolean ran = FALSE;

      if (!purple_plugin_is_loaded(plugin) || !PURPLE_PLUGIN_HAS_ACTIONS(plugin))
        continue;
      GList *actions = PURPLE_PLUGIN_ACTIONS(plugin, NULL);
      for (GList *l = actions; l != NULL; l = l->next)
        {
          PurplePluginAction *action = l->data;

          if (!ran && g_strcmp0(action->label, name) == 0)
            {
              action->plugin = plugin;
              ppm_sim_request_set_answer(button);
              action->callback(action);
              ppm_sim_request_set_answer(NULL);
              ran = TRUE;
            }
          purple_plugin_action_free(action);
        }
      g_list_free(actions);
      if (ran)
        return purple_plugin_get_id(plugin);
    }
  return NULL;
}

static gboolean
sim_plugin_action_due(gpointer data)
{
  const PpmSimPluginAction *action = data;
  const char *id = sim_plugin_action_run(action->name, action->button);

  ppm_sim_event("plugin-action", "status", id != NULL ? "ran" : "missing", "id", id, "text",
                action->name, NULL);
  return G_SOURCE_REMOVE;
}

static GPtrArray *sim_actions;
static PurpleAccount *sim_actions_account;

static void
sim_actions_signed_on(PurpleConnection *gc, gpointer data)
{
  if (sim_actions == NULL || purple_connection_get_account(gc) != sim_actions_account)
    return;
  for (guint i = 0; i < sim_actions->len; i++)
    {
      PpmSimPluginAction *action = g_ptr_array_index(sim_actions, i);

      g_timeout_add((guint)(action->seconds * 1000), sim_plugin_action_due, action);
    }
  /* Once: a later reconnection does not run them again. */
  sim_actions = NULL;
}

void
ppm_sim_plugins_schedule_actions(GPtrArray *actions, PurpleAccount *account)
{
  static int handle;

  sim_actions = actions;
  sim_actions_account = account;
  purple_signal_connect(purple_connections_get_handle(), "signed-on", &handle,
                        PURPLE_CALLBACK(sim_actions_signed_on), NULL);
}
