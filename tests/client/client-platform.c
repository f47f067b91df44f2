#include "client-platform.h"

#include "client-test-util.h"

#include <string.h>

static void
admin(PpmTestPlatform *platform, const char *stdin_text, const char *first_arg, ...)
{
  /* ppm_test_admin takes the arguments itself: forward the usual ones. */
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *args[8] = { first_arg };
  va_list ap;
  int n = 1;

  va_start(ap, first_arg);
  while (n < 7 && (args[n] = va_arg(ap, const char *)) != NULL)
    n++;
  va_end(ap);
  out = ppm_test_admin(platform->server, stdin_text, &error, args[0], args[1], args[2], args[3],
                       args[4], args[5], args[6], NULL);
  g_assert_no_error(error);
}

char *
ppm_test_member_email(guint n)
{
  return g_strdup_printf("member-%u@example.org", n);
}

char *
ppm_test_member_handle(guint n)
{
  return g_strdup_printf("member-%u@localhost", n);
}

PpmTestPlatform *
ppm_test_platform_new(const char *const *extra_args, guint n_members)
{
  PpmTestPlatform *platform = g_new0(PpmTestPlatform, 1);
  g_autoptr(GError) error = NULL;

  platform->server = ppm_test_server_start(NULL, extra_args, &error);
  g_assert_no_error(error);
  platform->n_members = n_members;
  admin(platform, PPM_TEST_PASSWORD "\n", "create-user", "--email", PPM_TEST_MODEL, "--role",
        "model", "--display-name", "Model", NULL);
  admin(platform, NULL, "link", "--email", PPM_TEST_MODEL, "--protocol", "prpl-jabber", "--handle",
        PPM_TEST_MODEL_HANDLE, NULL);
  admin(platform, NULL, "set-rate", "--email", PPM_TEST_MODEL, "--amount", "2.00", NULL);
  for (guint i = 0; i < n_members; i++)
    {
      g_autofree char *email = ppm_test_member_email(i);
      g_autofree char *handle = ppm_test_member_handle(i);
      g_autofree char *name = g_strdup_printf("Member %u", i);

      admin(platform, PPM_TEST_PASSWORD "\n", "create-user", "--email", email, "--role", "member",
            "--display-name", name, NULL);
      admin(platform, NULL, "link", "--email", email, "--protocol", "prpl-jabber", "--handle",
            handle, NULL);
      admin(platform, NULL, "fund", "--email", email, "--amount", "100.00", NULL);
    }
  return platform;
}

void
ppm_test_platform_free(PpmTestPlatform *platform)
{
  if (platform == NULL)
    return;
  ppm_test_server_free(platform->server);
  g_free(platform);
}

gint64
ppm_test_platform_balance(PpmTestPlatform *platform, const char *email)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out
      = ppm_test_admin(platform->server, NULL, &error, "balance", "--email", email, NULL);
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) amount = NULL;
  g_autofree char *digits = NULL;

  g_assert_no_error(error);
  /* "20.00 USD" */
  parts = g_strsplit(out, " ", 2);
  g_assert_cmpstr(parts[1], ==, "USD");
  amount = g_strsplit(parts[0], ".", 2);
  g_assert_nonnull(amount[1]);
  g_assert_cmpuint(strlen(amount[1]), ==, 2);
  digits = g_strconcat(amount[0], amount[1], NULL);
  return g_ascii_strtoll(digits, NULL, 10);
}

void
ppm_test_platform_assert_verified(PpmTestPlatform *platform)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = ppm_test_admin(platform->server, NULL, &error, "verify", NULL);

  g_assert_no_error(error);
  g_assert_cmpstr(out, ==, "ok");
}

void
ppm_test_store_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref(result);
}

static gboolean
ppm_test_await_timeout(gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

GAsyncResult *
ppm_test_await(GAsyncResult **slot)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds(30, ppm_test_await_timeout, &timed_out);

  while (*slot == NULL && !timed_out)
    g_main_context_iteration(NULL, TRUE);
  g_assert_false(timed_out);
  g_source_remove(id);
  return *slot;
}

PpmApi *
ppm_test_platform_sign_in(PpmTestPlatform *platform, const char *email)
{
  g_autoptr(GError) error = NULL;
  PpmApi *api = ppm_api_new(platform->server->url, &error);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PpmLogin) login = NULL;

  g_assert_no_error(error);
  ppm_api_login(api, email, PPM_TEST_PASSWORD, NULL, ppm_test_store_result, &result);
  login = ppm_api_login_finish(api, ppm_test_await(&result), &error);
  g_assert_no_error(error);
  g_assert_cmpstr(login->user.email, ==, email);
  return api;
}
