/* The "Sign in…" dialog: field ids email, password (masked), remember. */
#include "ppm-i18n.h"
#include "ppm-platform-api.h"
#include "ppm-platform.h"
#include "ppm-prefs.h"

static PurplePlugin *
plugin_handle(void)
{
  return purple_plugins_find_with_id("core-ppm");
}

static void
sign_in_done(const GError *error, gpointer user_data)
{
  if (error == NULL)
    {
      purple_notify_info(plugin_handle(), _("Pay per minute"), _("Signed in to the platform"),
                         _("Connecting your platform account to your IM account…"));
      return;
    }
  g_autofree char *words = ppm_platform_error_words(error);
  purple_notify_error(plugin_handle(), _("Pay per minute"), _("Sign-in failed"), words);
}

static void
sign_in_ok(gpointer data, PurpleRequestFields *fields)
{
  const char *email = purple_request_fields_get_string(fields, "email");
  const char *password = purple_request_fields_get_string(fields, "password");
  gboolean remember = purple_request_fields_get_bool(fields, "remember");
  if (email == NULL || *email == '\0' || password == NULL || *password == '\0')
    {
      purple_notify_error(plugin_handle(), _("Pay per minute"), _("Sign-in failed"),
                          _("Enter your email and password."));
      return;
    }
  ppm_platform_sign_in(email, password, remember, sign_in_done, NULL);
}

void
ppm_platform_sign_in_dialog(void)
{
  PurpleRequestFields *fields = purple_request_fields_new();
  PurpleRequestFieldGroup *group = purple_request_field_group_new(NULL);
  PurpleRequestField *field = purple_request_field_string_new(
      "email", _("Email"), purple_prefs_get_string(PPM_PREF_EMAIL), FALSE);
  purple_request_field_set_required(field, TRUE);
  purple_request_field_group_add_field(group, field);
  field = purple_request_field_string_new("password", _("Password"), NULL, FALSE);
  purple_request_field_string_set_masked(field, TRUE);
  purple_request_field_set_required(field, TRUE);
  purple_request_field_group_add_field(group, field);
  purple_request_field_group_add_field(
      group, purple_request_field_bool_new("remember", _("Remember the password"), FALSE));
  purple_request_fields_add_group(fields, group);
  purple_request_fields(
      plugin_handle(), _("Sign in"), _("Sign in with your verified platform account"), NULL, fields,
      _("_Sign in"), G_CALLBACK(sign_in_ok), _("_Cancel"), NULL, NULL, NULL, NULL, NULL);
}
