/* Lines in the model's conversation with a caller, and messages to the caller. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* Writes `text` as a system line into the IM conversation of `account` with
 * `who` (opened if needed).  Nothing happens when the account is gone. */
void ppm_chat_write(PurpleAccount *account, const char *who, const char *text);

/* Sends `text` to `who` as an IM from the model's account. */
void ppm_chat_send(PurpleAccount *account, const char *who, const char *text);

/* Whether `account` still exists in libpurple's account list. */
gboolean ppm_account_alive(PurpleAccount *account);

G_END_DECLS
