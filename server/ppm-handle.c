#include "ppm-handle.h"

#include <string.h>

#define PPM_HANDLE_MAX 255

gboolean
ppm_protocol_valid(const char *protocol)
{
  if (protocol == NULL || *protocol == '\0' || strlen(protocol) > 64)
    return FALSE;
  for (const char *p = protocol; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

char *
ppm_handle_normalize(const char *protocol, const char *handle)
{
  g_autofree char *name = NULL;

  if (!ppm_protocol_valid(protocol) || handle == NULL || !g_utf8_validate(handle, -1, NULL)
      || strlen(handle) > PPM_HANDLE_MAX)
    return NULL;
  name = g_utf8_strdown(handle, -1);
  if (g_str_equal(protocol, "prpl-jabber"))
    {
      char *slash = strchr(name, '/');
      if (slash != NULL)
        *slash = '\0';
    }
  for (const char *p = name; *p; p++)
    if (g_ascii_iscntrl(*p))
      return NULL;
  if (*name == '\0')
    return NULL;
  return g_steal_pointer(&name);
}
