/* Freeing the decoded answer structs. */
#include "ppm-api-types.h"

static void
ppm_user_clear(PpmUser *user)
{
  g_free(user->id);
  g_free(user->email);
  g_free(user->role);
  g_free(user->display_name);
}

void
ppm_login_free(PpmLogin *login)
{
  if (login == NULL)
    return;
  g_free(login->access_token);
  g_free(login->refresh_token);
  ppm_user_clear(&login->user);
  g_free(login);
}

void
ppm_handle_free(PpmHandle *handle)
{
  if (handle == NULL)
    return;
  g_free(handle->protocol);
  g_free(handle->handle);
  g_free(handle);
}

void
ppm_me_free(PpmMe *me)
{
  if (me == NULL)
    return;
  ppm_user_clear(&me->user);
  g_clear_pointer(&me->handles, g_ptr_array_unref);
  g_free(me);
}

void
ppm_lookup_free(PpmLookup *lookup)
{
  if (lookup == NULL)
    return;
  g_free(lookup->display_name);
  g_free(lookup);
}

void
ppm_session_item_free(PpmSessionItem *item)
{
  if (item == NULL)
    return;
  g_free(item->session_id);
  g_free(item->started);
  g_free(item->ended);
  g_free(item->reason);
  g_free(item->counterparty);
  g_free(item);
}

void
ppm_transaction_free(PpmTransaction *transaction)
{
  if (transaction == NULL)
    return;
  g_free(transaction->id);
  g_free(transaction->time);
  g_free(transaction->kind);
  g_free(transaction->session_id);
  g_free(transaction->counterparty);
  g_free(transaction);
}

void
ppm_page_free(PpmPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer(&page->items, g_ptr_array_unref);
  g_free(page->next_before);
  g_free(page);
}
