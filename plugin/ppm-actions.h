/* The plugin's actions (Tools > Pay per minute in Pidgin, Actions in Finch). */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* PurplePluginInfo.actions: the list libpurple frees after use. */
GList *ppm_actions_list(PurplePlugin *plugin, gpointer context);

G_END_DECLS
