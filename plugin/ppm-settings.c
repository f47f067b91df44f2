/* The default settings dialog: every preference (docs/plugin-contract.md) and the model's
 * rate (GET /v1/me, PUT /v1/me/rate); and the same preferences as the frame of
 * Configure Plugin in the plugin list. */
#include "ppm-i18n.h"
#include "ppm-platform-api.h"
#include "ppm-platform.h"
#include "ppm-prefs.h"
#include "ppm-ui.h"

#include <string.h>

typedef struct
{
  const char *pref;
  const char *label;
} Setting;

static const Setting string_settings[] = {
  { PPM_PREF_SERVER_URL, N_("Platform URL") },
  { PPM_PREF_EMAIL, N_("Email") },
  { PPM_PREF_CA_FILE, N_("CA file (empty: the system's)") },
};
static const Setting bool_settings[] = {
  { PPM_PREF_AUTO_DECLINE, N_("Decline calls from non-members and unfunded members") },
  { PPM_PREF_NOTIFY_MEMBER, N_("Tell the member about every charge") },
  { PPM_PREF_LAST_MINUTE_WARNING, N_("Warn at the last paid minute") },
};
/* A day: longer than any call anyone waits for. */
#define PPM_SETTINGS_MAX_SECONDS 86400

static const Setting int_settings[] = {
  { PPM_PREF_RING_TIMEOUT_SECONDS, N_("Decline unanswered calls after (seconds, 0 = never)") },
  { PPM_PREF_NO_MEDIA_SECONDS, N_("End calls without media after (seconds, 0 = off)") },
  { PPM_PREF_MAX_UNBILLED_SECONDS, N_("End calls unbilled for (seconds, 0 = no limit)") },
};

/* The field id of a preference: its last path component. */
static const char *
field_id(const char *pref)
{
  return strrchr(pref, '/') + 1;
}

static void
settings_ok(gpointer data, PurpleRequestFields *fields)
{
  for (gsize i = 0; i < G_N_ELEMENTS(string_settings); i++)
    {
      const char *value
          = purple_request_fields_get_string(fields, field_id(string_settings[i].pref));
      purple_prefs_set_string(string_settings[i].pref, value != NULL ? value : "");
    }
  for (gsize i = 0; i < G_N_ELEMENTS(bool_settings); i++)
    purple_prefs_set_bool(bool_settings[i].pref,
                          purple_request_fields_get_bool(fields, field_id(bool_settings[i].pref)));
  for (gsize i = 0; i < G_N_ELEMENTS(int_settings); i++)
    purple_prefs_set_int(int_settings[i].pref, MAX(0, purple_request_fields_get_integer(
                                                          fields, field_id(int_settings[i].pref))));

  const char *rate = purple_request_fields_get_string(fields, "rate");
  g_autofree char *old = ppm_platform_rate_text();
  if (rate != NULL && *rate != '\0' && g_strcmp0(rate, old) != 0)
    ppm_platform_set_rate(rate);
}

void
ppm_settings_dialog_show(PurplePlugin *plugin)
{
  PurpleRequestFields *fields = purple_request_fields_new();
  PurpleRequestFieldGroup *platform = purple_request_field_group_new(_("Platform"));
  for (gsize i = 0; i < G_N_ELEMENTS(string_settings); i++)
    purple_request_field_group_add_field(
        platform, purple_request_field_string_new(
                      field_id(string_settings[i].pref), _(string_settings[i].label),
                      purple_prefs_get_string(string_settings[i].pref), FALSE));
  g_autofree char *rate = ppm_platform_rate_text();
  PurpleRequestField *rate_field
      = purple_request_field_string_new("rate", _("Your rate per minute"), rate, FALSE);
  purple_request_field_set_visible(rate_field, ppm_platform_is_signed_in());
  purple_request_field_group_add_field(platform, rate_field);
  purple_request_fields_add_group(fields, platform);

  PurpleRequestFieldGroup *calls = purple_request_field_group_new(_("Calls"));
  for (gsize i = 0; i < G_N_ELEMENTS(bool_settings); i++)
    purple_request_field_group_add_field(
        calls,
        purple_request_field_bool_new(field_id(bool_settings[i].pref), _(bool_settings[i].label),
                                      purple_prefs_get_bool(bool_settings[i].pref)));
  for (gsize i = 0; i < G_N_ELEMENTS(int_settings); i++)
    purple_request_field_group_add_field(
        calls,
        purple_request_field_int_new(field_id(int_settings[i].pref), _(int_settings[i].label),
                                     purple_prefs_get_int(int_settings[i].pref)));
  purple_request_fields_add_group(fields, calls);

  purple_request_fields(plugin, _("Pay per minute settings"), _("Settings"), NULL, fields,
                        _("_Save"), G_CALLBACK(settings_ok), _("_Cancel"), NULL, NULL, NULL, NULL,
                        NULL);
}

PurplePluginPrefFrame *
ppm_settings_pref_frame(PurplePlugin *plugin)
{
  PurplePluginPrefFrame *frame = purple_plugin_pref_frame_new();
  purple_plugin_pref_frame_add(frame, purple_plugin_pref_new_with_label(_("Platform")));
  for (gsize i = 0; i < G_N_ELEMENTS(string_settings); i++)
    purple_plugin_pref_frame_add(frame, purple_plugin_pref_new_with_name_and_label(
                                            string_settings[i].pref, _(string_settings[i].label)));
  purple_plugin_pref_frame_add(frame, purple_plugin_pref_new_with_label(_("Calls")));
  for (gsize i = 0; i < G_N_ELEMENTS(bool_settings); i++)
    purple_plugin_pref_frame_add(frame, purple_plugin_pref_new_with_name_and_label(
                                            bool_settings[i].pref, _(bool_settings[i].label)));
  for (gsize i = 0; i < G_N_ELEMENTS(int_settings); i++)
    {
      PurplePluginPref *pref = purple_plugin_pref_new_with_name_and_label(int_settings[i].pref,
                                                                          _(int_settings[i].label));
      purple_plugin_pref_set_bounds(pref, 0, PPM_SETTINGS_MAX_SECONDS);
      purple_plugin_pref_frame_add(frame, pref);
    }
  return frame;
}
