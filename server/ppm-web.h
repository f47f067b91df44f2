/* The account pages under /account/ (docs/openapi.json).
 *
 * The router calls ppm_web_handle() for every request whose path starts with
 * "/account/".  It answers the request (ppm-http.h) and
 * returns TRUE, or returns FALSE without answering for a path it does not
 * serve (the router then answers 404).
 */
#pragma once

#include "ppm-http.h"

G_BEGIN_DECLS

gboolean ppm_web_handle(PpmHttpRequest *request);

/* Every page as "METHOD /path/{param}", NULL-terminated, for --print-routes. */
extern const char *const ppm_web_routes[];

G_END_DECLS
