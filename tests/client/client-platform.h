/* A real platform for client tests: ppm-server on 127.0.0.1 with a model
 * (rate 2.00) and funded members, created through ppm-admin. */
#pragma once

#include "ppm-api.h"
#include "ppm-test-server.h"

G_BEGIN_DECLS

#define PPM_TEST_PASSWORD "correct horse battery staple"
#define PPM_TEST_MODEL "model@example.org"
#define PPM_TEST_MODEL_HANDLE "model@localhost"
#define PPM_TEST_RATE_MINOR 200
#define PPM_TEST_FUNDS_MINOR 10000

typedef struct
{
  PpmTestServer *server;
  guint n_members;
} PpmTestPlatform;

/* Starts the server with `extra_args` (may be NULL) and creates the model and
 * `n_members` members funded with 100.00 each; fails the test on error. */
PpmTestPlatform *ppm_test_platform_new(const char *const *extra_args, guint n_members);
void ppm_test_platform_free(PpmTestPlatform *platform);

/* "member-N@example.org" and its handle "member-N@localhost". */
char *ppm_test_member_email(guint n);
char *ppm_test_member_handle(guint n);

/* `ppm-admin balance` in minor units. */
gint64 ppm_test_platform_balance(PpmTestPlatform *platform, const char *email);
/* `ppm-admin verify` says ok. */
void ppm_test_platform_assert_verified(PpmTestPlatform *platform);
/* A client signed in as `email`. */
PpmApi *ppm_test_platform_sign_in(PpmTestPlatform *platform, const char *email);

/* Waits for an async result stored by ppm_test_store_result(); fails the
 * test after 30 s. */
void ppm_test_store_result(GObject *source, GAsyncResult *result, gpointer user_data);
GAsyncResult *ppm_test_await(GAsyncResult **slot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmTestPlatform, ppm_test_platform_free)

G_END_DECLS
