#include "ppm-prefs.h"

#include <purple.h>

void
ppm_prefs_register(void)
{
  purple_prefs_add_none("/plugins");
  purple_prefs_add_none("/plugins/core");
  purple_prefs_add_none(PPM_PREFS_ROOT);
  purple_prefs_add_string(PPM_PREF_SERVER_URL, "");
  purple_prefs_add_string(PPM_PREF_EMAIL, "");
  purple_prefs_add_string(PPM_PREF_CA_FILE, "");
  purple_prefs_add_bool(PPM_PREF_AUTO_DECLINE, FALSE);
  purple_prefs_add_bool(PPM_PREF_NOTIFY_MEMBER, FALSE);
  purple_prefs_add_int(PPM_PREF_MAX_UNBILLED_SECONDS, 0);
  purple_prefs_add_int(PPM_PREF_NO_MEDIA_SECONDS, 15);
  purple_prefs_add_int(PPM_PREF_RING_TIMEOUT_SECONDS, 60);
  purple_prefs_add_bool(PPM_PREF_LAST_MINUTE_WARNING, TRUE);
}
