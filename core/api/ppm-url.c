/* Platform URL validation: https, or http only to a loopback host. */
#include "ppm-url.h"

#include "ppm-api-error.h"

#include <gio/gio.h>
#include <string.h>

static gboolean
ppm_url_host_is_loopback(const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp(host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string(host);
  return address != NULL && g_inet_address_get_is_loopback(address);
}

static char *
ppm_url_fail(GError **error, const char *url, const char *why)
{
  g_set_error(error, PPM_API_ERROR, PPM_API_ERROR_INVALID_URL, "invalid server URL \"%s\": %s", url,
              why);
  return NULL;
}

char *
ppm_url_validate(const char *url, GError **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *scheme, *host, *path;
  g_autofree char *trimmed = NULL;

  if (url == NULL || *url == '\0')
    return ppm_url_fail(error, "", "empty");
  uri = g_uri_parse(url, G_URI_FLAGS_NONE, &parse_error);
  if (uri == NULL)
    return ppm_url_fail(error, url, parse_error->message);
  scheme = g_uri_get_scheme(uri);
  host = g_uri_get_host(uri);
  path = g_uri_get_path(uri);
  if (g_strcmp0(scheme, "https") != 0 && g_strcmp0(scheme, "http") != 0)
    return ppm_url_fail(error, url, "the scheme must be https (or http for this computer)");
  if (host == NULL || *host == '\0')
    return ppm_url_fail(error, url, "no host");
  if (g_uri_get_userinfo(uri) != NULL)
    return ppm_url_fail(error, url, "user names or passwords do not belong in the URL");
  if (g_uri_get_query(uri) != NULL || g_uri_get_fragment(uri) != NULL)
    return ppm_url_fail(error, url, "no query or fragment allowed");
  if (g_uri_get_port(uri) == 0)
    return ppm_url_fail(error, url, "port 0");
  if (g_str_equal(scheme, "http") && !ppm_url_host_is_loopback(host))
    return ppm_url_fail(error, url, "plain http is allowed only for this computer; use https");
  trimmed = g_strdup(url);
  if (path != NULL && g_str_has_suffix(trimmed, "/"))
    trimmed[strlen(trimmed) - 1] = '\0';
  return g_steal_pointer(&trimmed);
}
