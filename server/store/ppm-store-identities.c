/* At every start: emails and handles stored before they were normalized get
 * the one spelling the platform compares; two accounts that would share one
 * stop the start instead of being merged. */
#include "ppm-handle.h"
#include "ppm-store.h"
#include "ppm-validate.h"

void
ppm_store_identity_free(PpmStoreIdentity *identity)
{
  g_free(identity->protocol);
  g_free(identity->name);
  g_free(identity);
}

static char *
identity_describe(const PpmStoreIdentity *identity)
{
  return identity->protocol == NULL
             ? g_strdup_printf("email %s", identity->name)
             : g_strdup_printf("handle %s %s", identity->protocol, identity->name);
}

/* The normal form of a stored identity; the stored one, with a warning,
 * when today's rules refuse it. */
static PpmStoreIdentity *
identity_normalize(const PpmStoreIdentity *stored)
{
  PpmStoreIdentity *normal = g_new0(PpmStoreIdentity, 1);
  g_autoptr(GError) error = NULL;

  normal->user_id = stored->user_id;
  if (stored->protocol == NULL)
    {
      g_autofree char *checked = ppm_email_normalize(stored->name, &error);

      normal->name = checked != NULL ? g_steal_pointer(&checked) : ppm_text_fold(stored->name);
    }
  else
    {
      g_autoptr(PpmStoreHandle) handle
          = ppm_handle_normalize(stored->protocol, stored->name, &error);

      if (handle != NULL)
        {
          normal->protocol = g_steal_pointer(&handle->protocol);
          normal->name = g_steal_pointer(&handle->handle);
        }
    }
  if (error != NULL)
    {
      g_autofree char *what = identity_describe(stored);
      g_warning("stored %s of user %" G_GINT64_FORMAT " is refused today: %s", what,
                stored->user_id, error->message);
    }
  if (normal->name == NULL)
    {
      normal->protocol = g_strdup(stored->protocol);
      normal->name = g_strdup(stored->name);
    }
  return normal;
}

static gboolean
identity_equal(const PpmStoreIdentity *a, const PpmStoreIdentity *b)
{
  return g_strcmp0(a->protocol, b->protocol) == 0 && g_str_equal(a->name, b->name);
}

/* "email x", "handle p x": what two identities must not share. */
static char *
identity_key(const PpmStoreIdentity *identity)
{
  return identity->protocol == NULL
             ? g_strconcat("e\n", identity->name, NULL)
             : g_strconcat("h\n", identity->protocol, "\n", identity->name, NULL);
}

/* "email ann@example.com: user 3 as Ann@Example.com, user 7 as ann@example.com". */
static void
collision_describe(GString *out, GPtrArray *stored, GPtrArray *normal, GArray *group)
{
  g_autofree char *what = identity_describe(normal->pdata[g_array_index(group, guint, 0)]);

  g_string_append_printf(out, "%s%s:", out->len > 0 ? "; " : "", what);
  for (guint k = 0; k < group->len; k++)
    {
      const PpmStoreIdentity *one = stored->pdata[g_array_index(group, guint, k)];
      g_string_append_printf(out, "%s user %" G_GINT64_FORMAT " as %s", k > 0 ? "," : "",
                             one->user_id, one->name);
    }
}

static gboolean
group_has_two_users(GPtrArray *stored, GArray *group)
{
  const PpmStoreIdentity *first = stored->pdata[g_array_index(group, guint, 0)];

  for (guint k = 1; k < group->len; k++)
    if (((const PpmStoreIdentity *)stored->pdata[g_array_index(group, guint, k)])->user_id
        != first->user_id)
      return TRUE;
  return FALSE;
}

/* One user's spellings of one identity: the one already normal stays (or
 * the first is respelled), the others are unlinked. */
static void
group_changes(GPtrArray *stored, GPtrArray *normal, GArray *group, GArray *changes)
{
  const PpmStoreIdentity *target = normal->pdata[g_array_index(group, guint, 0)];
  guint keep = 0;

  for (guint k = 0; k < group->len; k++)
    if (identity_equal(stored->pdata[g_array_index(group, guint, k)], target))
      keep = k;
  for (guint k = 0; k < group->len; k++)
    {
      const PpmStoreIdentity *from = stored->pdata[g_array_index(group, guint, k)];
      PpmStoreIdentityChange change = { from, k == keep ? target : NULL };

      if (k != keep || !identity_equal(from, target))
        g_array_append_val(changes, change);
    }
}

static void
group_free(gpointer group)
{
  g_array_unref(group);
}

gboolean
ppm_store_normalize_identities(PpmStore *store, GError **error)
{
  g_autoptr(GPtrArray) stored
      = g_ptr_array_new_with_free_func((GDestroyNotify)ppm_store_identity_free);
  g_autoptr(GPtrArray) normal
      = g_ptr_array_new_with_free_func((GDestroyNotify)ppm_store_identity_free);
  g_autoptr(GHashTable) groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, group_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new();
  g_autoptr(GArray) changes = g_array_new(FALSE, FALSE, sizeof(PpmStoreIdentityChange));
  g_autoptr(GString) collisions = g_string_new(NULL);

  if (!store->ops->identities_list(store, stored, error))
    return FALSE;
  for (guint i = 0; i < stored->len; i++)
    {
      PpmStoreIdentity *one = identity_normalize(stored->pdata[i]);
      char *key = identity_key(one);
      GArray *group = g_hash_table_lookup(groups, key);

      g_ptr_array_add(normal, one);
      if (group == NULL)
        {
          group = g_array_new(FALSE, FALSE, sizeof(guint));
          g_hash_table_insert(groups, key, group);
          g_ptr_array_add(order, group);
        }
      else
        g_free(key);
      g_array_append_val(group, i);
    }
  for (guint g = 0; g < order->len; g++)
    {
      if (group_has_two_users(stored, order->pdata[g]))
        collision_describe(collisions, stored, normal, order->pdata[g]);
      else
        group_changes(stored, normal, order->pdata[g], changes);
    }
  if (collisions->len > 0)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL,
                  "accounts share an email or handle once normalized, fix them by hand "
                  "(nothing was changed): %s",
                  collisions->str);
      return FALSE;
    }
  if (changes->len == 0)
    return TRUE;
  if (!store->ops->identities_rewrite(store, changes, error))
    return FALSE;
  g_message("respelled %u stored emails and handles the one way they compare", changes->len);
  return TRUE;
}
