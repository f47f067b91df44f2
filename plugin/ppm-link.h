/* "Link IM account…": links an online IM account that GET /v1/me does not
 * list to the model's platform account (POST /v1/me/handles), so that its
 * calls are billed. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* Whether there is an online IM account to link now (signed in). */
gboolean ppm_link_can_offer(void);

/* Says why there is nothing to link (signed out, or every online account
 * linked already), or asks which account to link: always when `ask` is set,
 * else only when there are several.  The answer links it and refreshes
 * GET /v1/me; failures are told in words. */
void ppm_link_offer(PurplePlugin *plugin, gboolean ask);

/* Unload: forgets the accounts last offered. */
void ppm_link_shutdown(void);

G_END_DECLS
