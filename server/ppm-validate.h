/* The checks every way in (API routes, account pages, ppm-admin) applies to
 * what people type. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PPM_EMAIL_MAX_BYTES 254
#define PPM_DISPLAY_NAME_MAX_BYTES 100
#define PPM_COMMENT_MAX_CHARS 500

/* UTF-8 of 3..254 bytes, no space or control character, one '@' with
 * something on both sides. */
gboolean ppm_email_valid(const char *email);
/* UTF-8 of 1..100 bytes without control characters. */
gboolean ppm_display_name_valid(const char *name);
/* A rating comment: UTF-8 of at most 500 characters. */
gboolean ppm_comment_valid(const char *comment);

G_END_DECLS
