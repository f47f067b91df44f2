/* Checks of what the model types into the settings; each returns NULL when the
 * text is fine, else a message for the field (translated, static). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The platform URL, by core/'s rule (ppm-url-check.h). */
const char *ppm_gtk_check_url(const char *text);
const char *ppm_gtk_check_email(const char *text);
/* A rate (docs/billing-rules.md#amounts): "2", "2.5", "2.50"; empty keeps the rate. */
const char *ppm_gtk_check_rate(const char *text);
const char *ppm_gtk_check_ca_file(const char *text);

G_END_DECLS
