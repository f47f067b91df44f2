/* The credential store: libsecret calls, or a hash table for tests. */
#include "ppm-credentials.h"

#include <libsecret/secret.h>

struct _PpmCredentials
{
  GObject parent_instance;
  GHashTable *memory; /* "server_url\nemail" -> secret; NULL for the Secret Service */
};

G_DEFINE_FINAL_TYPE(PpmCredentials, ppm_credentials, G_TYPE_OBJECT)

GQuark
ppm_credentials_error_quark(void)
{
  return g_quark_from_static_string("ppm-credentials-error-quark");
}

static const SecretSchema *
ppm_credentials_schema(void)
{
  static const SecretSchema schema = {
    PPM_CREDENTIALS_SCHEMA_NAME,
    SECRET_SCHEMA_NONE,
    {
        { "server_url", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    },
    0,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
  };

  return &schema;
}

static char *
ppm_credentials_key(const char *server_url, const char *email)
{
  return g_strconcat(server_url, "\n", email, NULL);
}

/* Every libsecret failure means the store is out of reach for the caller:
 * no bus, no service, a locked or refused collection. */
static GError *
ppm_credentials_unavailable(GError *cause)
{
  GError *error = g_error_new(PPM_CREDENTIALS_ERROR, PPM_CREDENTIALS_ERROR_UNAVAILABLE,
                              "the desktop's password store (Secret Service) is not available: %s",
                              cause->message);

  g_error_free(cause);
  return error;
}

/* Ends a store or a delete: TRUE, or `error` (taken) as unavailable. */
static void
ppm_credentials_return_boolean(GTask *task, GError *error)
{
  if (error != NULL)
    g_task_return_error(task, ppm_credentials_unavailable(error));
  else
    g_task_return_boolean(task, TRUE);
}

static void
ppm_credentials_stored(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_store_finish(result, &error);
  ppm_credentials_return_boolean(task, error);
}

void
ppm_credentials_store(PpmCredentials *credentials, const char *server_url, const char *email,
                      const char *secret, GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(credentials, cancellable, callback, user_data);
  g_autofree char *label = NULL;

  g_task_set_source_tag(task, (gpointer) "store");
  if (credentials->memory != NULL)
    {
      g_hash_table_replace(credentials->memory, ppm_credentials_key(server_url, email),
                           g_strdup(secret));
      g_task_return_boolean(task, TRUE);
      return;
    }
  label = g_strdup_printf("purple-ppm platform account %s at %s", email, server_url);
  secret_password_store(ppm_credentials_schema(), SECRET_COLLECTION_DEFAULT, label, secret,
                        cancellable, ppm_credentials_stored, g_steal_pointer(&task), "server_url",
                        server_url, "email", email, NULL);
}

gboolean
ppm_credentials_store_finish(PpmCredentials *credentials, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, credentials), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

static void
ppm_credentials_looked_up(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish(result, &error);

  if (error != NULL)
    g_task_return_error(task, ppm_credentials_unavailable(error));
  else
    g_task_return_pointer(task, g_strdup(secret), g_free);
  /* libsecret's copy is wiped and freed its own way. */
  secret_password_free(secret);
}

void
ppm_credentials_lookup(PpmCredentials *credentials, const char *server_url, const char *email,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(credentials, cancellable, callback, user_data);

  g_task_set_source_tag(task, (gpointer) "lookup");
  if (credentials->memory != NULL)
    {
      g_autofree char *key = ppm_credentials_key(server_url, email);

      g_task_return_pointer(task, g_strdup(g_hash_table_lookup(credentials->memory, key)), g_free);
      return;
    }
  secret_password_lookup(ppm_credentials_schema(), cancellable, ppm_credentials_looked_up,
                         g_steal_pointer(&task), "server_url", server_url, "email", email, NULL);
}

char *
ppm_credentials_lookup_finish(PpmCredentials *credentials, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, credentials), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

static void
ppm_credentials_cleared(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to delete. */
  secret_password_clear_finish(result, &error);
  ppm_credentials_return_boolean(task, error);
}

void
ppm_credentials_delete(PpmCredentials *credentials, const char *server_url, const char *email,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(credentials, cancellable, callback, user_data);

  g_task_set_source_tag(task, (gpointer) "delete");
  if (credentials->memory != NULL)
    {
      g_autofree char *key = ppm_credentials_key(server_url, email);

      g_hash_table_remove(credentials->memory, key);
      g_task_return_boolean(task, TRUE);
      return;
    }
  secret_password_clear(ppm_credentials_schema(), cancellable, ppm_credentials_cleared,
                        g_steal_pointer(&task), "server_url", server_url, "email", email, NULL);
}

gboolean
ppm_credentials_delete_finish(PpmCredentials *credentials, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, credentials), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

PpmCredentials *
ppm_credentials_new_secret_service(void)
{
  return g_object_new(PPM_TYPE_CREDENTIALS, NULL);
}

PpmCredentials *
ppm_credentials_new_memory(void)
{
  PpmCredentials *credentials = g_object_new(PPM_TYPE_CREDENTIALS, NULL);

  credentials->memory = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  return credentials;
}

static void
ppm_credentials_finalize(GObject *object)
{
  PpmCredentials *credentials = PPM_CREDENTIALS(object);

  g_clear_pointer(&credentials->memory, g_hash_table_unref);
  G_OBJECT_CLASS(ppm_credentials_parent_class)->finalize(object);
}

static void
ppm_credentials_class_init(PpmCredentialsClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ppm_credentials_finalize;
}

static void
ppm_credentials_init(PpmCredentials *credentials)
{
}
