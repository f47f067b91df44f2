/* Handles as the platform stores them (docs/billing-rules.md#words): one handle, one
 * spelling. */
#pragma once

#include <glib.h>

#include "ppm-store.h"

G_BEGIN_DECLS

#define PPM_PROTOCOL_MAX_BYTES 64
#define PPM_HANDLE_MAX_BYTES 255

/* The protocol id lower-cased (ASCII letters, digits, '-', '_', '.'; 1..64
 * bytes).  prpl-jabber handles as libpurple normalizes them: nodeprep for
 * the part before '@', nameprep for the domain, resourceprep for a
 * "/resource", which is then dropped.  Other protocols' handles:
 * ppm_text_fold().  Either way no invisible character
 * (ppm_text_has_invisible()), and 1..255 bytes.  NULL and
 * PPM_STORE_ERROR_INVALID saying why otherwise. */
PpmStoreHandle *ppm_handle_normalize(const char *protocol, const char *handle, GError **error);

G_END_DECLS
