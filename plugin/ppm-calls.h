/* Every incoming call of the model: init-media on the media manager, the
 * presence and account signals that concern a call, and unload. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

void ppm_calls_init(PurplePlugin *plugin);
/* Unload: each billed call's close is journaled and sent (up to 2 s each);
 * every handler on the manager and on each tracked PurpleMedia is
 * disconnected. */
void ppm_calls_shutdown(void);
/* How many calls are still being billed. */
guint ppm_calls_billing_count(void);

G_END_DECLS
