#include "ppm-link.h"

#include "ppm-i18n.h"
#include "ppm-pick.h"
#include "ppm-platform-api.h"
#include "ppm-platform.h"
#include "ppm-status.h"

/* An account the dialog offers, as POST /v1/me/handles gets it. */
typedef struct
{
  char *protocol;
  char *handle; /* canonical, as the status compares it */
  char *words;  /* "handle (Protocol)" */
} Offer;

static PurplePlugin *link_plugin;
/* What the open dialog lists, by its choice index; replaced by each offer.
 * Kept here rather than in the request since a dialog closed without an
 * answer runs no callback that could free it. */
static GPtrArray *offered;

static void
offer_free(Offer *offer)
{
  g_free(offer->protocol);
  g_free(offer->handle);
  g_free(offer->words);
  g_free(offer);
}

static char *
handle_words(const char *protocol, const char *handle)
{
  PurplePlugin *prpl = purple_find_prpl(protocol);
  return g_strdup_printf("%s (%s)", handle, prpl != NULL ? purple_plugin_get_name(prpl) : protocol);
}

static char *
linked_words(void)
{
  const PpmMe *me = ppm_platform_get_me();
  g_autoptr(GString) words = g_string_new(NULL);
  for (guint i = 0; me != NULL && me->handles != NULL && i < me->handles->len; i++)
    {
      PpmHandle *linked = g_ptr_array_index(me->handles, i);
      g_autofree char *canonical = ppm_handle_canonical(linked->protocol, linked->handle);
      g_autofree char *one = handle_words(linked->protocol, canonical);
      g_string_append_printf(words, "%s%s", words->len > 0 ? ", " : "", one);
    }
  return g_string_free(g_steal_pointer(&words), FALSE);
}

static char *
link_error_words(const GError *error, const char *words)
{
  if (g_error_matches(error, PPM_API_ERROR, PPM_API_ERROR_HANDLE_TAKEN))
    return g_strdup_printf(_("%s is already linked to another platform account."), words);
  if (g_error_matches(error, PPM_API_ERROR, PPM_API_ERROR_UNAUTHORIZED))
    return g_strdup(_("The platform ended your session: sign in again."));
  return ppm_platform_error_words(error);
}

static void
on_linked(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autofree char *words = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) handles = ppm_api_handles_finish(PPM_API(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (handles == NULL)
    {
      g_autofree char *why = link_error_words(error, words);
      purple_debug_warning("ppm", "POST /v1/me/handles: %s\n", error->message);
      purple_notify_error(link_plugin, _("Link IM account"), _("The account was not linked."), why);
      return;
    }
  /* What sign-in fetches: the status turns Connected once it is back. */
  ppm_platform_refresh_me();
  g_autofree char *done = g_strdup_printf(_("%s is now linked to your platform account."), words);
  purple_notify_info(link_plugin, _("Link IM account"), _("Account linked"), done);
}

static void
link_start(guint index)
{
  PpmApi *api = ppm_platform_get_api();
  if (offered == NULL || index >= offered->len)
    return;
  if (api == NULL || !ppm_platform_is_signed_in())
    {
      purple_notify_error(link_plugin, _("Link IM account"), _("The account was not linked."),
                          _("Sign in to the platform first."));
      return;
    }
  Offer *offer = g_ptr_array_index(offered, index);
  ppm_api_link_handle(api, offer->protocol, offer->handle, ppm_platform_get_cancellable(),
                      on_linked, g_strdup(offer->words));
}

static void
link_chosen(gpointer data, PurpleRequestFields *fields)
{
  /* Offers are numbered from 1: NULL is "nothing picked". */
  guint number = GPOINTER_TO_UINT(ppm_pick_get(fields, "account"));
  if (number >= 1 && number <= offered->len)
    link_start(number - 1);
}

static void
tell_nothing_to_link(void)
{
  g_autofree char *linked = linked_words();
  g_autofree char *why
      = *linked != '\0'
            ? g_strdup_printf(_("Linked to your platform account: %s. To link another IM account, "
                                "sign in to it first."),
                              linked)
            : g_strdup(_("Sign in to the IM account you take calls with, then link it here."));
  purple_notify_info(link_plugin, _("Link IM account"), _("No online IM account to link."), why);
}

static void
offer_accounts(GPtrArray *accounts)
{
  g_clear_pointer(&offered, g_ptr_array_unref);
  offered = g_ptr_array_new_with_free_func((GDestroyNotify)offer_free);
  for (guint i = 0; i < accounts->len; i++)
    {
      PurpleAccount *account = g_ptr_array_index(accounts, i);
      Offer *offer = g_new0(Offer, 1);
      offer->protocol = g_strdup(purple_account_get_protocol_id(account));
      offer->handle = ppm_handle_canonical(offer->protocol, purple_account_get_username(account));
      offer->words = handle_words(offer->protocol, offer->handle);
      g_ptr_array_add(offered, offer);
    }
}

static void
ask_which(void)
{
  PurpleRequestFields *fields = purple_request_fields_new();
  PurpleRequestFieldGroup *group = purple_request_field_group_new(NULL);
  PurpleRequestField *pick = ppm_pick_new("account", _("IM account"));
  for (guint i = 0; i < offered->len; i++)
    ppm_pick_add(pick, ((Offer *)g_ptr_array_index(offered, i))->words, GUINT_TO_POINTER(i + 1),
                 i == 0);
  purple_request_field_group_add_field(group, pick);
  purple_request_fields_add_group(fields, group);
  g_autofree char *primary
      = offered->len == 1
            ? g_strdup_printf(_("Link %s to your platform account?"),
                              ((Offer *)g_ptr_array_index(offered, 0))->words)
            : g_strdup(_("Which IM account do you want to link to your platform account?"));
  purple_request_fields(link_plugin, _("Link IM account"), primary,
                        _("Calls to a linked account are billed; an IM account can be linked to "
                          "one platform account only."),
                        fields, _("_Link"), G_CALLBACK(link_chosen), _("_Cancel"), NULL, NULL, NULL,
                        NULL, NULL);
}

gboolean
ppm_link_can_offer(void)
{
  if (!ppm_platform_is_signed_in())
    return FALSE;
  g_autoptr(GPtrArray) accounts = ppm_platform_unlinked_accounts();
  return accounts->len > 0;
}

void
ppm_link_offer(PurplePlugin *plugin, gboolean ask)
{
  link_plugin = plugin;
  if (!ppm_platform_is_signed_in())
    {
      purple_notify_info(plugin, _("Link IM account"), _("Sign in to the platform first."),
                         _("Then sign in to the IM account you take calls with, and link it."));
      return;
    }
  g_autoptr(GPtrArray) accounts = ppm_platform_unlinked_accounts();
  if (accounts->len == 0)
    {
      tell_nothing_to_link();
      return;
    }
  offer_accounts(accounts);
  if (!ask && offered->len == 1)
    link_start(0);
  else
    ask_which();
}

void
ppm_link_shutdown(void)
{
  g_clear_pointer(&offered, g_ptr_array_unref);
  link_plugin = NULL;
}
