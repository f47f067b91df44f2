#include "ppm-gtk-check.h"

#include "ppm-url-check.h"

#include <glib/gi18n-lib.h>
#include <string.h>

const char *
ppm_gtk_check_url(const char *text)
{
  switch (ppm_url_check(text))
    {
      case PPM_URL_OK:
        return NULL;
      case PPM_URL_EMPTY:
        return _("Enter the platform's address, e.g. https://pay.example.com");
      case PPM_URL_BAD_SCHEME:
      case PPM_URL_PLAIN_HTTP:
        return _("The address must start with https://");
      default:
        return _("Not a web address");
    }
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
