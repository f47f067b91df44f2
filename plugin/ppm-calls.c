#include "ppm-calls.h"

#include "ppm-call.h"
#include "ppm-gst-registry.h"
#include "ppm-journal-hook.h"
#include "ppm-ping.h"
#include "ppm-platform.h"

static GPtrArray *calls; /* of PpmCall, owned */
static gulong init_media_handler;

static void
on_call_finished(PpmCall *call, gpointer user_data)
{
  g_ptr_array_remove_fast(calls, call);
}

static gboolean
on_init_media(PurpleMediaManager *manager, PurpleMedia *media, PurpleAccount *account,
              const char *remote_user, gpointer user_data)
{
  gboolean initiator = TRUE;
  g_object_get(media, "initiator", &initiator, NULL);
  /* Calls the model places are never billed. */
  if (!initiator && remote_user != NULL)
    g_ptr_array_add(calls, ppm_call_new(media, account, remote_user, on_call_finished, NULL));
  /* RUN_LAST without accumulator: FALSE would drop the call. */
  return TRUE;
}

/* A presence stanza of XMPP: the caller's full JID going unavailable. */
static gboolean
on_jabber_presence(PurpleConnection *gc, const char *type, const char *from, xmlnode *presence,
                   gpointer data)
{
  if (g_strcmp0(type, "unavailable") != 0 || from == NULL)
    return FALSE;
  PurpleAccount *account = purple_connection_get_account(gc);
  for (guint i = 0; i < calls->len; i++)
    {
      PpmCall *call = g_ptr_array_index(calls, i);
      if (ppm_call_get_account(call) == account
          && g_ascii_strcasecmp(ppm_call_get_peer(call), from) == 0)
        ppm_call_peer_offline(call);
    }
  return FALSE;
}

static void
on_buddy_signed_off(PurpleBuddy *buddy, gpointer data)
{
  PurpleAccount *account = purple_buddy_get_account(buddy);
  const char *name = purple_normalize(account, purple_buddy_get_name(buddy));
  for (guint i = 0; i < calls->len; i++)
    {
      PpmCall *call = g_ptr_array_index(calls, i);
      if (ppm_call_get_account(call) == account && g_strcmp0(ppm_call_get_handle(call), name) == 0)
        ppm_call_peer_offline(call);
    }
}

/* Before the protocol closes the connection, which ends its calls' media
 * (that would read as the model hanging up). */
static void
on_signing_off(PurpleConnection *gc, gpointer data)
{
  PurpleAccount *account = purple_connection_get_account(gc);
  for (guint i = 0; i < calls->len; i++)
    {
      PpmCall *call = g_ptr_array_index(calls, i);
      if (ppm_call_get_account(call) == account)
        ppm_call_account_disconnected(call);
    }
}

static void
on_signing_out(gpointer data)
{
  for (guint i = 0; i < calls->len; i++)
    ppm_call_signing_out(g_ptr_array_index(calls, i));
}

static void
on_signed_in(gpointer data)
{
  ppm_journal_hook_recover();
  for (guint i = 0; i < calls->len; i++)
    ppm_call_signed_in(g_ptr_array_index(calls, i));
}

void
ppm_calls_init(PurplePlugin *plugin)
{
  calls = g_ptr_array_new_with_free_func((GDestroyNotify)ppm_call_free);
  /* Before the first call: on a stock desktop every call would die. */
  guint dropped = ppm_gst_registry_drop_broken();
  if (dropped > 0)
    purple_debug_info("ppm", "GStreamer: %u registry entries that break calls taken out\n",
                      dropped);
  ppm_ping_init(plugin);
  init_media_handler
      = g_signal_connect(purple_media_manager_get(), "init-media", G_CALLBACK(on_init_media), NULL);
  PurplePlugin *jabber = purple_find_prpl("prpl-jabber");
  if (jabber != NULL)
    purple_signal_connect(jabber, "jabber-receiving-presence", plugin,
                          PURPLE_CALLBACK(on_jabber_presence), NULL);
  purple_signal_connect(purple_blist_get_handle(), "buddy-signed-off", plugin,
                        PURPLE_CALLBACK(on_buddy_signed_off), NULL);
  purple_signal_connect(purple_connections_get_handle(), "signing-off", plugin,
                        PURPLE_CALLBACK(on_signing_off), NULL);
  purple_signal_connect(plugin, "ppm-signing-out", plugin, PURPLE_CALLBACK(on_signing_out), NULL);
  purple_signal_connect(plugin, "ppm-signed-in", plugin, PURPLE_CALLBACK(on_signed_in), NULL);
}

void
ppm_calls_shutdown(void)
{
  g_clear_signal_handler(&init_media_handler, purple_media_manager_get());
  for (guint i = 0; i < calls->len; i++)
    ppm_call_unload(g_ptr_array_index(calls, i));
  /* Freeing a call disconnects its handlers from its PurpleMedia. */
  g_clear_pointer(&calls, g_ptr_array_unref);
  ppm_ping_shutdown();
}

guint
ppm_calls_billing_count(void)
{
  guint n = 0;
  for (guint i = 0; i < calls->len; i++)
    n += ppm_call_is_billing(g_ptr_array_index(calls, i));
  return n;
}
