#include "ppm-handle.h"

#include <stringprep.h>
#include <string.h>

#include "ppm-validate.h"

/* libpurple's limit for each part of a JID. */
#define JID_PART_MAX_BYTES 1023

static gpointer
refuse(GError **error, const char *why)
{
  g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID, why);
  return NULL;
}

static char *
protocol_normalize(const char *protocol)
{
  if (protocol == NULL || *protocol == '\0' || strlen(protocol) > PPM_PROTOCOL_MAX_BYTES)
    return NULL;
  for (const char *p = protocol; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
      return NULL;
  return g_ascii_strdown(protocol, -1);
}

/* One part of a JID through a stringprep profile; NULL when it fails. */
static char *
jid_part_prep(const char *part, gsize length, const Stringprep_profile *profile)
{
  char buffer[JID_PART_MAX_BYTES + 1];

  if (length == 0 || length > JID_PART_MAX_BYTES)
    return NULL;
  memcpy(buffer, part, length);
  buffer[length] = '\0';
  if (stringprep(buffer, sizeof buffer, 0, profile) != STRINGPREP_OK || *buffer == '\0')
    return NULL;
  return g_strdup(buffer);
}

/* node@domain/resource → nodeprep(node)@nameprep(domain). */
static char *
jid_normalize(const char *jid)
{
  const char *slash = strchr(jid, '/');
  const char *end = slash != NULL ? slash : jid + strlen(jid);
  const char *at = memchr(jid, '@', end - jid);
  const char *domain = at != NULL ? at + 1 : jid;
  g_autofree char *node = NULL, *name = NULL, *resource = NULL;

  if (at != NULL && (node = jid_part_prep(jid, at - jid, stringprep_xmpp_nodeprep)) == NULL)
    return NULL;
  if ((name = jid_part_prep(domain, end - domain, stringprep_nameprep)) == NULL)
    return NULL;
  if (slash != NULL
      && (resource = jid_part_prep(slash + 1, strlen(slash + 1), stringprep_xmpp_resourceprep))
             == NULL)
    return NULL;
  return node != NULL ? g_strconcat(node, "@", name, NULL) : g_steal_pointer(&name);
}

PpmStoreHandle *
ppm_handle_normalize(const char *protocol, const char *handle, GError **error)
{
  g_autofree char *id = protocol_normalize(protocol);
  g_autofree char *name = NULL;
  PpmStoreHandle *normalized;

  if (id == NULL)
    return refuse(error, "the protocol is not valid (1..64 letters, digits, '-', '_' or '.')");
  if (handle == NULL || !g_utf8_validate(handle, -1, NULL)
      || strlen(handle) > 4 * PPM_HANDLE_MAX_BYTES)
    return refuse(error, "the handle is not UTF-8 of at most 255 bytes");
  if (ppm_text_has_invisible(handle))
    return refuse(error, "the handle holds an invisible character");
  name = g_str_equal(id, "prpl-jabber") ? jid_normalize(handle) : ppm_text_fold(handle);
  if (name == NULL)
    return refuse(error, "the handle is not a valid address of this protocol");
  if (*name == '\0' || strlen(name) > PPM_HANDLE_MAX_BYTES || ppm_text_has_invisible(name))
    return refuse(error, "the handle is not UTF-8 of 1..255 bytes");
  normalized = g_new0(PpmStoreHandle, 1);
  normalized->protocol = g_steal_pointer(&id);
  normalized->handle = g_steal_pointer(&name);
  return normalized;
}
