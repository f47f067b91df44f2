#include "sim-ui.h"

#include <stdio.h>

#include "sim-events.h"

static gboolean sim_debug;

static void
sim_write_conv(PurpleConversation *conv, const char *name, const char *alias, const char *message,
               PurpleMessageFlags flags, time_t mtime)
{
  g_autofree char *text = purple_markup_strip_html(message);
  const char *event = "chat-system";

  if (flags & PURPLE_MESSAGE_SEND)
    event = "chat-sent";
  else if (flags & PURPLE_MESSAGE_RECV)
    event = "chat-received";
  ppm_sim_event(event, "peer", purple_conversation_get_name(conv), "text", text, NULL);
}

static PurpleConversationUiOps sim_conv_ops = {
  .write_conv = sim_write_conv,
};

static void *
sim_notify_message(PurpleNotifyMsgType type, const char *title, const char *primary,
                   const char *secondary)
{
  g_autofree char *text = secondary != NULL && *secondary != '\0'
                              ? g_strjoin(" / ", primary, secondary, NULL)
                              : g_strdup(primary);

  ppm_sim_event("notify", "title", title, "text", text, NULL);
  /* No handle: libpurple then runs the close callback at once. */
  return NULL;
}

static void *
sim_notify_formatted(const char *title, const char *primary, const char *secondary,
                     const char *text)
{
  g_autofree char *plain = purple_markup_strip_html(text);

  ppm_sim_event("notify", "title", title, "text", plain, NULL);
  return NULL;
}

static void *
sim_notify_uri(const char *uri)
{
  ppm_sim_event("notify-uri", "text", uri, NULL);
  return NULL;
}

static PurpleNotifyUiOps sim_notify_ops = {
  .notify_message = sim_notify_message,
  .notify_formatted = sim_notify_formatted,
  .notify_uri = sim_notify_uri,
};

typedef struct
{
  PurpleAccountRequestAuthorizationCb authorize;
  void *data;
} SimAuthorization;

static gboolean
sim_authorize_later(gpointer user_data)
{
  SimAuthorization *auth = user_data;

  auth->authorize(auth->data);
  return G_SOURCE_REMOVE;
}

/* Authorized from an idle callback: libpurple still touches its request
 * record after this returns, and the callback frees it. */
static void *
sim_request_authorize(PurpleAccount *account, const char *remote_user, const char *id,
                      const char *alias, const char *message, gboolean on_list,
                      PurpleAccountRequestAuthorizationCb authorize_cb,
                      PurpleAccountRequestAuthorizationCb deny_cb, void *user_data)
{
  SimAuthorization *auth = g_new(SimAuthorization, 1);

  auth->authorize = authorize_cb;
  auth->data = user_data;
  ppm_sim_event("buddy-authorized", "peer", remote_user, NULL);
  g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, sim_authorize_later, auth, g_free);
  return NULL;
}

static PurpleAccountUiOps sim_account_ops = {
  .request_authorize = sim_request_authorize,
};

static void
sim_debug_print(PurpleDebugLevel level, const char *category, const char *message)
{
  fprintf(stderr, "%s: %s", category != NULL ? category : "-", message);
}

static gboolean
sim_debug_is_enabled(PurpleDebugLevel level, const char *category)
{
  return sim_debug;
}

static PurpleDebugUiOps sim_debug_ops = {
  .print = sim_debug_print,
  .is_enabled = sim_debug_is_enabled,
};

static void
sim_ui_init(void)
{
  purple_conversations_set_ui_ops(&sim_conv_ops);
  purple_notify_set_ui_ops(&sim_notify_ops);
  purple_request_set_ui_ops(ppm_sim_request_get_ui_ops());
  purple_accounts_set_ui_ops(&sim_account_ops);
}

static GHashTable *
sim_get_ui_info(void)
{
  static GHashTable *info;

  if (info == NULL)
    {
      info = g_hash_table_new(g_str_hash, g_str_equal);
      g_hash_table_insert(info, "name", "ppm-sim");
      g_hash_table_insert(info, "version", PPM_SIM_VERSION);
      g_hash_table_insert(info, "client_type", "pc");
    }
  return info;
}

static PurpleCoreUiOps sim_core_ops = {
  .ui_init = sim_ui_init,
  .get_ui_info = sim_get_ui_info,
};

PurpleCoreUiOps *
ppm_sim_ui_get_core_ops(gboolean debug)
{
  sim_debug = debug;
  purple_debug_set_ui_ops(&sim_debug_ops);
  return &sim_core_ops;
}
