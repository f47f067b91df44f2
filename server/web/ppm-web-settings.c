/* My Account > Settings: a member chooses which models may bill it (its
 * allow-list, docs/billing-rules.md#allow-list) and the time zone of the
 * pages' times.  The zone is a cookie of this browser, not a column of the
 * store (ppm-web-lang.h). */
#include "ppm-web-page.h"
#include "ppm-web-pages.h"

#define SETTINGS_PATH "/account/settings"
#define SETTINGS_TITLE N_("Settings")
/* The one answer for an email or handle of nobody and of someone who is not
 * a model: the page must not tell which emails exist. */
#define NO_SUCH_MODEL N_("No model has that email or IM handle.")
#define NOT_ON_LIST N_("That model is not on your list.")

/* The signed-in member, or NULL after answering. */
static PpmStoreUser *
settings_begin(PpmHttpRequest *request)
{
  g_autoptr(PpmStoreUser) user = ppm_web_require_user(request);

  if (user == NULL)
    return NULL;
  if (user->role != PPM_ROLE_MEMBER)
    {
      ppm_web_respond_message(request, 403, user, _(SETTINGS_TITLE),
                              _("Only members choose which models may bill them."));
      return NULL;
    }
  return g_steal_pointer(&user);
}

/* A one-button form that posts `action` with one more field. */
static void
append_button_form(GString *html, PpmHttpRequest *request, const char *action, const char *fields,
                   const char *label)
{
  ppm_web_form_begin(html, request, SETTINGS_PATH, TRUE);
  ppm_web_append(html, "<input type=\"hidden\" name=\"action\" value=\"%s\">", action);
  g_string_append(html, fields);
  ppm_web_append(html, "<button type=\"submit\">%s</button></form>", label);
}

static void
append_allowed(GString *html, PpmHttpRequest *request, const PpmStoreAllowList *list)
{
  ppm_web_append(html, "<h2>%s</h2>", _("Models you allow"));
  if (list->allowed->len == 0)
    {
      ppm_web_append(html, "<p class=\"empty\">%s</p>", _("No model yet."));
      return;
    }
  g_string_append(html, "<table id=\"allowed\"><tbody>");
  for (guint i = 0; i < list->allowed->len; i++)
    {
      const PpmStoreAllowedModel *model = g_ptr_array_index(list->allowed, i);
      g_autoptr(GString) fields = g_string_new(NULL);

      ppm_web_append(fields,
                     "<input type=\"hidden\" name=\"model\" value=\"%" G_GINT64_FORMAT "\">",
                     model->id);
      ppm_web_append(html, "<tr><td><strong>%s</strong></td><td class=\"num\">",
                     model->display_name);
      append_button_form(html, request, "remove", fields->str, _("Remove"));
      g_string_append(html, "</td></tr>");
    }
  g_string_append(html, "</tbody></table>");
}

static void
append_suggested(GString *html, PpmHttpRequest *request, const PpmStoreAllowList *list)
{
  if (list->suggested->len == 0)
    return;
  ppm_web_append(html, "<h2>%s</h2><table id=\"suggested\"><tbody>",
                 _("Models you had calls with"));
  for (guint i = 0; i < list->suggested->len; i++)
    {
      const PpmStoreAllowedModel *model = g_ptr_array_index(list->suggested, i);
      g_autoptr(GString) fields = g_string_new(NULL);

      ppm_web_append(fields,
                     "<input type=\"hidden\" name=\"kind\" value=\"%s\">"
                     "<input type=\"hidden\" name=\"who\" value=\"%s\">",
                     model->protocol, model->handle);
      ppm_web_append(html,
                     "<tr><td><strong>%s</strong><span class=\"sub\">%s</span></td>"
                     "<td class=\"num\">",
                     model->display_name, model->handle);
      append_button_form(html, request, "add", fields->str, _("Allow"));
      g_string_append(html, "</td></tr>");
    }
  g_string_append(html, "</tbody></table>");
}

static void
append_time_zone(GString *html, PpmHttpRequest *request, const char *zone)
{
  ppm_web_append(html, "<h2>%s</h2>", _("Time zone"));
  ppm_web_form_begin(html, request, SETTINGS_PATH, TRUE);
  ppm_web_append(html,
                 "<input type=\"hidden\" name=\"action\" value=\"timezone\">"
                 "<label for=\"tz\">%s</label>"
                 "<input id=\"tz\" name=\"tz\" type=\"text\" required maxlength=\"64\" "
                 "value=\"%s\" placeholder=\"Europe/Berlin\">"
                 "<p class=\"hint\">%s</p><button type=\"submit\">%s</button></form>",
                 _("Show times in"), zone,
                 _("An IANA time zone name such as Europe/Berlin or Asia/Tokyo; UTC when "
                   "empty. This browser remembers it."),
                 _("Save"));
}

