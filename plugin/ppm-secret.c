#include "ppm-secret.h"

#include "ppm-credentials.h"

#include <purple.h>

static PpmCredentials *store;

static PpmCredentials *
get_store(void)
{
  if (store == NULL)
    store = ppm_credentials_new_secret_service();
  return store;
}

typedef struct
{
  PpmSecretFound found;
  gpointer user_data;
  GCancellable *cancellable;
} Lookup;

static void
on_lookup(GObject *source, GAsyncResult *result, gpointer data)
{
  Lookup *lookup = data;
  g_autoptr(GError) error = NULL;
  char *password = ppm_credentials_lookup_finish(PPM_CREDENTIALS(source), result, &error);
  if (error != NULL)
    purple_debug_info("ppm", "credential store: %s\n", error->message);
  if (!g_cancellable_is_cancelled(lookup->cancellable))
    lookup->found(password, lookup->user_data);
  else
    g_free(password);
  g_clear_object(&lookup->cancellable);
  g_free(lookup);
}

void
ppm_secret_lookup(const char *server_url, const char *email, GCancellable *cancellable,
                  PpmSecretFound found, gpointer user_data)
{
  Lookup *lookup = g_new0(Lookup, 1);
  lookup->found = found;
  lookup->user_data = user_data;
  lookup->cancellable = g_object_ref(cancellable);
  ppm_credentials_lookup(get_store(), server_url, email, cancellable, on_lookup, lookup);
}

static void
on_stored(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  if (!ppm_credentials_store_finish(PPM_CREDENTIALS(source), result, &error))
    purple_debug_warning("ppm", "the password was not stored: %s\n", error->message);
}

void
ppm_secret_store(const char *server_url, const char *email, const char *password)
{
  ppm_credentials_store(get_store(), server_url, email, password, NULL, on_stored, NULL);
}

static void
on_deleted(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  if (!ppm_credentials_delete_finish(PPM_CREDENTIALS(source), result, &error))
    purple_debug_warning("ppm", "the password was not forgotten: %s\n", error->message);
}

void
ppm_secret_forget(const char *server_url, const char *email)
{
  ppm_credentials_delete(get_store(), server_url, email, NULL, on_deleted, NULL);
}

void
ppm_secret_shutdown(void)
{
  g_clear_object(&store);
}
