/* XMPP ping (XEP-0199) of a caller's full JID, sent through the prpl's raw
 * send and matched on the jabber-receiving-iq signal. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* `answered` is TRUE for a result, FALSE for an error reply. */
typedef void (*PpmPingDone)(gboolean answered, gpointer user_data);

void ppm_ping_init(PurplePlugin *plugin);
/* Forgets every pending ping without calling back. */
void ppm_ping_shutdown(void);

/* Whether `account` can ping: an XMPP account that is connected. */
gboolean ppm_ping_possible(PurpleAccount *account);

/* Sends one ping; FALSE when it could not be sent.  `done` is called at most
 * once, when the reply comes. */
gboolean ppm_ping_send(PurpleAccount *account, const char *full_jid, PpmPingDone done,
                       gpointer user_data);

/* Drops the pending pings of `user_data`: their callbacks will not run. */
void ppm_ping_forget(gpointer user_data);

G_END_DECLS
