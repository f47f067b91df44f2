/* Input that looks the same is the same (docs/security.md): one email, one
 * handle, however it is typed; invisible characters, implausible addresses,
 * weak chosen passwords and \u0000 in JSON refused with nothing changed;
 * spellings stored before normalization respelled at start, and accounts
 * they would merge refused. */
#include <string.h>

#include "ppm-test-api.h"
#include "sec-browser.h"
#include "sec-server.h"

#define EMAIL "ann@example.com"
#define SIGNUP_PASSWORD "Walrus-Lantern-42"

/* The same address, other spellings. */
#define EMAIL_UPPER "ANN@EXAMPLE.COM"
#define EMAIL_FULLWIDTH "\xef\xbc\xa1\xef\xbc\xae\xef\xbc\xae@example.com" /* ＡＮＮ */
/* Looks the same, and is refused. */
#define EMAIL_TRAILING_DOT "ann@example.com."
#define EMAIL_ZERO_WIDTH "ann\xe2\x80\x8b@example.com" /* U+200B */
#define EMAIL_NO_BREAK "ann\xc2\xa0@example.com"       /* U+00A0 */
#define EMAIL_BIDI "ann\xe2\x80\xae@example.com"       /* U+202E */

/* POSTs the sign-up form; returns the answer. */
static SecResponse *
signup(PpmTestServer *server, const char *email, const char *display_name, const char *password)
{
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/signup");
  g_autofree char *e = g_uri_escape_string(email, NULL, FALSE);
  g_autofree char *n = g_uri_escape_string(display_name, NULL, FALSE);
  g_autofree char *p = g_uri_escape_string(password, NULL, FALSE);
  g_autofree char *rest = g_strdup_printf("email=%s&display_name=%s&password=%s", e, n, p);
  g_autofree char *form = sec_form(token, rest);

  return sec_browser_visit(browser, "/account/signup", form);
}

static void
assert_signup(PpmTestServer *server, const char *email, const char *display_name,
              const char *password, long status, const char *says)
{
  g_autoptr(SecResponse) r = signup(server, email, display_name, password);

  if (r->status != status)
    g_error("sign-up %s: status %ld, expected %ld: %s", email, r->status, status, r->body);
  if (says != NULL && strstr(r->body, says) == NULL)
    g_error("sign-up %s: the page does not say \"%s\": %s", email, says, r->body);
}

/* Sends {"<key1>": value1, "<key2>": value2}, the values escaped as JSON
 * whatever characters they hold. */
static PpmTestResponse *
string_pair_request(PpmTestServer *server, const char *method, const char *path, const char *token,
                    const char *key1, const char *value1, const char *key2, const char *value2)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object(b);
  json_builder_set_member_name(b, key1);
  json_builder_add_string_value(b, value1);
  json_builder_set_member_name(b, key2);
  json_builder_add_string_value(b, value2);
  json_builder_end_object(b);
  root = json_builder_get_root(b);
  body = json_to_string(root, FALSE);
  return ppm_test_request(server, method, path, token, NULL, body, strlen(body));
}

static PpmTestResponse *
api_login(PpmTestServer *server, const char *email, const char *password)
{
  return string_pair_request(server, "POST", "/v1/auth/login", NULL, "email", email, "password",
                             password);
}

/* A sign-up under another spelling of a taken email is the taken email;
 * look-alikes with invisible characters or a trailing dot are refused. */
static void
test_signup_email_one_spelling(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  const char *const taken[] = { EMAIL_UPPER, EMAIL_FULLWIDTH, " " EMAIL " " };
  const char *const refused[] = { EMAIL_TRAILING_DOT, EMAIL_ZERO_WIDTH, EMAIL_NO_BREAK,
                                  EMAIL_BIDI,         "ann@example",    "ann@@example.com" };

  assert_signup(server, "Ann@Example.com", "Ann", SIGNUP_PASSWORD, 303, NULL);
  ppm_test_server_assert_sql(server, "SELECT email FROM users", EMAIL);
  for (gsize i = 0; i < G_N_ELEMENTS(taken); i++)
    assert_signup(server, taken[i], "Other", SIGNUP_PASSWORD, 409, "exists already");
  for (gsize i = 0; i < G_N_ELEMENTS(refused); i++)
    assert_signup(server, refused[i], "Other", SIGNUP_PASSWORD, 422, "Enter a valid email");
  ppm_test_server_assert_sql(server, "SELECT count(*) FROM users", "1");
}

/* Signing in under any spelling of the email is the one account; a
 * look-alike is refused as not an address (422), not guessed. */
