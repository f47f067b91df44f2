/* Shared code of the platform tests: HTTP requests with libcurl and the users
 * a test needs, made with ppm-admin. */
#pragma once

#include <json-glib/json-glib.h>

#include "ppm-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  long status;
  char *body;
  JsonNode *json;      /* NULL when the body is not JSON */
  GHashTable *headers; /* lower-case name → value */
} PpmTestResponse;

void ppm_test_response_free(PpmTestResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmTestResponse, ppm_test_response_free)

/* One request; `token` adds a bearer token, `body` (may be NULL) is sent
 * with `content_type` (NULL: application/json). */
PpmTestResponse *ppm_test_request(PpmTestServer *server, const char *method, const char *path,
                                  const char *token, const char *content_type, const char *body,
                                  gsize body_length);
/* The same, NULL when no answer came (connection refused, reset, ...). */
PpmTestResponse *ppm_test_request_try(PpmTestServer *server, const char *method, const char *path,
                                      const char *token, const char *content_type, const char *body,
                                      gsize body_length);
/* JSON shorthand; `body_format` is a printf format (NULL: no body). */
PpmTestResponse *ppm_test_call(PpmTestServer *server, const char *method, const char *path,
                               const char *token, const char *body_format, ...) G_GNUC_PRINTF(5, 6);

/* A member of the answer's JSON object: "a.b.c". */
gint64 ppm_test_int(PpmTestResponse *response, const char *path);
const char *ppm_test_string(PpmTestResponse *response, const char *path);
gboolean ppm_test_has(PpmTestResponse *response, const char *path);
/* error.code of an error answer. */
const char *ppm_test_error_code(PpmTestResponse *response);

/* Asserts the status (and code, when not NULL) of an answer. */
#define ppm_assert_answer(response, want_status, want_code)                                        \
  G_STMT_START                                                                                     \
  {                                                                                                \
    PpmTestResponse *r_ = (response);                                                              \
    if (r_->status != (want_status))                                                               \
      g_error("%s:%d: status %ld, expected %d: %s", __FILE__, __LINE__, r_->status,                \
              (int)(want_status), r_->body);                                                       \
    if ((want_code) != NULL)                                                                       \
      g_assert_cmpstr(ppm_test_error_code(r_), ==, (want_code));                                   \
  }                                                                                                \
  G_STMT_END

/* Creates a user with ppm-admin (password "password-" + email); asserts. */
void ppm_test_user(PpmTestServer *server, const char *email, const char *role);
/* ppm-admin COMMAND ARGS..., asserting success; returns its stdout line. */
char *ppm_test_admin_ok(PpmTestServer *server, const char *first_arg, ...) G_GNUC_NULL_TERMINATED;
/* Logs in (password as ppm_test_user sets it); returns the access token. */
char *ppm_test_login(PpmTestServer *server, const char *email);

/* A model (rate 2.00, handle "NAME@localhost" on prpl-jabber) and a member
 * (handle "NAME@localhost", funded as given), both logged in. */
typedef struct
{
  char *model_email;
  char *member_email;
  char *model_handle;
  char *member_handle;
  char *model_token;
  char *member_token;
} PpmTestPair;

void ppm_test_pair_init(PpmTestPair *pair, PpmTestServer *server, const char *model,
                        const char *member, const char *funds);
void ppm_test_pair_clear(PpmTestPair *pair);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpmTestPair, ppm_test_pair_clear)

/* POST /v1/sessions for the pair with a fresh client_session_id. */
PpmTestResponse *ppm_test_open(PpmTestServer *server, PpmTestPair *pair, gint64 elapsed_ms);
PpmTestResponse *ppm_test_charge(PpmTestServer *server, const char *token, const char *session_id,
                                 gint64 seq);
PpmTestResponse *ppm_test_close(PpmTestServer *server, const char *token, const char *session_id,
                                const char *reason, gint64 elapsed_ms);

/* `ppm-admin balance` as minor units. */
gint64 ppm_test_balance(PpmTestServer *server, const char *email);
/* Asserts `ppm-admin verify` prints ok. */
void ppm_test_verify(PpmTestServer *server);

G_END_DECLS
