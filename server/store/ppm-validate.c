/* Checks of typed-in text, shared by every way in. */
#include "ppm-validate.h"

#include <string.h>

#include "ppm-store.h"

/* Typed input is refused long before this; it bounds the work on a guess. */
#define PPM_TEXT_FOLD_MAX_BYTES 4096

static gboolean
is_bidi_control(gunichar c)
{
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E)
         || (c >= 0x2066 && c <= 0x2069);
}

/* Default-ignorable letters and marks that GLib's categories do not tell
 * apart from visible ones. */
static gboolean
is_filler(gunichar c)
{
  return c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5
         || (c >= 0x180B && c <= 0x180F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F)
         || c == 0xFFA0 || (c >= 0xE0100 && c <= 0xE01EF);
}

gboolean
ppm_text_has_invisible(const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p))
    {
      gunichar c = g_utf8_get_char(p);

      switch (g_unichar_type(c))
        {
          case G_UNICODE_CONTROL:
          case G_UNICODE_FORMAT:
          case G_UNICODE_LINE_SEPARATOR:
          case G_UNICODE_PARAGRAPH_SEPARATOR:
          case G_UNICODE_PRIVATE_USE:
          case G_UNICODE_SURROGATE:
          case G_UNICODE_UNASSIGNED:
            return TRUE;
          case G_UNICODE_SPACE_SEPARATOR:
            if (c != ' ')
              return TRUE;
            break;
          default:
            if (is_filler(c))
              return TRUE;
        }
    }
  return FALSE;
}

char *
ppm_text_fold(const char *text)
{
  g_autofree char *composed = NULL, *folded = NULL;

  if (strlen(text) > PPM_TEXT_FOLD_MAX_BYTES || !g_utf8_validate(text, -1, NULL))
    return NULL;
  composed = g_utf8_normalize(text, -1, G_NORMALIZE_NFKC);
  folded = g_utf8_casefold(composed, -1);
  return g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
}

static char *
email_refuse(GError **error, const char *why)
{
  g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID, why);
  return NULL;
}

/* A dot-separated name: no empty part (so no leading, trailing or double
 * dot), at least `min_parts` parts. */
static gboolean
dotted_ok(const char *text, guint min_parts)
{
  g_auto(GStrv) parts = g_strsplit(text, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0')
      return FALSE;
  return g_strv_length(parts) >= min_parts;
}

char *
ppm_email_normalize(const char *email, GError **error)
{
  g_autofree char *folded = NULL, *local = NULL;
  const char *at;

  if (email == NULL || (folded = ppm_text_fold(email)) == NULL)
    return email_refuse(error, "the email is not valid UTF-8");
  if (ppm_text_has_invisible(email) || ppm_text_has_invisible(folded))
    return email_refuse(error, "the email holds an invisible character");
  if (strlen(folded) > PPM_EMAIL_MAX_BYTES)
    return email_refuse(error, "the email is longer than 254 bytes");
  if (strpbrk(folded, " ()<>[]\\,;:\"") != NULL)
    return email_refuse(error, "the email holds a space or a character addresses do not use");
  at = strchr(folded, '@');
  if (at == NULL || strchr(at + 1, '@') != NULL)
    return email_refuse(error, "the email must have exactly one @");
  if (g_str_has_suffix(folded, "."))
    return email_refuse(error, "the email ends with a dot");
  local = g_strndup(folded, at - folded);
  if (*local == '\0' || strlen(local) > PPM_EMAIL_LOCAL_MAX_BYTES || !dotted_ok(local, 1)
      || !(g_str_equal(at + 1, "localhost") || dotted_ok(at + 1, 2)))
    return email_refuse(error, "the email is not an address of the form name@example.org");
  return g_steal_pointer(&folded);
}

gboolean
ppm_display_name_valid(const char *name)
{
  if (!g_utf8_validate(name, -1, NULL) || *name == '\0'
      || strlen(name) > PPM_DISPLAY_NAME_MAX_BYTES)
    return FALSE;
  for (const char *c = name; *c != '\0'; c = g_utf8_next_char(c))
    {
      gunichar u = g_utf8_get_char(c);
      GUnicodeType type = g_unichar_type(u);

      if (type == G_UNICODE_CONTROL || type == G_UNICODE_LINE_SEPARATOR
          || type == G_UNICODE_PARAGRAPH_SEPARATOR || is_bidi_control(u))
        return FALSE;
    }
  return TRUE;
}

gboolean
ppm_comment_valid(const char *comment)
{
  return g_utf8_validate(comment, -1, NULL) && g_utf8_strlen(comment, -1) <= PPM_COMMENT_MAX_CHARS;
}
