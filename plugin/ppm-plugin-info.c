#include "ppm-plugin-info.h"

#include <libintl.h>

#ifndef PPM_LOCALEDIR
#error "PPM_LOCALEDIR must be defined by the build"
#endif

void
ppm_plugin_info_translate(PurplePluginInfo *info)
{
  bindtextdomain(GETTEXT_PACKAGE, PPM_LOCALEDIR);
  bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
  info->name = dgettext(GETTEXT_PACKAGE, info->name);
  info->summary = dgettext(GETTEXT_PACKAGE, info->summary);
  info->description = dgettext(GETTEXT_PACKAGE, info->description);
}
