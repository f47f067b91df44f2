#include "ppm-gtk-core.h"

#include <glib/gi18n-lib.h>
#include <libpurple/plugin.h>

static PurplePlugin *
ppm_gtk_core_plugin(void)
{
  PurplePlugin *core = purple_plugins_find_with_id(PPM_PLUGIN_ID);
  return core != NULL && purple_plugin_is_loaded(core) ? core : NULL;
}

gboolean
ppm_gtk_core_set_ui_ops(const PpmUiOps *ops)
{
  PurplePlugin *core = ppm_gtk_core_plugin();
  gboolean ok = FALSE;
  if (core != NULL)
    purple_plugin_ipc_call(core, PPM_IPC_SET_UI_OPS, &ok, ops);
  return core != NULL && ok;
}

char *
ppm_gtk_core_status(void)
{
  PurplePlugin *core = ppm_gtk_core_plugin();
  if (core == NULL)
    return g_strdup(_("The pay-per-minute core plugin is not loaded"));
  char *status = purple_plugin_ipc_call(core, PPM_IPC_GET_STATUS, NULL);
  return status != NULL ? status : g_strdup("");
}

void
ppm_gtk_core_set_rate(const char *amount)
{
  PurplePlugin *core = ppm_gtk_core_plugin();
  if (core != NULL)
    purple_plugin_ipc_call(core, PPM_IPC_SET_RATE, NULL, amount);
}

char *
ppm_gtk_core_rate(void)
{
  PurplePlugin *core = ppm_gtk_core_plugin();
  return core != NULL ? purple_plugin_ipc_call(core, PPM_IPC_GET_RATE, NULL) : NULL;
}

void
ppm_gtk_core_sign_in(const char *email, const char *password, gboolean remember,
                     PpmSignInResult done, gpointer user_data)
{
  PurplePlugin *core = ppm_gtk_core_plugin();
  if (core == NULL)
    {
      done(_("The pay-per-minute core plugin is not loaded"), user_data);
      return;
    }
  PpmSignInRequest request = {
    .email = email,
    .password = password,
    .remember = remember,
    .done = done,
    .user_data = user_data,
  };
  purple_plugin_ipc_call(core, PPM_IPC_SIGN_IN, NULL, &request);
}

void
ppm_gtk_core_sign_out(void)
{
  PurplePlugin *core = ppm_gtk_core_plugin();
  if (core != NULL)
    purple_plugin_ipc_call(core, PPM_IPC_SIGN_OUT, NULL);
}

/* Finds core-ppm's action labelled `label` (untranslated; core-ppm translates
 * in our text domain) and runs it if `run`. */
static gboolean
ppm_gtk_core_action(const char *label, gboolean run)
{
  PurplePlugin *core = ppm_gtk_core_plugin();
  if (core == NULL || core->info->actions == NULL)
    return FALSE;
  const char *wanted = dgettext(GETTEXT_PACKAGE, label);
  GList *actions = core->info->actions(core, NULL);
  gboolean found = FALSE;
  for (GList *l = actions; l != NULL; l = l->next)
    {
      PurplePluginAction *action = l->data;
      if (action == NULL)
        continue;
      if (!found && g_strcmp0(action->label, wanted) == 0)
        {
          found = TRUE;
          action->plugin = core;
          if (run)
            action->callback(action);
        }
      purple_plugin_action_free(action);
    }
  g_list_free(actions);
  return found;
}

gboolean
ppm_gtk_core_has_action(const char *label)
{
  return ppm_gtk_core_action(label, FALSE);
}

gboolean
ppm_gtk_core_run_action(const char *label)
{
  return ppm_gtk_core_action(label, TRUE);
}
