/* The checks every way in (API routes, account pages, ppm-admin) applies to
 * what people type, and the one spelling of an email. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PPM_EMAIL_MAX_BYTES 254
#define PPM_EMAIL_LOCAL_MAX_BYTES 64
#define PPM_DISPLAY_NAME_MAX_BYTES 100
#define PPM_COMMENT_MAX_CHARS 500

/* Whether UTF-8 `text` holds a character that shows nothing or changes how
 * the rest shows: controls, format characters (zero-width, bidi controls,
 * soft hyphen), spaces other than U+0020 (no-break spaces among them), line
 * and paragraph separators, fillers, variation selectors, private-use and
 * unassigned code points. */
gboolean ppm_text_has_invisible(const char *text);
/* NFKC, case folded, NFKC again: what looks the same compares the same.
 * NULL when `text` is not UTF-8. */
char *ppm_text_fold(const char *text);

/* The email as the platform stores and compares it (ppm_text_fold()), or
 * NULL and PPM_STORE_ERROR_INVALID saying why when `email` is not a
 * plausible address: not UTF-8, an invisible character, a space or one of
 * ()<>[]\,;:", not exactly one '@', an empty local part or one over 64
 * bytes, a domain without a dot (other than "localhost", for deployments on
 * one machine) or with an empty label (a trailing dot), or more than 254
 * bytes. */
char *ppm_email_normalize(const char *email, GError **error);
/* UTF-8 of 1..100 bytes without control characters, line or paragraph
 * separators, or bidi controls (which would turn the text around it). */
gboolean ppm_display_name_valid(const char *name);
/* A rating comment: UTF-8 of at most 500 characters. */
gboolean ppm_comment_valid(const char *comment);

G_END_DECLS
