/* The account pages under /account/, and the root "/" that leads to them
 * (docs/openapi.json).
 *
 * The router calls ppm_web_handle() for "/" and for every request whose path
 * starts with "/account/".  It answers the request (ppm-http.h) and
 * returns TRUE, or returns FALSE without answering for a path it does not
 * serve (the router then answers 404).
 */
#pragma once

#include "ppm-http.h"

G_BEGIN_DECLS

/* Reads the key of the forms' CSRF tokens into platform->form_key from the
 * store, the first server of a database storing a random one; once at
 * start (ppm-web-session.c). */
gboolean ppm_web_form_key_load(PpmPlatform *platform, GError **error);

/* Once at start, before any thread: drops LANGUAGE, binds the catalogue to
 * PPM_LOCALEDIR from the environment (else the installed one) and makes each
 * page language's locale object; a locale the C library lacks is logged and
 * its language falls back to English (ppm-web-lang.h). */
void ppm_web_languages_init(void);

gboolean ppm_web_handle(PpmHttpRequest *request);
/* Whether the page checks or hashes a password. */
gboolean ppm_web_hashes(const char *method, const char *path);
/* 503 with Retry-After: a page saying the server is too busy to check
 * passwords now. */
void ppm_web_busy(PpmHttpRequest *request, gint64 retry_after_s);

/* Every page as "METHOD /path/{param}", NULL-terminated, for --print-routes. */
extern const char *const ppm_web_routes[];

G_END_DECLS
