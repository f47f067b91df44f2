#include "ppm-chat.h"

gboolean
ppm_account_alive(PurpleAccount *account)
{
  return account != NULL && g_list_find(purple_accounts_get_all(), account) != NULL;
}

static PurpleConversation *
conversation_for(PurpleAccount *account, const char *who)
{
  PurpleConversation *conv
      = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, who, account);
  if (conv == NULL)
    conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account, who);
  return conv;
}

void
ppm_chat_write(PurpleAccount *account, const char *who, const char *text)
{
  if (!ppm_account_alive(account))
    {
      purple_debug_info("ppm", "chat with %s (account gone): %s\n", who, text);
      return;
    }
  g_autofree char *escaped = g_markup_escape_text(text, -1);
  purple_conversation_write(conversation_for(account, who), NULL, escaped, PURPLE_MESSAGE_SYSTEM,
                            time(NULL));
}

void
ppm_chat_send(PurpleAccount *account, const char *who, const char *text)
{
  if (!ppm_account_alive(account) || !purple_account_is_connected(account))
    {
      purple_debug_info("ppm", "not sent to %s (account offline): %s\n", who, text);
      return;
    }
  g_autofree char *escaped = g_markup_escape_text(text, -1);
  purple_conv_im_send(PURPLE_CONV_IM(conversation_for(account, who)), escaped);
}
