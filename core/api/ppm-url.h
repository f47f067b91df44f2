/* Checks a platform URL before any request uses it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Accepts https://HOST[:PORT][/PATH], and http:// only for loopback hosts
 * (127.0.0.0/8, ::1, localhost); no user info, query or fragment.  Returns
 * the URL without a trailing slash, or NULL and PPM_API_ERROR_INVALID_URL. */
char *ppm_url_validate(const char *url, GError **error);

G_END_DECLS