static void
test_login_any_spelling(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  const char *const same[] = { EMAIL, EMAIL_UPPER, EMAIL_FULLWIDTH, "Ann@Example.Com" };
  const char *const refused[] = { EMAIL_TRAILING_DOT, EMAIL_ZERO_WIDTH, EMAIL_NO_BREAK };
  gint64 id = 0;

  ppm_test_user(server, EMAIL, "member");
  for (gsize i = 0; i < G_N_ELEMENTS(same); i++)
    {
      g_autoptr(PpmTestResponse) r = api_login(server, same[i], "password-" EMAIL);

      ppm_assert_answer(r, 200, NULL);
      g_assert_cmpstr(ppm_test_string(r, "user.email"), ==, EMAIL);
      if (id == 0)
        id = ppm_test_int(r, "user.id");
      g_assert_cmpint(ppm_test_int(r, "user.id"), ==, id);
    }
  for (gsize i = 0; i < G_N_ELEMENTS(refused); i++)
    {
      g_autoptr(PpmTestResponse) r = api_login(server, refused[i], "password-" EMAIL);
      ppm_assert_answer(r, 422, "invalid");
    }
  /* ppm-admin finds the account under any spelling too. */
  g_free(ppm_test_admin_ok(server, "fund", "--email", EMAIL_FULLWIDTH, "--amount", "3.00", NULL));
  g_assert_cmpint(ppm_test_balance(server, EMAIL_UPPER), ==, 300);
  ppm_test_server_assert_sql(server, "SELECT count(*) FROM login_failures", "0");
}

/* Failed sign-ins under several spellings count against one throttle. */
static void
test_throttle_one_key(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  const char *const spellings[] = { EMAIL, EMAIL_UPPER, EMAIL_FULLWIDTH, "aNN@example.COM" };
  g_autoptr(PpmTestResponse) last = NULL;

  ppm_test_user(server, EMAIL, "member");
  for (int i = 0; i < 10; i++)
    {
      g_autoptr(PpmTestResponse) r
          = api_login(server, spellings[i % G_N_ELEMENTS(spellings)], "wrong-password");
      ppm_assert_answer(r, 401, "unauthorized");
    }
  last = api_login(server, "Ann@example.com", "password-" EMAIL);
  ppm_assert_answer(last, 429, "rate_limited");
  ppm_test_server_assert_sql(server, "SELECT DISTINCT email FROM login_failures", EMAIL);
}

static PpmTestResponse *
handle_call(PpmTestServer *server, const char *method, const char *token, const char *protocol,
            const char *handle)
{
  return string_pair_request(server, method, "/v1/me/handles", token, "protocol", protocol,
                             "handle", handle);
}

/* One row a line; the same SQL and output on SQLite and PostgreSQL. */
static const char *HANDLES_SQL = "SELECT user_id || ' ' || protocol || ' ' || handle FROM handles "
                                 "ORDER BY user_id, protocol, handle";
#define EMAILS_SQL "SELECT email FROM users ORDER BY id"

/* An XMPP handle typed in two spellings is one handle: linked, looked up
 * and opened as one; a handle with an invisible character or one stringprep
 * refuses is 422 and changes nothing. */
