/* The one rule for a platform URL, with no GError and no words, so that the
 * client (ppm-url.h) and a settings field (gtk-ppm) decide alike and each
 * says it in its own words. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PPM_URL_OK,
  PPM_URL_EMPTY,
  PPM_URL_UNPARSABLE,
  PPM_URL_BAD_SCHEME, /* neither https nor http */
  PPM_URL_NO_HOST,
  PPM_URL_USER_INFO,
  PPM_URL_QUERY, /* a query or a fragment */
  PPM_URL_PORT_ZERO,
  PPM_URL_PLAIN_HTTP, /* http to a host other than this computer */
} PpmUrlProblem;

/* https://HOST[:PORT][/PATH], or http:// to a loopback host (127.0.0.0/8,
 * ::1, localhost); no user info, query or fragment. */
PpmUrlProblem ppm_url_check(const char *url);

G_END_DECLS