static void
settings_render(PpmHttpRequest *request, guint status, const PpmStoreUser *user,
                const char *message, const char *who, const char *zone)
{
  PpmStore *store = ppm_http_request_get_platform(request)->store;
  g_auto(PpmStoreAllowList) list = { 0 };
  g_autoptr(GString) html = g_string_new(NULL);
  g_autoptr(GError) error = NULL;

  if (!ppm_store_allow_list_get(store, user->id, &list, &error))
    {
      g_warning("settings page failed: %s", error->message);
      ppm_web_respond_message(request, 500, user, _(SETTINGS_TITLE), _(PPM_WEB_PROBLEM));
      return;
    }
  ppm_web_append(html, "<p class=\"crumbs\">%s</p><h1>%s</h1><div class=\"card\">",
                 _("My Account › Settings"), _(SETTINGS_TITLE));
  if (message != NULL)
    ppm_web_append_message(html, status >= 400, message);
  ppm_web_append(html, "<h2>%s</h2>", _("Who may bill me"));
  ppm_web_form_begin(html, request, SETTINGS_PATH, TRUE);
  ppm_web_append(html,
                 "<input type=\"hidden\" name=\"action\" value=\"only\">"
                 "<label><input type=\"checkbox\" name=\"only\" value=\"on\"%s> %s</label>"
                 "<p class=\"hint\">%s</p><button type=\"submit\">%s</button></form>",
                 list.only ? " checked" : "", _("Only models I allow may bill me"),
                 _("When this is on, a call with any other model is not billed to you."),
                 _("Save"));
  append_allowed(html, request, &list);
  ppm_web_append(html, "<h2>%s</h2>", _("Allow a model"));
  ppm_web_form_begin(html, request, SETTINGS_PATH, TRUE);
  ppm_web_append(html,
                 "<input type=\"hidden\" name=\"action\" value=\"add\">"
                 "<label for=\"kind\">%s</label><select id=\"kind\" name=\"kind\">"
                 "<option value=\"email\">%s</option>"
                 "<option value=\"prpl-jabber\">%s</option></select>"
                 "<label for=\"who\">%s</label>"
                 "<input id=\"who\" name=\"who\" type=\"text\" required value=\"%s\">"
                 "<button class=\"primary\" type=\"submit\">%s</button></form>",
                 _("By"), _("Email on this platform"), _("XMPP address"), _("Email or IM handle"),
                 who, _("Allow"));
  append_suggested(html, request, &list);
  append_time_zone(html, request, zone);
  g_string_append(html, "</div>");
  ppm_web_respond_page(request, status, user, _(SETTINGS_TITLE), html->str);
}

void
ppm_web_settings_get(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = settings_begin(request);

  g_autoptr(GTimeZone) zone = NULL;

  if (user == NULL)
    return;
  zone = ppm_web_time_zone(request);
  settings_render(request, 200, user, NULL, "", g_time_zone_get_identifier(zone));
}

/* Adds the model named by the form's kind ("email" or a protocol id) and
 * who; returns the message for the page and sets *status. */
static const char *
settings_add(PpmStore *store, const PpmStoreUser *user, GHashTable *form, guint *status)
{
  const char *kind = ppm_web_field(form, "kind");
  const char *who = ppm_web_field(form, "who");
  g_autoptr(GError) error = NULL;
  gboolean email = g_str_equal(kind, "email");

  if (ppm_store_allow_model(store, user->id, email ? who : NULL, kind, who, &error))
    {
      *status = 200;
      return _("The model was added to your list.");
    }
  *status = ppm_store_error_status(error);
  if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID))
    return email ? _("Enter a valid email address.") : _("Enter a valid IM handle.");
  if (g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
    return _(NO_SUCH_MODEL);
  g_warning("allow-list add failed: %s", error->message);
  return _(PPM_WEB_PROBLEM);
}

/* Remembers the time zone `zone` ("" for UTC) in this browser. */
static const char *
settings_time_zone(PpmHttpRequest *request, const char *zone, guint *status)
{
  const char *chosen = *zone != '\0' ? zone : "UTC";

  if (!ppm_web_time_zone_valid(chosen))
    return _("Enter an IANA time zone name such as Europe/Berlin.");
  ppm_web_time_zone_remember(request, chosen);
  *status = 200;
  return _("Times are shown in your time zone now.");
}

static const char *
settings_change(PpmHttpRequest *request, const PpmStoreUser *user, GHashTable *form, guint *status)
{
  PpmStore *store = ppm_http_request_get_platform(request)->store;
  const char *action = ppm_web_field(form, "action");
  g_autoptr(GError) error = NULL;
  gboolean only = g_str_equal(ppm_web_field(form, "only"), "on");
  guint64 model_id;

  if (g_str_equal(action, "add"))
    return settings_add(store, user, form, status);
  *status = 422;
  if (g_str_equal(action, "timezone"))
    return settings_time_zone(request, ppm_web_field(form, "tz"), status);
  if (g_str_equal(action, "only"))
    {
      if (!ppm_store_allow_list_set_only(store, user->id, only, &error))
        goto failed;
      *status = 200;
      return only ? _("Only the models on your list may bill you now.")
                  : _("Any model may bill you now.");
    }
  if (!g_str_equal(action, "remove"))
    return _("This form cannot be used that way.");
  if (!g_ascii_string_to_unsigned(ppm_web_field(form, "model"), 10, 1, G_MAXINT64, &model_id, NULL))
    return _(NOT_ON_LIST);
  if (!ppm_store_allow_list_remove(store, user->id, (gint64)model_id, &error))
    {
      if (!g_error_matches(error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
        goto failed;
      *status = 404;
      return _(NOT_ON_LIST);
    }
  *status = 200;
  return _("The model was removed from your list.");

failed:
  g_warning("settings change failed: %s", error->message);
  *status = 500;
  return _(PPM_WEB_PROBLEM);
}

void
ppm_web_settings_post(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = settings_begin(request);
  GHashTable *form = user != NULL ? ppm_web_post_form(request, user) : NULL;
  const char *message;
  const char *zone;
  g_autoptr(GTimeZone) before = NULL;
  guint status;

  if (form == NULL)
    return;
  message = settings_change(request, user, form, &status);
  /* A refused address or zone stays in its field to be corrected; a saved
   * zone shows as saved, the cookie reaching the server only from the
   * next request on. */
  before = ppm_web_time_zone(request);
  zone = g_str_equal(ppm_web_field(form, "action"), "timezone")
             ? ppm_web_field(form, "tz")
             : g_time_zone_get_identifier(before);
  settings_render(request, status, user, message, status == 200 ? "" : ppm_web_field(form, "who"),
                  zone);
}
