/* Signing in from a dialog: core-ppm's own "Sign in…" (field ids email,
 * password (masked), remember), or a UI's through the sign-in IPC. */
#include "ppm-i18n.h"
#include "ppm-platform-api.h"
#include "ppm-platform.h"
#include "ppm-prefs.h"

static PurplePlugin *
plugin_handle(void)
{
  return purple_plugins_find_with_id(PPM_PLUGIN_ID);
}

static void sign_in_dialog_open(const char *email, gboolean remember, const char *problem);

/* What the dialog had, to open it again with why the sign-in failed. */
typedef struct
{
  char *email;
  gboolean remember;
} DialogSignIn;

static void
sign_in_done(const GError *error, gpointer user_data)
{
  DialogSignIn *asked = user_data;
  if (error == NULL)
    purple_notify_info(plugin_handle(), _("Pay per minute"), _("Signed in to the platform"),
                       _("Connecting your platform account to your IM account…"));
  else
    {
      g_autofree char *words = ppm_platform_error_words(error);
      sign_in_dialog_open(asked->email, asked->remember, words);
    }
  g_free(asked->email);
  g_free(asked);
}

/* NULL when both are given, else what is missing in words. */
static const char *
sign_in_missing(const char *email, const char *password)
{
  if (email == NULL || *email == '\0' || password == NULL || *password == '\0')
    return _("Enter your email and password.");
  return NULL;
}

/* A failed sign-in opens the dialog again, saying why, with what was typed
 * but the password. */
static void
sign_in_ok(gpointer data, PurpleRequestFields *fields)
{
  const char *email = purple_request_fields_get_string(fields, "email");
  const char *password = purple_request_fields_get_string(fields, "password");
  gboolean remember = purple_request_fields_get_bool(fields, "remember");
  const char *missing = sign_in_missing(email, password);
  if (missing != NULL)
    {
      sign_in_dialog_open(email, remember, missing);
      return;
    }
  DialogSignIn *asked = g_new0(DialogSignIn, 1);
  asked->email = g_strdup(email);
  asked->remember = remember;
  ppm_platform_sign_in(email, password, remember, sign_in_done, asked);
}

typedef struct
{
  PpmSignInResult done; /* NULL once the UI is gone */
  gpointer user_data;
} UiSignIn;

/* Sign-ins of the UI not answered yet. */
static GSList *ui_sign_ins;

static void
ui_sign_in_done(const GError *error, gpointer data)
{
  UiSignIn *request = data;
  /* Only a pointer comparison: the request may have been freed at unload. */
  if (g_slist_find(ui_sign_ins, request) == NULL)
    return;
  ui_sign_ins = g_slist_remove(ui_sign_ins, request);
  g_autofree char *words = error != NULL ? ppm_platform_error_words(error) : NULL;
  if (request->done != NULL)
    request->done(words, request->user_data);
  g_free(request);
}

void
ppm_platform_sign_in_for_ui(const PpmSignInRequest *request)
{
  UiSignIn *pending = g_new0(UiSignIn, 1);
  pending->done = request->done;
  pending->user_data = request->user_data;
  ui_sign_ins = g_slist_prepend(ui_sign_ins, pending);
  const char *missing = sign_in_missing(request->email, request->password);
  if (missing != NULL)
    {
      g_autoptr(GError) error
          = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, missing);
      ui_sign_in_done(error, pending);
    }
  else
    ppm_platform_sign_in(request->email, request->password, request->remember, ui_sign_in_done,
                         pending);
}

void
ppm_platform_sign_in_forget_ui(void)
{
  for (GSList *l = ui_sign_ins; l != NULL; l = l->next)
    ((UiSignIn *)l->data)->done = NULL;
}

static void
sign_in_dialog_open(const char *email, gboolean remember, const char *problem)
{
  PurpleRequestFields *fields = purple_request_fields_new();
  PurpleRequestFieldGroup *group = purple_request_field_group_new(NULL);
  PurpleRequestField *field = purple_request_field_string_new("email", _("Email"), email, FALSE);
  purple_request_field_set_required(field, TRUE);
  purple_request_field_group_add_field(group, field);
  field = purple_request_field_string_new("password", _("Password"), NULL, FALSE);
  purple_request_field_string_set_masked(field, TRUE);
  purple_request_field_set_required(field, TRUE);
  purple_request_field_group_add_field(group, field);
  purple_request_field_group_add_field(
      group, purple_request_field_bool_new("remember", _("Remember the password"), remember));
  purple_request_fields_add_group(fields, group);
  purple_request_fields(
      plugin_handle(), _("Sign in"), _("Sign in with your verified platform account"), problem,
      fields, _("_Sign in"), G_CALLBACK(sign_in_ok), _("_Cancel"), NULL, NULL, NULL, NULL, NULL);
}

void
ppm_platform_sign_in_dialog(void)
{
  sign_in_dialog_open(purple_prefs_get_string(PPM_PREF_EMAIL), FALSE, NULL);
}

void
ppm_platform_sign_in_shutdown(void)
{
  g_slist_free_full(g_steal_pointer(&ui_sign_ins), g_free);
}
