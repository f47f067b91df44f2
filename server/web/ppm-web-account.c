/* Signing up, in and out. */
#include <string.h>

#include "ppm-auth.h"
#include "ppm-validate.h"
#include "ppm-web-page.h"
#include "ppm-web-pages.h"
#include "ppm-web-session.h"

/* Signs the browser in after a successful login and goes on to `next`. */
static void
start_session(PpmHttpRequest *request, PpmTokenPair *pair, const char *next)
{
  ppm_web_session_start(request, pair->access_token);
  ppm_web_redirect(request, ppm_web_next_page(next));
}

static void
signup_render(PpmHttpRequest *request, guint status, const char *error, const char *email,
              const char *display_name)
{
  g_autoptr(GString) html = g_string_new(NULL);
  g_autofree char *login = ppm_web_url(request, "/account/login");
  g_autofree char *hint = g_strdup_printf(
      _("At least %d characters, not a word or a simple pattern."), PPM_PASSWORD_MIN_CHOSEN);

  ppm_web_append(html, "<div class=\"card narrow\"><h1>%s</h1>", _("Create your account"));
  if (error != NULL)
    ppm_web_append_message(html, TRUE, error);
  ppm_web_form_begin(html, request, "/account/signup", FALSE);
  ppm_web_append(
      html,
      "<label for=\"email\">%s</label>"
      "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required "
      "maxlength=\"%d\" value=\"%s\">"
      "<label for=\"display_name\">%s</label>"
      "<input id=\"display_name\" name=\"display_name\" type=\"text\" autocomplete=\"nickname\" "
      "required maxlength=\"%d\" value=\"%s\">"
      "<p class=\"hint\">%s</p>"
      "<label for=\"password\">%s</label>"
      "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" "
      "required minlength=\"%d\">"
      "<p class=\"hint\">%s</p>"
      "<button class=\"primary\" type=\"submit\">%s</button></form></div>"
      "<p class=\"after\">%s <a href=\"%s\">%s</a></p>",
      _("Email"), PPM_EMAIL_MAX_BYTES, email, _("Display name"), PPM_DISPLAY_NAME_MAX_BYTES,
      display_name, _("Models see this name when you call."), _("Password"),
      PPM_PASSWORD_MIN_CHOSEN, hint, _("Create account"), _("Already have an account?"), login,
      _("Sign in"));
  ppm_web_respond_page(request, status, NULL, _("Create account"), html->str);
}

void
ppm_web_signup_get(PpmHttpRequest *request, const char *id)
{
  signup_render(request, 200, NULL, "", "");
}

/* Creates the member account of a sign-up form; on failure *status and the
 * returned message (to free) say why.  Each well-formed sign-up counts
 * against its client address's limit before its password is hashed. */
static char *
signup_create(PpmHttpRequest *request, const char *typed_email, const char *display_name,
              const char *password, guint *status)
{
  PpmPlatform *platform = ppm_http_request_get_platform(request);
  PpmStore *store = platform->store;
  g_autofree char *hash = NULL;
  g_autofree char *email = NULL;
  g_autoptr(GError) error = NULL;
  gint64 user_id, retry_after_s;

  *status = 422;
  email = ppm_email_normalize(typed_email, &error);
  if (email == NULL)
    return g_strdup_printf(_("Enter a valid email address: %s."), error->message);
  if (!ppm_display_name_valid(display_name))
    return g_strdup(_("Enter a display name of up to 100 characters (accents and emoji count as "
                      "more), without control or text-direction characters."));
  if (!ppm_password_choice_check(password, email, &error))
    return g_strdup_printf(_("Choose another password: %s."), error->message);
  if (!ppm_throttle_take(platform->signups, ppm_http_request_get_client_address(request),
                         ppm_http_request_get_time_ms(request), &retry_after_s))
    {
      g_autofree char *retry = g_strdup_printf("%" G_GINT64_FORMAT, retry_after_s);

      ppm_http_add_header(request, "Retry-After", retry);
      *status = 429;
      return g_strdup(_("Too many accounts were created from your address in the last hour. "
                        "Try again later."));
    }
  hash = ppm_password_hash(password, &error);
  if (hash != NULL
      && ppm_store_create_user(store, email, PPM_ROLE_MEMBER, display_name, hash, &user_id, &error))
    return NULL;
  *status = ppm_store_error_status(error);
  if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_EMAIL_TAKEN))
    return g_strdup(_("An account with this email exists already. Sign in instead."));
  g_warning("sign-up failed: %s", error->message);
  return g_strdup(_(PPM_WEB_PROBLEM));
}

