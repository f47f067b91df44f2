/* Checks of typed-in text, shared by every way in. */
#include "ppm-validate.h"

#include <string.h>

gboolean
ppm_email_valid(const char *email)
{
  const char *at = strchr(email, '@');
  gsize length = strlen(email);

  if (length < 3 || length > PPM_EMAIL_MAX_BYTES || !g_utf8_validate(email, -1, NULL))
    return FALSE;
  for (const char *c = email; *c != '\0'; c++)
    if (g_ascii_isspace(*c) || g_ascii_iscntrl(*c))
      return FALSE;
  return at != NULL && at != email && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

gboolean
ppm_display_name_valid(const char *name)
{
  if (!g_utf8_validate(name, -1, NULL) || *name == '\0'
      || strlen(name) > PPM_DISPLAY_NAME_MAX_BYTES)
    return FALSE;
  for (const char *c = name; *c != '\0'; c = g_utf8_next_char(c))
    if (g_unichar_iscntrl(g_utf8_get_char(c)))
      return FALSE;
  return TRUE;
}

gboolean
ppm_comment_valid(const char *comment)
{
  return g_utf8_validate(comment, -1, NULL) && g_utf8_strlen(comment, -1) <= PPM_COMMENT_MAX_CHARS;
}