static void
test_handle_one_spelling(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autofree char *model = NULL, *member = NULL, *other = NULL, *handles = NULL;
  const char *const refused[]
      = { "ann\xe2\x80\x8b@example.com", "ann\xc2\xa0@example.com", "a b@example.com", "ann@",
          "ann@exa\xe2\x80\xae"
          "mple.com" };

  ppm_test_user(server, "model@example.com", "model");
  ppm_test_user(server, EMAIL, "member");
  ppm_test_user(server, "eve@example.com", "member");
  model = ppm_test_login(server, "model@example.com");
  member = ppm_test_login(server, EMAIL);
  other = ppm_test_login(server, "eve@example.com");
  g_free(ppm_test_admin_ok(server, "set-rate", "--email", "model@example.com", "--amount", "2.00",
                           NULL));
  g_free(ppm_test_admin_ok(server, "fund", "--email", EMAIL, "--amount", "20.00", NULL));
  g_free(ppm_test_admin_ok(server, "link", "--email", "model@example.com", "--protocol",
                           "PRPL-Jabber", "--handle", "Model@Example.com/Studio", NULL));

  {
    g_autoptr(PpmTestResponse) linked
        = handle_call(server, "POST", member, "prpl-jabber", "Ann@Example.COM/Home");
    g_autoptr(PpmTestResponse) again
        = handle_call(server, "POST", member, "PRPL-JABBER", "ann@example.com");
    g_autoptr(PpmTestResponse) stolen
        = handle_call(server, "POST", other, "prpl-jabber", "ANN@EXAMPLE.COM");

    ppm_assert_answer(linked, 200, NULL);
    g_assert_cmpstr(linked->body, ==,
                    "{\"handles\":[{\"protocol\":\"prpl-jabber\",\"handle\":\"" EMAIL "\"}]}");
    ppm_assert_answer(again, 200, NULL);
    ppm_assert_answer(stolen, 409, "handle_taken");
  }
  handles = ppm_test_server_sql(server, HANDLES_SQL);
  g_assert_cmpstr(handles, ==, "1 prpl-jabber model@example.com\n2 prpl-jabber ann@example.com");

  {
    g_autoptr(PpmTestResponse) lookup = ppm_test_request(
        server, "GET", "/v1/members/lookup?protocol=Prpl-Jabber&handle=ANN%40example.com%2Fx",
        model, NULL, NULL, 0);
    g_autoptr(PpmTestResponse) open = ppm_test_call(
        server, "POST", "/v1/sessions", model,
        "{\"client_session_id\": \"s1\", \"protocol\": \"PRPL-JABBER\", \"model_handle\": "
        "\"MODEL@example.com\", \"member_handle\": \"Ann@EXAMPLE.com/phone\", \"elapsed_ms\": 0}");

    ppm_assert_answer(lookup, 200, NULL);
    g_assert_cmpstr(ppm_test_string(lookup, "status"), ==, "funded");
    ppm_assert_answer(open, 201, NULL);
  }

  for (gsize i = 0; i < G_N_ELEMENTS(refused); i++)
    {
      g_autoptr(PpmTestResponse) r = handle_call(server, "POST", other, "prpl-jabber", refused[i]);
      ppm_assert_answer(r, 422, "invalid");
    }
  {
    g_autoptr(PpmTestResponse) r = handle_call(server, "POST", other, "prpl jabber", "eve@x.org");
    ppm_assert_answer(r, 422, "invalid");
  }
  ppm_test_server_assert_sql(server, HANDLES_SQL, handles);
  /* Unlinking under another spelling unlinks the one link. */
  {
    g_autoptr(PpmTestResponse) r
        = handle_call(server, "DELETE", member, "prpl-jabber", "ANN@example.com/Home");
    ppm_assert_answer(r, 200, NULL);
  }
  ppm_test_server_assert_sql(server, HANDLES_SQL, "1 prpl-jabber model@example.com");
}

/* A display name with a control or bidi character is refused on the web
 * form and by ppm-admin. */
static void
test_display_name_bidi(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  assert_signup(server, EMAIL,
                "Ann\xe2\x80\xae"
                "evil",
                SIGNUP_PASSWORD, 422, "display name");
  assert_signup(server, EMAIL, "Ann\xe2\x81\xa6x", SIGNUP_PASSWORD, 422, "display name");
  assert_signup(server, EMAIL, "Ann\tx", SIGNUP_PASSWORD, 422, "display name");
  out = ppm_test_admin(server, "some-password\n", &error, "create-user", "--email", EMAIL, "--role",
                       "member", "--display-name",
                       "Ann\xe2\x80\xae"
                       "evil",
                       NULL);
  g_assert_null(out);
  g_assert_nonnull(strstr(error->message, "--display-name"));
  ppm_test_server_assert_sql(server, "SELECT count(*) FROM users", "0");
  /* Emoji joined by U+200D stay allowed. */
  assert_signup(server, EMAIL, "Ann \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", SIGNUP_PASSWORD,
                303, NULL);
}

/* Weak passwords are refused when members choose them, with nothing
 * created or changed; the operator is not held to it. */
