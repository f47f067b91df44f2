/* Waiting on the default main context for one asynchronous call. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that stores a reference on the result in
 * `*(GAsyncResult **) user_data`. */
void sec_async_store(GObject *source, GAsyncResult *result, gpointer user_data);
/* Iterates the default main context until `*slot` is set; returns it. */
GAsyncResult *sec_async_wait(GAsyncResult **slot);

G_END_DECLS
