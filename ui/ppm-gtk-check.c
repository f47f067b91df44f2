#include "ppm-gtk-check.h"

#include <glib/gi18n-lib.h>
#include <string.h>

const char *
ppm_gtk_check_url(const char *text)
{
  if (text == NULL || *text == '\0')
    return _("Enter the platform's address, e.g. https://pay.example.com");
  g_autoptr(GUri) uri = g_uri_parse(text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0')
    return _("Not a web address");
  const char *scheme = g_uri_get_scheme(uri);
  if (g_ascii_strcasecmp(scheme, "https") != 0 && g_ascii_strcasecmp(scheme, "http") != 0)
    return _("The address must start with https://");
  return NULL;
}

const char *
ppm_gtk_check_email(const char *text)
{
  const char *at = text != NULL ? strchr(text, '@') : NULL;
  if (at == NULL || at == text || at[1] == '\0' || strchr(at + 1, '@') != NULL
      || strpbrk(text, " \t\r\n") != NULL)
    return _("Enter the email address of your platform account");
  return NULL;
}

const char *
ppm_gtk_check_rate(const char *text)
{
  if (text == NULL || *text == '\0')
    return NULL;
  if (!g_regex_match_simple("^[0-9]+(\\.[0-9]{1,2})?$", text, 0, 0))
    return _("Write the rate as 2.50");
  if (g_regex_match_simple("^[0.]+$", text, 0, 0))
    return _("The rate must be more than zero");
  return NULL;
}

const char *
ppm_gtk_check_ca_file(const char *text)
{
  if (text == NULL || *text == '\0')
    return NULL;
  if (!g_file_test(text, G_FILE_TEST_IS_REGULAR))
    return _("No such file");
  return NULL;
}
