/* Platform URL validation: https, or http only to a loopback host. */
#include "ppm-url.h"

#include "ppm-api-error.h"
#include "ppm-url-check.h"

#include <string.h>

char *
ppm_url_validate(const char *url, GError **error)
{
  static const char *const why[] = {
    [PPM_URL_EMPTY] = "empty",
    [PPM_URL_UNPARSABLE] = "not a URL",
    [PPM_URL_BAD_SCHEME] = "the scheme must be https (or http for this computer)",
    [PPM_URL_NO_HOST] = "no host",
    [PPM_URL_USER_INFO] = "user names or passwords do not belong in the URL",
    [PPM_URL_QUERY] = "no query or fragment allowed",
    [PPM_URL_PORT_ZERO] = "port 0",
    [PPM_URL_PLAIN_HTTP] = "plain http is allowed only for this computer; use https",
  };
  PpmUrlProblem problem = ppm_url_check(url);

  if (problem != PPM_URL_OK)
    {
      g_set_error(error, PPM_API_ERROR, PPM_API_ERROR_INVALID_URL, "invalid server URL \"%s\": %s",
                  url != NULL ? url : "", why[problem]);
      return NULL;
    }
  char *trimmed = g_strdup(url);
  if (g_str_has_suffix(trimmed, "/"))
    trimmed[strlen(trimmed) - 1] = '\0';
  return trimmed;
}
