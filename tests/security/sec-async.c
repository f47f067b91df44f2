#include "sec-async.h"

void
sec_async_store(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref(result);
}

GAsyncResult *
sec_async_wait(GAsyncResult **slot)
{
  /* The client's own request timeouts bound this loop. */
  while (*slot == NULL)
    g_main_context_iteration(NULL, TRUE);
  return *slot;
}
