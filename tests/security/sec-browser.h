/* A browser for the account pages: it keeps the cookies answers set, sends
 * them back, and fills in the CSRF field of forms. */
#pragma once

#include "ppm-test-server.h"
#include "sec-http.h"

G_BEGIN_DECLS

typedef struct
{
  PpmTestServer *server;
  const char *ca_file;        /* trusted for https://; NULL for plain HTTP */
  const char *source_address; /* the browser's IPv4 address; NULL: 127.0.0.1 */
  GHashTable *cookies;        /* name → value */
} SecBrowser;

SecBrowser *sec_browser_new(PpmTestServer *server, const char *ca_file);
void sec_browser_free(SecBrowser *browser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SecBrowser, sec_browser_free)

/* GET `path` (form NULL) or POST the url-encoded `form` to it; asserts that
 * an answer came, and keeps the cookies it sets. */
SecResponse *sec_browser_visit(SecBrowser *browser, const char *path, const char *form);
/* The CSRF token of the form on the page at `path` (asserted). */
char *sec_browser_form_token(SecBrowser *browser, const char *path);

/* A browser over plain HTTP signed in through the pages as NAME@example.com
 * (password as ppm_test_user() sets it); asserted. */
SecBrowser *sec_browser_signed_in(PpmTestServer *server, const char *name);

/* "csrf=TOKEN&REST", or only REST when `csrf` is NULL. */
char *sec_form(const char *csrf, const char *rest);

G_END_DECLS
