/* Changing the password of the signed-in user. */
#include "ppm-auth.h"
#include "ppm-web-page.h"
#include "ppm-web-pages.h"
#include "ppm-web-session.h"

static void
password_render(PpmHttpRequest *request, guint status, const PpmStoreUser *user,
                const char *message)
{
  g_autoptr(GString) html = g_string_new(NULL);
  g_autofree char *hint = g_strdup_printf(
      _("At least %d characters, not a word or a simple pattern. Other devices and apps are "
        "signed out."),
      PPM_PASSWORD_MIN_CHOSEN);

  ppm_web_append(html, "<div class=\"card narrow\"><h1>%s</h1>", _("Change your password"));
  if (message != NULL)
    ppm_web_append_message(html, status >= 400, message);
  ppm_web_form_begin(html, request, "/account/password", TRUE);
  ppm_web_append(html,
                 /* The hidden user name lets password managers store the right entry. */
                 "<input type=\"hidden\" name=\"username\" autocomplete=\"username\" value=\"%s\">"
                 "<label for=\"current_password\">%s</label>"
                 "<input id=\"current_password\" name=\"current_password\" type=\"password\" "
                 "autocomplete=\"current-password\" required>"
                 "<label for=\"new_password\">%s</label>"
                 "<input id=\"new_password\" name=\"new_password\" type=\"password\" "
                 "autocomplete=\"new-password\" required minlength=\"%d\">"
                 "<p class=\"hint\">%s</p>"
                 "<button class=\"primary\" type=\"submit\">%s</button></form></div>",
                 user->email, _("Current password"), _("New password"), PPM_PASSWORD_MIN_CHOSEN,
                 hint, _("Change password"));
  ppm_web_respond_page(request, status, user, _("Password"), html->str);
}

void
ppm_web_password_get(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = ppm_web_require_user(request);

  if (user != NULL)
    password_render(request, 200, user, NULL);
}

/* Checks the current password under the same throttling as signing in and
 * stores the new one; returns the message for the page (to free) and sets
 * *status. */
static char *
password_change(PpmHttpRequest *request, const PpmStoreUser *user, GHashTable *form, guint *status)
{
  PpmStore *store = ppm_http_request_get_platform(request)->store;
  const char *address = ppm_http_request_get_client_address(request);
  gint64 now_ms = ppm_http_request_get_time_ms(request);
  const char *new_password = ppm_web_field(form, "new_password");
  g_autofree char *keep = ppm_web_session_hash(request);
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after_s = 0;

  if (!ppm_store_login_attempt(store, user->email, address, now_ms, &retry_after_s, &error))
    {
      *status = ppm_store_error_status(error);
      return g_strdup(*status == 429
                          ? _("Too many wrong passwords. Wait a few minutes and try again.")
                          : _(PPM_WEB_PROBLEM));
    }
  if (!ppm_password_verify(user->password_hash, ppm_web_field(form, "current_password")))
    {
      *status = 401;
      return g_strdup(_("Your current password is not right."));
    }
  ppm_store_login_forget(store, user->email, address, NULL);
  *status = 422;
  if (!ppm_password_choice_check(new_password, user->email, &error))
    return g_strdup_printf(_("Choose another new password: %s."), error->message);
  hash = ppm_password_hash(new_password, &error);
  if (hash == NULL || !ppm_store_set_password(store, user->id, hash, keep, &error))
    {
      g_warning("password change failed: %s", error->message);
      *status = 500;
      return g_strdup(_(PPM_WEB_PROBLEM));
    }
  *status = 200;
  return g_strdup(_("Your password was changed. Other devices and apps were signed out."));
}

void
ppm_web_password_post(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = ppm_web_require_user(request);
  GHashTable *form = user != NULL ? ppm_web_post_form(request, user) : NULL;
  g_autofree char *message = NULL;
  guint status;

  if (form == NULL)
    return;
  message = password_change(request, user, form, &status);
  password_render(request, status, user, message);
}
