/* Handles as the platform stores them (billing.md, Words). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lower-cased; for prpl-jabber without "/resource".  NULL when the protocol
 * or the name is empty, too long (> 255 bytes) or not valid UTF-8. */
char *ppm_handle_normalize(const char *protocol, const char *handle);
gboolean ppm_protocol_valid(const char *protocol);

G_END_DECLS
