/* The handlers of the account pages; ppm-web.c routes requests to them.
 * `id` is the path's {id} segment, NULL for paths without one. */
#pragma once

#include "ppm-http.h"

G_BEGIN_DECLS

/* The platform's root: 303 to the sign-in page, which sends a signed-in
 * user on to their pages. */
void ppm_web_root_get(PpmHttpRequest *request, const char *id);
void ppm_web_signup_get(PpmHttpRequest *request, const char *id);
void ppm_web_signup_post(PpmHttpRequest *request, const char *id);
void ppm_web_login_get(PpmHttpRequest *request, const char *id);
void ppm_web_login_post(PpmHttpRequest *request, const char *id);
void ppm_web_logout_post(PpmHttpRequest *request, const char *id);
void ppm_web_password_get(PpmHttpRequest *request, const char *id);
void ppm_web_password_post(PpmHttpRequest *request, const char *id);
void ppm_web_history_get(PpmHttpRequest *request, const char *id);
void ppm_web_rate_get(PpmHttpRequest *request, const char *id);
void ppm_web_rate_post(PpmHttpRequest *request, const char *id);
void ppm_web_settings_get(PpmHttpRequest *request, const char *id);
void ppm_web_settings_post(PpmHttpRequest *request, const char *id);
void ppm_web_language_post(PpmHttpRequest *request, const char *id);

G_END_DECLS
