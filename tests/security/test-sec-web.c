/* The account pages' defences (docs/security.md): a POST without this
 * browser's CSRF token is refused and changes nothing, and cookies are
 * HttpOnly, SameSite=Strict, and Secure under TLS. */
#include <string.h>

#include "ppm-test-api.h"
#include "sec-browser.h"
#include "sec-pki.h"
#include "sec-server.h"

#define EMAIL "amy@example.com"
#define PASSWORD "password-" EMAIL

static long
post_login(SecBrowser *browser, const char *csrf)
{
  g_autofree char *form
      = sec_form(csrf, "email=amy%40example.com&password=password-amy%40example.com");
  g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/login", form);

  return r->status;
}

static gboolean
signed_in(SecBrowser *browser)
{
  g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/payments/history", NULL);

  g_assert_true(r->status == 200 || r->status == 303);
  return r->status == 200;
}

static SecServer *
start_with_user(const char *const *args)
{
  SecServer *server = sec_server_start(args);

  ppm_test_user(server, EMAIL, "member");
  return server;
}

static void
test_csrf_login_form(void)
{
  g_autoptr(SecServer) server = start_with_user(NULL);
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autoptr(SecBrowser) attacker = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/login");
  g_autofree char *attacker_token = sec_browser_form_token(attacker, "/account/login");
  g_autofree char *wrong = g_strdup(token);

  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  g_assert_cmpint(post_login(browser, NULL), ==, 403);
  g_assert_cmpint(post_login(browser, wrong), ==, 403);
  /* A token from another browser's page does not fit this browser's cookie. */
  g_assert_cmpint(post_login(browser, attacker_token), ==, 403);
  g_assert_false(g_hash_table_contains(browser->cookies, "ppm_session"));
  g_assert_false(signed_in(browser));

  g_assert_cmpint(post_login(browser, token), ==, 303);
  g_assert_true(g_hash_table_contains(browser->cookies, "ppm_session"));
  g_assert_true(signed_in(browser));
}

/* The forms' key is the database's: a form one server served is accepted
 * by another server of the same database, and after a restart. */
static void
test_csrf_key_shared_by_servers(void)
{
  g_autoptr(SecServer) server = start_with_user(NULL);
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/login");
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) second = ppm_test_server_start(server->db_uri, NULL, &error);

  g_assert_no_error(error);
  browser->server = second;
  g_assert_cmpint(post_login(browser, token), ==, 303);
  g_assert_true(signed_in(browser));

  g_hash_table_remove_all(browser->cookies);
  browser->server = server;
  g_free(token);
  token = sec_browser_form_token(browser, "/account/login");
  g_assert_true(ppm_test_server_restart(server, &error));
  g_assert_no_error(error);
  g_assert_cmpint(post_login(browser, token), ==, 303);
}

static long
post_password(SecBrowser *browser, const char *csrf, const char *new_password)
{
  g_autofree char *rest = g_strdup_printf(
      "current_password=password-amy%%40example.com&new_password=%s", new_password);
  g_autofree char *form = sec_form(csrf, rest);
  g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/password", form);

  return r->status;
}

static long
api_login_status(PpmTestServer *server, const char *password)
{
  g_autoptr(PpmTestResponse) r
      = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                      "{\"email\": \"" EMAIL "\", \"password\": \"%s\"}", password);
  return r->status;
}

static void
test_csrf_signed_in_form(void)
{
  g_autoptr(SecServer) server = start_with_user(NULL);
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *login_token = sec_browser_form_token(browser, "/account/login");
  g_autofree char *token = NULL, *wrong = NULL;

  g_assert_cmpint(post_login(browser, login_token), ==, 303);
  token = sec_browser_form_token(browser, "/account/password");
  wrong = g_strdup(token);
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';

  g_assert_cmpint(post_password(browser, NULL, "stolen-password-1"), ==, 403);
  g_assert_cmpint(post_password(browser, wrong, "stolen-password-2"), ==, 403);
  /* The anonymous form's token is bound to another cookie. */
  g_assert_cmpint(post_password(browser, login_token, "stolen-password-3"), ==, 403);
  g_assert_cmpint(api_login_status(server, PASSWORD), ==, 200);
  g_assert_cmpint(api_login_status(server, "stolen-password-1"), ==, 401);

  g_assert_cmpint(post_password(browser, token, "new-password-4"), ==, 200);
  g_assert_cmpint(api_login_status(server, "new-password-4"), ==, 200);
}

