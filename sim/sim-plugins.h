/* Plugins loaded as Pidgin would, with prefs set in between. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* Probes every plugin in `paths`, applies `prefs` ("PATH=VALUE", typed by
 * the pref's existing type), loads the plugins, and unloads them after
 * `unload_after` seconds (never when negative).  Loads and unloads print
 * plugin-loaded/plugin-unloaded events. */
gboolean ppm_sim_plugins_load(char **paths, char **prefs, double unload_after, GError **error);

/* Applies one "PATH=VALUE" to an existing pref. */
gboolean ppm_sim_pref_apply(const char *assignment, GError **error);

/* Runs each PpmSimPluginAction (sim-options.h) its seconds after `account`
 * first signed on, printing a plugin-action event; a request the action
 * opens is answered with its button. */
void ppm_sim_plugins_schedule_actions(GPtrArray *actions, PurpleAccount *account);

G_END_DECLS