void
ppm_web_signup_post(PpmHttpRequest *request, const char *id)
{
  PpmStore *store = ppm_http_request_get_platform(request)->store;
  /* The sign-up and sign-in forms are always the anonymous ones. */
  GHashTable *form = ppm_web_post_form(request, NULL);
  g_autofree char *email = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *problem = NULL;
  const char *password;
  g_auto(PpmTokenPair) pair = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 retry_after_s = 0;
  guint status;

  if (form == NULL)
    return;
  email = g_strstrip(g_strdup(ppm_web_field(form, "email")));
  display_name = g_strstrip(g_strdup(ppm_web_field(form, "display_name")));
  password = ppm_web_field(form, "password");
  problem = signup_create(request, email, display_name, password, &status);
  if (problem != NULL)
    signup_render(request, status, problem, email, display_name);
  else if (ppm_auth_login(store, email, password, ppm_http_request_get_client_address(request),
                          ppm_http_request_get_time_ms(request), &pair, &retry_after_s, &error))
    start_session(request, &pair, NULL);
  else
    {
      /* The account exists; only the automatic sign-in failed. */
      g_warning("sign-in after sign-up failed: %s", error->message);
      ppm_web_redirect(request, "/account/login");
    }
}

static void
login_render(PpmHttpRequest *request, guint status, const char *error, const char *email,
             const char *next)
{
  g_autoptr(GString) html = g_string_new(NULL);
  g_autofree char *signup = ppm_web_url(request, "/account/signup");

  ppm_web_append(html, "<div class=\"card narrow\"><h1>%s</h1>", _("Sign in"));
  if (error != NULL)
    ppm_web_append_message(html, TRUE, error);
  ppm_web_form_begin(html, request, "/account/login", FALSE);
  ppm_web_append(
      html,
      "<input type=\"hidden\" name=\"next\" value=\"%s\">"
      "<label for=\"email\">%s</label>"
      "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required "
      "value=\"%s\">"
      "<label for=\"password\">%s</label>"
      "<input id=\"password\" name=\"password\" type=\"password\" "
      "autocomplete=\"current-password\" required>"
      "<button class=\"primary\" type=\"submit\">%s</button></form></div>"
      "<p class=\"after\">%s <a href=\"%s\">%s</a></p>",
      ppm_web_next_page(next), _("Email"), email, _("Password"), _("Sign in"), _("New here?"),
      signup, _("Create an account"));
  ppm_web_respond_page(request, status, NULL, _("Sign in"), html->str);
}

void
ppm_web_root_get(PpmHttpRequest *request, const char *id)
{
  ppm_web_redirect(request, "/account/login");
}

void
ppm_web_login_get(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = ppm_web_session_user(request);
  const char *next = ppm_http_request_get_query(request, "next");

  if (user != NULL)
    ppm_web_redirect(request, ppm_web_next_page(next));
  else
    login_render(request, 200, NULL, "", next);
}

/* "Try again in 3 minutes." for a Retry-After in seconds. */
static char *
retry_text(gint64 retry_after_s)
{
  gint64 minutes = MIN((retry_after_s + 59) / 60, G_MAXINT);

  return g_strdup_printf(dngettext(GETTEXT_PACKAGE, "Try again in %d minute.",
                                   "Try again in %d minutes.", (gulong)minutes),
                         (int)minutes);
}

void
ppm_web_login_post(PpmHttpRequest *request, const char *id)
{
  PpmPlatform *platform = ppm_http_request_get_platform(request);
  /* Like the sign-up form, an anonymous one. */
  GHashTable *form = ppm_web_post_form(request, NULL);
  g_autofree char *email = NULL;
  g_autofree char *message = NULL;
  const char *next;
  g_auto(PpmTokenPair) pair = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 retry_after_s = 0;

  if (form == NULL)
    return;
  email = g_strstrip(g_strdup(ppm_web_field(form, "email")));
  next = ppm_web_field(form, "next");
  if (ppm_auth_login(platform->store, email, ppm_web_field(form, "password"),
                     ppm_http_request_get_client_address(request),
                     ppm_http_request_get_time_ms(request), &pair, &retry_after_s, &error))
    {
      start_session(request, &pair, next);
    }
  else if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_RATE_LIMITED))
    {
      g_autofree char *retry = g_strdup_printf("%" G_GINT64_FORMAT, retry_after_s);
      g_autofree char *wait = retry_text(retry_after_s);

      message = g_strconcat(_("Too many failed sign-ins for this email."), " ", wait, NULL);
      ppm_http_add_header(request, "Retry-After", retry);
      login_render(request, 429, message, email, next);
    }
  else if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_UNAUTHORIZED))
    {
      login_render(request, 401, _("The email or the password is not right."), email, next);
    }
  else if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID))
    {
      message = g_strdup_printf(_("Enter a valid email address: %s."), error->message);
      login_render(request, 422, message, email, next);
    }
  else
    {
      g_warning("web sign-in failed: %s", error->message);
      login_render(request, 500, _(PPM_WEB_PROBLEM), email, next);
    }
}

void
ppm_web_logout_post(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = ppm_web_session_user(request);

  /* Without a valid session there is nothing to end, so no token to check. */
  if (user != NULL && ppm_web_post_form(request, user) == NULL)
    return;
  ppm_web_session_end(request);
  ppm_web_redirect(request, "/account/login");
}