/* A sign-in with `next` lands on a page of this site, whatever `next` says. */
static void
test_next_stays_on_site(void)
{
  g_autoptr(SecServer) server = start_with_user(NULL);
  const char *const hostile[] = { "https%3A%2F%2Fevil.example%2F",
                                  "%2F%2Fevil.example%2Faccount%2F", "%2Faccount%2F..%2F..%2Fevil",
                                  "%2Faccount%2F%0D%0ASet-Cookie%3Ax", "javascript%3Aalert(1)" };
  g_autofree char *home = g_strconcat(server->url, "/account/payments/history", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS(hostile); i++)
    {
      g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
      g_autofree char *token = sec_browser_form_token(browser, "/account/login");
      g_autofree char *rest = g_strdup_printf(
          "email=amy%%40example.com&password=password-amy%%40example.com&next=%s", hostile[i]);
      g_autofree char *form = sec_form(token, rest);
      g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/login", form);

      g_assert_cmpint(r->status, ==, 303);
      g_assert_cmpstr(r->location, ==, home);
    }
}

/* What people type comes back escaped, never as markup. */
static void
test_text_is_escaped(void)
{
  g_autoptr(SecServer) server = start_with_user(NULL);
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/signup");
  g_autofree char *signup
      = sec_form(token, "email=eve%40example.com&display_name=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
                        "&password=Eve-Password-123");
  g_autoptr(SecResponse) created = sec_browser_visit(browser, "/account/signup", signup);
  g_autoptr(SecResponse) home = NULL, refused = NULL;
  g_autoptr(SecBrowser) stranger = sec_browser_new(server, NULL);
  g_autofree char *stranger_token = NULL, *login = NULL;

  g_assert_cmpint(created->status, ==, 303);
  home = sec_browser_visit(browser, "/account/payments/history", NULL);
  g_assert_cmpint(home->status, ==, 200);
  g_assert_nonnull(strstr(home->body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  g_assert_null(strstr(home->body, "<script>alert(1)"));

  /* A refused sign-in (not an address) shows the email typed, in an
   * attribute. */
  stranger_token = sec_browser_form_token(stranger, "/account/login");
  login = sec_form(stranger_token,
                   "email=%22%3E%3Cscript%3Ealert(2)%3C%2Fscript%3E&password=whatever-it-is");
  refused = sec_browser_visit(stranger, "/account/login", login);
  g_assert_cmpint(refused->status, ==, 422);
  g_assert_null(strstr(refused->body, "<script>alert(2)"));
  g_assert_nonnull(strstr(refused->body, "&quot;&gt;&lt;script&gt;alert(2)"));
}

/* The sign-in form shares the API's throttling. */
static void
test_login_form_throttled(void)
{
  g_autoptr(SecServer) server = start_with_user(NULL);
  g_autoptr(SecBrowser) browser = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/login");
  g_autofree char *wrong = sec_form(token, "email=amy%40example.com&password=not-the-password");
  g_autoptr(SecResponse) limited = NULL;

  for (int i = 0; i < 10; i++)
    {
      g_autoptr(SecResponse) r = sec_browser_visit(browser, "/account/login", wrong);
      g_assert_cmpint(r->status, ==, 401);
    }
  g_assert_cmpint(post_login(browser, token), ==, 429);
  limited = sec_browser_visit(browser, "/account/login", wrong);
  g_assert_cmpint(limited->status, ==, 429);
  g_assert_nonnull(limited->retry_after);
  g_assert_cmpint(g_ascii_strtoll(limited->retry_after, NULL, 10), >=, 1);
  g_assert_false(g_hash_table_contains(browser->cookies, "ppm_session"));
}

/* Only the member of a session rates it on its page. */
static void
test_rate_page_only_for_the_member(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) amy = { 0 };
  g_auto(PpmTestPair) bea = { 0 };
  g_autoptr(SecBrowser) mia = NULL, zoe = NULL;
  g_autoptr(PpmTestResponse) open = NULL, charge = NULL, close = NULL, own = NULL;
  g_autoptr(SecResponse) mia_page = NULL, zoe_page = NULL, posted = NULL;
  g_autofree char *path = NULL, *api_path = NULL, *token = NULL, *form = NULL;

  ppm_test_pair_init(&amy, server, "amy", "mia", "20.00");
  ppm_test_pair_init(&bea, server, "bea", "zoe", "20.00");
  open = ppm_test_open(server, &amy, 0);
  ppm_assert_answer(open, 201, NULL);
  /* A paid minute: a call with none has nothing to rate. */
  charge = ppm_test_charge(server, amy.model_token, ppm_test_string(open, "session_id"), 0);
  ppm_assert_answer(charge, 201, NULL);
  close = ppm_test_close(server, amy.model_token, ppm_test_string(open, "session_id"),
                         "local_hangup", 1500);
  ppm_assert_answer(close, 200, NULL);
  path = g_strdup_printf("/account/sessions/%s/rate", ppm_test_string(open, "session_id"));
  api_path = g_strdup_printf("/v1/sessions/%s/rating", ppm_test_string(open, "session_id"));

  mia = sec_browser_signed_in(server, "mia");
  mia_page = sec_browser_visit(mia, path, NULL);
  g_assert_cmpint(mia_page->status, ==, 200);
  zoe = sec_browser_signed_in(server, "zoe");
  zoe_page = sec_browser_visit(zoe, path, NULL);
  g_assert_cmpint(zoe_page->status, ==, 404);
  /* A valid token of her own session, for someone else's call. */
  token = sec_browser_form_token(zoe, "/account/password");
  form = sec_form(token, "stars=1&comment=bad");
  posted = sec_browser_visit(zoe, path, form);
  g_assert_cmpint(posted->status, ==, 404);

  /* Her attempts used up nothing: the member of the call still rates it. */
  own = ppm_test_call(server, "POST", api_path, amy.member_token, "{\"stars\": 5}");
  ppm_assert_answer(own, 204, NULL);
}

/* Every cookie `r` sets is HttpOnly and SameSite=Strict, and Secure exactly
 * when `secure`; returns how many there were. */
static guint
assert_cookie_flags(SecResponse *r, gboolean secure)
{
  for (guint i = 0; i < r->set_cookies->len; i++)
    {
      const char *set = r->set_cookies->pdata[i];
      g_auto(GStrv) attributes = g_strsplit(set, ";", -1);
      gboolean http_only = FALSE, strict = FALSE, is_secure = FALSE;

      for (guint a = 1; attributes[a]; a++)
        {
          const char *attribute = g_strstrip(attributes[a]);

          http_only |= g_ascii_strcasecmp(attribute, "HttpOnly") == 0;
          strict |= g_ascii_strcasecmp(attribute, "SameSite=Strict") == 0;
          is_secure |= g_ascii_strcasecmp(attribute, "Secure") == 0;
        }
      if (!http_only || !strict || is_secure != secure)
        g_error("cookie flags wrong (secure expected: %d): %s", secure, set);
    }
  return r->set_cookies->len;
}

/* Signs in through the pages, checking the flags of every cookie set. */
static void
assert_session_cookies(PpmTestServer *server, const char *ca_file, gboolean secure)
{
  g_autoptr(SecBrowser) browser = sec_browser_new(server, ca_file);
  g_autoptr(SecResponse) page = sec_browser_visit(browser, "/account/login", NULL);
  g_autofree char *token = sec_html_field(page->body, "csrf");
  g_autofree char *form
      = sec_form(token, "email=amy%40example.com&password=password-amy%40example.com");
  g_autoptr(SecResponse) login = sec_browser_visit(browser, "/account/login", form);
  g_autofree char *logout_token = sec_browser_form_token(browser, "/account/password");
  g_autofree char *logout_form = sec_form(logout_token, "");
  g_autoptr(SecResponse) logout = sec_browser_visit(browser, "/account/logout", logout_form);

  g_assert_cmpuint(assert_cookie_flags(page, secure), ==, 1);
  g_assert_cmpint(login->status, ==, 303);
  g_assert_nonnull(sec_response_set_cookie(login, "ppm_session"));
  g_assert_cmpuint(assert_cookie_flags(login, secure), >=, 1);
  /* Signing out clears the cookie, with the same flags. */
  g_assert_cmpint(logout->status, ==, 303);
  g_assert_cmpuint(assert_cookie_flags(logout, secure), >=, 1);
  g_assert_false(g_hash_table_contains(browser->cookies, "ppm_session"));
  g_assert_false(signed_in(browser));
}

static void
test_cookie_flags_plain_http(void)
{
  g_autoptr(SecServer) server = start_with_user(NULL);

  assert_session_cookies(server, NULL, FALSE);
}

static void
test_cookie_flags_tls(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SecPki) pki = sec_pki_new(&error);
  g_autofree char *cert = NULL, *key = NULL;
  g_autoptr(SecServer) server = NULL;

  g_assert_no_error(error);
  sec_pki_issue(pki, "server", "IP:127.0.0.1", 0x1234, FALSE, &error);
  g_assert_no_error(error);
  cert = sec_pki_cert(pki, "server");
  key = sec_pki_key(pki, "server");
  server = start_with_user((const char *const[]){ "--tls-cert", cert, "--tls-key", key, NULL });
  assert_session_cookies(server, pki->ca_file, TRUE);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/web/csrf-login-form", test_csrf_login_form);
  g_test_add_func("/security/web/csrf-signed-in-form", test_csrf_signed_in_form);
  g_test_add_func("/security/web/csrf-key-shared-by-servers", test_csrf_key_shared_by_servers);
  g_test_add_func("/security/web/next-stays-on-site", test_next_stays_on_site);
  g_test_add_func("/security/web/text-is-escaped", test_text_is_escaped);
  g_test_add_func("/security/web/login-form-throttled", test_login_form_throttled);
  g_test_add_func("/security/web/rate-page-only-for-the-member",
                  test_rate_page_only_for_the_member);
  g_test_add_func("/security/web/cookie-flags-plain-http", test_cookie_flags_plain_http);
  g_test_add_func("/security/web/cookie-flags-tls", test_cookie_flags_tls);
  return g_test_run();
}
