#include "ppm-url-check.h"

#include <gio/gio.h>

static gboolean
ppm_url_host_is_loopback(const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp(host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string(host);
  return address != NULL && g_inet_address_get_is_loopback(address);
}

PpmUrlProblem
ppm_url_check(const char *url)
{
  if (url == NULL || *url == '\0')
    return PPM_URL_EMPTY;
  g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return PPM_URL_UNPARSABLE;
  const char *scheme = g_uri_get_scheme(uri);
  const char *host = g_uri_get_host(uri);
  if (g_strcmp0(scheme, "https") != 0 && g_strcmp0(scheme, "http") != 0)
    return PPM_URL_BAD_SCHEME;
  if (host == NULL || *host == '\0')
    return PPM_URL_NO_HOST;
  if (g_uri_get_userinfo(uri) != NULL)
    return PPM_URL_USER_INFO;
  if (g_uri_get_query(uri) != NULL || g_uri_get_fragment(uri) != NULL)
    return PPM_URL_QUERY;
  if (g_uri_get_port(uri) == 0)
    return PPM_URL_PORT_ZERO;
  if (g_str_equal(scheme, "http") && !ppm_url_host_is_loopback(host))
    return PPM_URL_PLAIN_HTTP;
  return PPM_URL_OK;
}