static void
test_weak_passwords(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  const char *const weak[]
      = { "12345678", "password", "          ", "1234567890", "abcdefghij", "ann@example.com-1" };
  g_autofree char *token = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS(weak); i++)
    assert_signup(server, EMAIL, "Ann", weak[i], 422, "Choose another password");
  ppm_test_server_assert_sql(server, "SELECT count(*) FROM users", "0");

  assert_signup(server, EMAIL, "Ann", SIGNUP_PASSWORD, 303, NULL);
  {
    g_autofree char *login_token = sec_browser_form_token(browser, "/account/login");
    g_autofree char *form
        = sec_form(login_token, "email=ann%40example.com&password=" SIGNUP_PASSWORD);
    g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/login", form);
    g_assert_cmpint(r->status, ==, 303);
  }
  token = sec_browser_form_token(browser, "/account/password");
  for (gsize i = 0; i < G_N_ELEMENTS(weak); i++)
    {
      g_autofree char *p = g_uri_escape_string(weak[i], NULL, FALSE);
      g_autofree char *rest
          = g_strdup_printf("current_password=" SIGNUP_PASSWORD "&new_password=%s", p);
      g_autofree char *form = sec_form(token, rest);
      g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/password", form);
      g_autoptr(PpmTestResponse) weak_login = api_login(server, EMAIL, weak[i]);

      g_assert_cmpint(r->status, ==, 422);
      g_assert_nonnull(strstr(r->body, "Choose another new password"));
      ppm_assert_answer(weak_login, 401, "unauthorized");
    }
  {
    g_autoptr(PpmTestResponse) r = api_login(server, EMAIL, SIGNUP_PASSWORD);
    ppm_assert_answer(r, 200, NULL);
  }

  /* ppm-admin sets what the operator chooses. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *out
        = ppm_test_admin(server, "12345678\n", &error, "create-user", "--email", "weak@example.com",
                         "--role", "member", "--display-name", "Weak", NULL);
    g_autofree char *set
        = ppm_test_admin(server, "password\n", &error, "set-password", "--email", EMAIL, NULL);
    g_autoptr(PpmTestResponse) weak_login = api_login(server, "weak@example.com", "12345678");
    g_autoptr(PpmTestResponse) set_login = api_login(server, EMAIL, "password");

    g_assert_no_error(error);
    g_assert_nonnull(out);
    g_assert_cmpstr(set, ==, "ok");
    ppm_assert_answer(weak_login, 200, NULL);
    ppm_assert_answer(set_login, 200, NULL);
  }
}

/* \u0000 anywhere in a JSON body is 400, never a string cut short; an
 * escaped backslash before "u0000" is text like any other. */
static void
test_json_nul(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autofree char *token = NULL, *handles = NULL;
  const char *const bodies[][3] = {
    { "POST", "/v1/auth/login", "{\"email\": \"ann@example.com\\u0000x\", \"password\": \"p\"}" },
    { "POST", "/v1/auth/login",
      "{\"email\": \"ann@example.com\", \"password\": \"password-"
      "ann@example.com\\u0000\"}" },
    { "POST", "/v1/me/handles",
      "{\"protocol\": \"prpl-jabber\", \"handle\": \"eve\\u0000@x.org\"}" },
    { "POST", "/v1/me/handles",
      "{\"protocol\": \"prpl-jabber\", \"handle\": \"eve@x.org\", "
      "\"display_name\": \"Eve\\u0000\"}" },
    { "DELETE", "/v1/me/handles",
      "{\"protocol\": \"prpl-jabber\\u0000x\", \"handle\": "
      "\"ann@example.com\"}" },
    { "POST", "/v1/app-rating", "{\"stars\": 5, \"comment\": \"great\\u0000 hidden\"}" },
    { "POST", "/v1/app-rating", "{\"stars\": 5, \"comm\\u0000ent\": \"x\"}" },
  };

  ppm_test_user(server, EMAIL, "member");
  token = ppm_test_login(server, EMAIL);
  g_free(ppm_test_admin_ok(server, "link", "--email", EMAIL, "--protocol", "prpl-jabber",
                           "--handle", EMAIL, NULL));
  handles = ppm_test_server_sql(server, HANDLES_SQL);
  for (gsize i = 0; i < G_N_ELEMENTS(bodies); i++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_request(server, bodies[i][0], bodies[i][1], token,
                                                      NULL, bodies[i][2], strlen(bodies[i][2]));
      ppm_assert_answer(r, 400, "bad_request");
    }
  ppm_test_server_assert_sql(server, HANDLES_SQL, handles);
  ppm_test_server_assert_sql(server, "SELECT count(*) FROM app_ratings", "0");
  ppm_test_server_assert_sql(server, "SELECT count(*) FROM login_failures", "0");

  {
    const char *body = "{\"stars\": 4, \"comment\": \"a\\\\u0000b\"}";
    g_autoptr(PpmTestResponse) r
        = ppm_test_request(server, "POST", "/v1/app-rating", token, NULL, body, strlen(body));
    ppm_assert_answer(r, 204, NULL);
  }
  ppm_test_server_assert_sql(server, "SELECT comment FROM app_ratings", "a\\u0000b");
}

