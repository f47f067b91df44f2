/* The plugin's preferences, as docs/plugin-contract.md lists them. */
#pragma once

#define PPM_PREFS_ROOT "/plugins/core/ppm"
#define PPM_PREF_SERVER_URL PPM_PREFS_ROOT "/server_url"
#define PPM_PREF_EMAIL PPM_PREFS_ROOT "/email"
#define PPM_PREF_CA_FILE PPM_PREFS_ROOT "/ca_file"
#define PPM_PREF_AUTO_DECLINE PPM_PREFS_ROOT "/auto_decline"
#define PPM_PREF_NOTIFY_MEMBER PPM_PREFS_ROOT "/notify_member"
#define PPM_PREF_MAX_UNBILLED_SECONDS PPM_PREFS_ROOT "/max_unbilled_seconds"
#define PPM_PREF_NO_MEDIA_SECONDS PPM_PREFS_ROOT "/no_media_seconds"
#define PPM_PREF_RING_TIMEOUT_SECONDS PPM_PREFS_ROOT "/ring_timeout_seconds"
#define PPM_PREF_LAST_MINUTE_WARNING PPM_PREFS_ROOT "/last_minute_warning"

/* Creates every preference with its default unless it exists already.  Runs
 * when the plugin is probed, so a host can set them before loading it. */
void ppm_prefs_register(void);
