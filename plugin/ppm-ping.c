#include "ppm-ping.h"

#include <prpl.h>
#include <string.h>

typedef struct
{
  PpmPingDone done;
  gpointer user_data;
} Pending;

static GHashTable *pending; /* iq id -> Pending */
static guint next_id;

static gboolean
on_receiving_iq(PurpleConnection *gc, const char *type, const char *id, const char *from,
                xmlnode *iq, gpointer data)
{
  if (id == NULL || pending == NULL)
    return FALSE;
  Pending *ping = g_hash_table_lookup(pending, id);
  if (ping == NULL)
    return FALSE;
  Pending copy = *ping;
  g_hash_table_remove(pending, id);
  copy.done(g_strcmp0(type, "result") == 0, copy.user_data);
  return TRUE; /* ours: jabber need not look for a handler */
}

void
ppm_ping_init(PurplePlugin *plugin)
{
  pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  PurplePlugin *jabber = purple_find_prpl("prpl-jabber");
  if (jabber != NULL)
    purple_signal_connect(jabber, "jabber-receiving-iq", plugin, PURPLE_CALLBACK(on_receiving_iq),
                          NULL);
}

void
ppm_ping_shutdown(void)
{
  g_clear_pointer(&pending, g_hash_table_destroy);
}

gboolean
ppm_ping_possible(PurpleAccount *account)
{
  return g_strcmp0(purple_account_get_protocol_id(account), "prpl-jabber") == 0
         && purple_account_is_connected(account);
}

gboolean
ppm_ping_send(PurpleAccount *account, const char *full_jid, PpmPingDone done, gpointer user_data)
{
  if (pending == NULL || !ppm_ping_possible(account))
    return FALSE;
  PurpleConnection *gc = purple_account_get_connection(account);
  PurplePluginProtocolInfo *prpl_info = PURPLE_PLUGIN_PROTOCOL_INFO(purple_connection_get_prpl(gc));
  if (prpl_info == NULL || prpl_info->send_raw == NULL)
    return FALSE;

  char *id = g_strdup_printf("ppm-ping-%u", ++next_id);
  g_autofree char *to = g_markup_escape_text(full_jid, -1);
  g_autofree char *stanza = g_strdup_printf(
      "<iq type='get' id='%s' to='%s'><ping xmlns='urn:xmpp:ping'/></iq>", id, to);
  Pending *ping = g_new0(Pending, 1);
  ping->done = done;
  ping->user_data = user_data;
  g_hash_table_insert(pending, id, ping);
  if (prpl_info->send_raw(gc, stanza, (int)strlen(stanza)) > 0)
    return TRUE;
  g_hash_table_remove(pending, id);
  return FALSE;
}

static gboolean
is_of(gpointer key, gpointer value, gpointer user_data)
{
  return ((Pending *)value)->user_data == user_data;
}

void
ppm_ping_forget(gpointer user_data)
{
  if (pending != NULL)
    g_hash_table_foreach_remove(pending, is_of, user_data);
}
