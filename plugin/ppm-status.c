#include "ppm-status.h"

#include "ppm-i18n.h"

#include <string.h>

char *
ppm_handle_canonical(const char *protocol, const char *name)
{
  g_autofree char *lower = g_utf8_strdown(name, -1);
  if (g_strcmp0(protocol, "prpl-jabber") == 0)
    {
      char *slash = strchr(lower, '/');
      if (slash != NULL)
        *slash = '\0';
    }
  return g_steal_pointer(&lower);
}

gboolean
ppm_handle_in(const PpmImHandle *handle, const PpmImHandle *list, gsize n)
{
  g_autofree char *want = ppm_handle_canonical(handle->protocol, handle->name);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *have = ppm_handle_canonical(list[i].protocol, list[i].name);
      if (g_strcmp0(handle->protocol, list[i].protocol) == 0 && g_strcmp0(want, have) == 0)
        return TRUE;
    }
  return FALSE;
}

PpmStatus *
ppm_status_compute(gboolean signed_in, const PpmImHandle *linked, gsize n_linked,
                   const PpmImHandle *online, gsize n_online)
{
  PpmStatus *status = g_new0(PpmStatus, 1);
  g_autoptr(GString) text = g_string_new(NULL);
  g_autoptr(GString) live = g_string_new(NULL);

  /* Signed out, the links are unknown: no account is called unlinked. */
  if (!signed_in)
    {
      status->text = g_strdup(_("Not signed in to the platform: sign in to see which IM accounts "
                                "are linked and to bill their calls."));
      return status;
    }
  if (n_linked == 0)
    g_string_append_printf(text, "%s\n", _("No IM account is linked to your platform account."));

  for (gsize i = 0; i < n_linked; i++)
    {
      g_autofree char *name = ppm_handle_canonical(linked[i].protocol, linked[i].name);
      if (ppm_handle_in(&linked[i], online, n_online))
        g_string_append_printf(live, "%s%s", live->len > 0 ? ", " : "", name);
      else
        g_string_append_printf(text, _("Linked account %s is offline.\n"), name);
    }
  for (gsize i = 0; i < n_online; i++)
    if (!ppm_handle_in(&online[i], linked, n_linked))
      {
        g_autofree char *name = ppm_handle_canonical(online[i].protocol, online[i].name);
        g_string_append_printf(text,
                               _("Account %s is online but not linked to your platform account: "
                                 "its calls are not tracked.\n"),
                               name);
      }

  status->connected = signed_in && live->len > 0;
  if (status->connected)
    {
      g_autofree char *head = g_strdup_printf(_("Connected: %s\n"), live->str);
      g_string_prepend(text, head);
    }
  while (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate(text, text->len - 1);
  status->text = g_string_free(g_steal_pointer(&text), FALSE);
  return status;
}

void
ppm_status_free(PpmStatus *status)
{
  if (status == NULL)
    return;
  g_free(status->text);
  g_free(status);
}