/* %00 in a form field is refused before anything is read. */
static void
test_form_nul(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/signup");
  const char *const rests[] = {
    "email=ann%40example.com%00x&display_name=Ann&password=" SIGNUP_PASSWORD,
    "email=ann%40example.com&display_name=Ann%00&password=" SIGNUP_PASSWORD,
    "email=ann%40example.com&display_name=Ann&password=" SIGNUP_PASSWORD "%00",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(rests); i++)
    {
      g_autofree char *form = sec_form(token, rests[i]);
      g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/signup", form);

      g_assert_cmpint(r->status, ==, 400);
    }
  ppm_test_server_assert_sql(server, "SELECT count(*) FROM users", "0");
}

/* Spellings stored before normalization: two accounts that would share an
 * email or a handle stop the start (and ppm-admin) with both listed, and
 * nothing is merged; one account's spelling is respelled once, and a
 * normalized database starts without a write.  The one test here that also
 * runs on PostgreSQL (tests/security/meson.build). */
static void
test_stored_spellings(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  ppm_test_user(server, "ann1@example.com", "member");
  ppm_test_user(server, "ann2@example.com", "member");
  ppm_test_server_stop(server);
  /* As an older version stored them. */
  g_free(ppm_test_server_sql(server, "UPDATE users SET email = 'Ann@Example.com' WHERE id = 1;"
                                     "UPDATE users SET email = 'ann@example.com' WHERE id = 2"));

  g_assert_false(ppm_test_server_restart(server, &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "email ann@example.com:"));
  g_assert_nonnull(strstr(error->message, "user 1 as Ann@Example.com"));
  g_assert_nonnull(strstr(error->message, "user 2 as ann@example.com"));
  g_clear_error(&error);
  out = ppm_test_admin(server, NULL, &error, "balance", "--email", "ann@example.com", NULL);
  g_assert_null(out);
  g_assert_nonnull(strstr(error->message, "user 1 as Ann@Example.com"));
  g_clear_error(&error);
  ppm_test_server_assert_sql(server, EMAILS_SQL, "Ann@Example.com\nann@example.com");

  /* Handles of two accounts: the same. */
  g_free(ppm_test_server_sql(server,
                             "UPDATE users SET email = 'ann2@example.com' WHERE id = 2;"
                             "INSERT INTO handles VALUES ('prpl-jabber', 'Ann@Example.com', 1),"
                             " ('Prpl-Jabber', 'ann@example.com', 2)"));
  g_assert_false(ppm_test_server_restart(server, &error));
  g_assert_nonnull(strstr(error->message, "handle prpl-jabber ann@example.com"));
  g_assert_nonnull(strstr(error->message, "user 1 as Ann@Example.com"));
  g_assert_nonnull(strstr(error->message, "user 2 as ann@example.com"));
  g_clear_error(&error);

  /* One account's spellings: respelled, its two links of one handle one. */
  g_free(ppm_test_server_sql(server, "UPDATE handles SET user_id = 1 WHERE user_id = 2;"
                                     "INSERT INTO handles VALUES ('prpl-irc', 'Nick', 2)"));
  ppm_test_server_restart(server, &error);
  g_assert_no_error(error);
  ppm_test_server_assert_sql(server, EMAILS_SQL, "ann@example.com\nann2@example.com");
  ppm_test_server_assert_sql(server, HANDLES_SQL, "1 prpl-jabber ann@example.com\n2 prpl-irc nick");
  {
    g_autoptr(PpmTestResponse) r
        = api_login(server, "ANN@example.com", "password-ann1@example.com");
    ppm_assert_answer(r, 200, NULL);
    g_assert_cmpint(ppm_test_int(r, "user.id"), ==, 1);
  }
  ppm_test_server_stop(server);
  g_assert_cmpuint(ppm_test_server_log_count(server, "respelled 4 stored emails and handles"), ==,
                   1);

  /* Normalized: the next start writes nothing. */
  ppm_test_server_restart(server, &error);
  g_assert_no_error(error);
  ppm_test_server_stop(server);
  g_assert_cmpuint(ppm_test_server_log_count(server, "respelled"), ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/input/signup-email-one-spelling", test_signup_email_one_spelling);
  g_test_add_func("/security/input/login-any-spelling", test_login_any_spelling);
  g_test_add_func("/security/input/throttle-one-key", test_throttle_one_key);
  g_test_add_func("/security/input/handle-one-spelling", test_handle_one_spelling);
  g_test_add_func("/security/input/display-name-bidi", test_display_name_bidi);
  g_test_add_func("/security/input/weak-passwords", test_weak_passwords);
  g_test_add_func("/security/input/json-nul", test_json_nul);
  g_test_add_func("/security/input/form-nul", test_form_nul);
  g_test_add_func("/security/input/stored-spellings", test_stored_spellings);
  return g_test_run();
}
