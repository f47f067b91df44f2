/* The credential store: the in-memory store behaves like the real one, and
 * without a Secret Service every call fails with UNAVAILABLE and nothing is
 * written to disk.  With PPM_TEST_KEYRING=1 (set by the keyring test, which
 * runs under dbus-run-session with gnome-keyring-daemon) the secret really
 * goes through the Secret Service. */
#include "client-test-util.h"
#include "ppm-credentials.h"

typedef struct
{
  gboolean done;
  gboolean ok;
  char *secret;
  GError *error;
} Result;

static void
result_clear(Result *result)
{
  g_free(result->secret);
  g_clear_error(&result->error);
  *result = (Result){ 0 };
}

static void
on_stored(GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *result = user_data;

  result->ok = ppm_credentials_store_finish(PPM_CREDENTIALS(source), res, &result->error);
  result->done = TRUE;
}

static void
on_looked_up(GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *result = user_data;

  result->secret = ppm_credentials_lookup_finish(PPM_CREDENTIALS(source), res, &result->error);
  result->ok = result->error == NULL;
  result->done = TRUE;
}

static void
on_deleted(GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *result = user_data;

  result->ok = ppm_credentials_delete_finish(PPM_CREDENTIALS(source), res, &result->error);
  result->done = TRUE;
}

static void
store(PpmCredentials *credentials, const char *url, const char *email, const char *secret,
      Result *result)
{
  ppm_credentials_store(credentials, url, email, secret, NULL, on_stored, result);
  g_assert_true(ppm_test_wait_for(&result->done, 20000));
}

static void
lookup(PpmCredentials *credentials, const char *url, const char *email, Result *result)
{
  ppm_credentials_lookup(credentials, url, email, NULL, on_looked_up, result);
  g_assert_true(ppm_test_wait_for(&result->done, 20000));
}

static void delete (PpmCredentials *credentials, const char *url, const char *email, Result *result)
{
  ppm_credentials_delete(credentials, url, email, NULL, on_deleted, result);
  g_assert_true(ppm_test_wait_for(&result->done, 20000));
}

/* Store, look up (also under other attributes), replace, delete. */
static void
exercise_store(PpmCredentials *credentials)
{
  const char *url = "https://ppm.example.org";
  Result result = { 0 };

  store(credentials, url, "model@example.org", "first secret", &result);
  g_assert_no_error(result.error);
  g_assert_true(result.ok);
  result_clear(&result);
  store(credentials, url, "model@example.org", "second secret", &result);
  g_assert_true(result.ok);
  result_clear(&result);

  lookup(credentials, url, "model@example.org", &result);
  g_assert_no_error(result.error);
  g_assert_cmpstr(result.secret, ==, "second secret");
  result_clear(&result);
  lookup(credentials, url, "other@example.org", &result);
  g_assert_no_error(result.error);
  g_assert_null(result.secret);
  result_clear(&result);
  lookup(credentials, "https://other.example.org", "model@example.org", &result);
  g_assert_null(result.secret);
  result_clear(&result);

  delete (credentials, url, "model@example.org", &result);
  g_assert_true(result.ok);
  result_clear(&result);
  lookup(credentials, url, "model@example.org", &result);
  g_assert_no_error(result.error);
  g_assert_null(result.secret);
  result_clear(&result);
  /* Deleting what is not there is not an error. */
  delete (credentials, url, "model@example.org", &result);
  g_assert_true(result.ok);
  result_clear(&result);
}

static void
test_memory(void)
{
  g_autoptr(PpmCredentials) credentials = ppm_credentials_new_memory();

  exercise_store(credentials);
}

/* Every regular file under `dir` that contains `needle`. */
static guint
count_files_containing(const char *dir, const char *needle)
{
  g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
  const char *name;
  guint found = 0;

  while (handle != NULL && (name = g_dir_read_name(handle)) != NULL)
    {
      g_autofree char *path = g_build_filename(dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len;

      if (g_file_test(path, G_FILE_TEST_IS_DIR))
        found += count_files_containing(path, needle);
      else if (g_file_get_contents(path, &data, &len, NULL)
               && g_strstr_len(data, (gssize)len, needle) != NULL)
        found++;
    }
  return found;
}

static void
test_unavailable(void)
{
  g_autoptr(PpmCredentials) credentials = ppm_credentials_new_secret_service();
  g_autofree char *home = g_dir_make_tmp("ppm-home-XXXXXX", NULL);
  const char *secret = "never-on-disk-7f3a9c";
  Result result = { 0 };

  /* Everything a fallback could write to lives under this home. */
  g_setenv("HOME", home, TRUE);
  g_setenv("XDG_DATA_HOME", home, TRUE);
  g_setenv("XDG_CONFIG_HOME", home, TRUE);
  g_setenv("XDG_CACHE_HOME", home, TRUE);
  g_assert_cmpstr(g_getenv("DBUS_SESSION_BUS_ADDRESS"), ==, "disabled:");

  store(credentials, "https://ppm.example.org", "model@example.org", secret, &result);
  g_assert_false(result.ok);
  g_assert_error(result.error, PPM_CREDENTIALS_ERROR, PPM_CREDENTIALS_ERROR_UNAVAILABLE);
  result_clear(&result);
  lookup(credentials, "https://ppm.example.org", "model@example.org", &result);
  g_assert_error(result.error, PPM_CREDENTIALS_ERROR, PPM_CREDENTIALS_ERROR_UNAVAILABLE);
  result_clear(&result);
  delete (credentials, "https://ppm.example.org", "model@example.org", &result);
  g_assert_error(result.error, PPM_CREDENTIALS_ERROR, PPM_CREDENTIALS_ERROR_UNAVAILABLE);
  result_clear(&result);
  g_assert_cmpuint(count_files_containing(home, secret), ==, 0);
  g_assert_cmpuint(count_files_containing(".", secret), ==, 0);
  ppm_test_remove_tree(home);
}

static void
test_keyring(void)
{
  g_autoptr(PpmCredentials) credentials = ppm_credentials_new_secret_service();

  exercise_store(credentials);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (g_strcmp0(g_getenv("PPM_TEST_KEYRING"), "1") == 0)
    {
      g_test_add_func("/client/credentials/secret-service", test_keyring);
      return g_test_run();
    }
  g_test_add_func("/client/credentials/memory", test_memory);
  g_test_add_func("/client/credentials/unavailable-writes-nothing", test_unavailable);
  return g_test_run();
}
