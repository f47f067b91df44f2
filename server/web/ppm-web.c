#include "ppm-web.h"

#include <string.h>

#include "ppm-web-page.h"
#include "ppm-web-pages.h"

/* Every page once: ppm_web_routes[] and the dispatch table both come from
 * this list, so --print-routes cannot drift from what is served.  HASHES:
 * the page checks or hashes a password (ppm_web_hashes()). */
#define PPM_WEB_ROUTE_LIST(ROUTE)                                                                  \
  ROUTE("GET", "/", ppm_web_root_get, FALSE)                                                       \
  ROUTE("GET", "/account/signup", ppm_web_signup_get, FALSE)                                       \
  ROUTE("POST", "/account/signup", ppm_web_signup_post, TRUE)                                      \
  ROUTE("GET", "/account/login", ppm_web_login_get, FALSE)                                         \
  ROUTE("POST", "/account/login", ppm_web_login_post, TRUE)                                        \
  ROUTE("POST", "/account/logout", ppm_web_logout_post, FALSE)                                     \
  ROUTE("GET", "/account/password", ppm_web_password_get, FALSE)                                   \
  ROUTE("POST", "/account/password", ppm_web_password_post, TRUE)                                  \
  ROUTE("GET", "/account/payments/history", ppm_web_history_get, FALSE)                            \
  ROUTE("GET", "/account/sessions/{id}/rate", ppm_web_rate_get, FALSE)                             \
  ROUTE("POST", "/account/sessions/{id}/rate", ppm_web_rate_post, FALSE)                           \
  ROUTE("GET", "/account/settings", ppm_web_settings_get, FALSE)                                   \
  ROUTE("POST", "/account/settings", ppm_web_settings_post, FALSE)                                 \
  ROUTE("POST", "/account/language", ppm_web_language_post, FALSE)

#define ROUTE_STRING(method, pattern, handler, hashes) method " " pattern,
#define ROUTE_ENTRY(method, pattern, handler, hashes) { method, pattern, handler, hashes },

const char *const ppm_web_routes[] = { PPM_WEB_ROUTE_LIST(ROUTE_STRING) NULL };

typedef struct
{
  const char *method;
  const char *pattern;
  void (*handle)(PpmHttpRequest *request, const char *id);
  gboolean hashes;
} PpmWebRoute;

static const PpmWebRoute routes[] = { PPM_WEB_ROUTE_LIST(ROUTE_ENTRY) };

/* Whether `path` matches `pattern`, where "{id}" stands for one non-empty
 * segment; that segment is returned in *id. */
static gboolean
route_match(const char *pattern, const char *path, char **id)
{
  const char *slot = strstr(pattern, "{id}");
  gsize prefix, suffix, length = strlen(path);

  if (slot == NULL)
    return strcmp(pattern, path) == 0;
  prefix = (gsize)(slot - pattern);
  suffix = strlen(slot + 4);
  if (length <= prefix + suffix || strncmp(path, pattern, prefix) != 0
      || strcmp(path + length - suffix, slot + 4) != 0)
    return FALSE;
  *id = g_strndup(path + prefix, length - prefix - suffix);
  if (strchr(*id, '/') == NULL)
    return TRUE;
  g_clear_pointer(id, g_free);
  return FALSE;
}

static void
respond_not_allowed(PpmHttpRequest *request, const char *id)
{
  ppm_web_respond_message(request, 405, NULL, _("Not possible"),
                          _("This page cannot be used that way."));
}

gboolean
ppm_web_handle(PpmHttpRequest *request)
{
  const char *method = ppm_http_request_get_method(request);
  const char *path = ppm_http_request_get_path(request);
  g_autoptr(GString) allowed = g_string_new(NULL);

  for (gsize i = 0; i < G_N_ELEMENTS(routes); i++)
    {
      g_autofree char *id = NULL;

      if (!route_match(routes[i].pattern, path, &id))
        continue;
      if (strcmp(routes[i].method, method) == 0)
        {
          ppm_web_language_run(request, routes[i].handle, id);
          return TRUE;
        }
      g_string_append_printf(allowed, "%s%s", allowed->len > 0 ? ", " : "", routes[i].method);
    }
  if (allowed->len == 0)
    return FALSE;
  ppm_http_add_header(request, "Allow", allowed->str);
  ppm_web_language_run(request, respond_not_allowed, NULL);
  return TRUE;
}

gboolean
ppm_web_hashes(const char *method, const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS(routes); i++)
    {
      g_autofree char *id = NULL;

      if (strcmp(routes[i].method, method) == 0 && route_match(routes[i].pattern, path, &id))
        return routes[i].hashes;
    }
  return FALSE;
}

static void
respond_busy(PpmHttpRequest *request, const char *id)
{
  ppm_web_respond_message(
      request, 503, NULL, _("Busy"),
      _("Too many people are signing in right now. Try again in a few seconds."));
}

void
ppm_web_busy(PpmHttpRequest *request, gint64 retry_after_s)
{
  g_autofree char *retry = g_strdup_printf("%" G_GINT64_FORMAT, retry_after_s);

  ppm_http_add_header(request, "Retry-After", retry);
  ppm_web_language_run(request, respond_busy, NULL);
}
