/* The plugin's status (docs/billing-rules.md#status): Connected when signed in to the
 * platform and at least one IM account linked to the model is online;
 * otherwise what is missing.  Pure: the caller collects the facts. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An IM identity: libpurple protocol id and name. */
typedef struct
{
  const char *protocol;
  const char *name;
} PpmImHandle;

/* The platform's form of a handle: lower case, and for prpl-jabber without a
 * "/resource".  Two handles are the same exactly when these are equal. */
char *ppm_handle_canonical(const char *protocol, const char *name);
/* Whether `handle` is one of `list`, compared in their canonical forms. */
gboolean ppm_handle_in(const PpmImHandle *handle, const PpmImHandle *list, gsize n);

typedef struct
{
  gboolean connected;
  char *text; /* one or more lines for people */
} PpmStatus;

/* `linked`: the handles GET /v1/me lists; `online`: the IM accounts now
 * connected (their usernames, a resource allowed). */
PpmStatus *ppm_status_compute(gboolean signed_in, const PpmImHandle *linked, gsize n_linked,
                              const PpmImHandle *online, gsize n_online);
void ppm_status_free(PpmStatus *status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStatus, ppm_status_free)

G_END_DECLS
