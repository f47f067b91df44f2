#include "sec-browser.h"

#include <string.h>

SecBrowser *
sec_browser_new(PpmTestServer *server, const char *ca_file)
{
  SecBrowser *browser = g_new0(SecBrowser, 1);

  browser->server = server;
  browser->ca_file = ca_file;
  browser->cookies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  return browser;
}

void
sec_browser_free(SecBrowser *browser)
{
  if (browser == NULL)
    return;
  g_hash_table_unref(browser->cookies);
  g_free(browser);
}

static char *
cookie_header(SecBrowser *browser)
{
  g_autoptr(GString) header = g_string_new(NULL);
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init(&iter, browser->cookies);
  while (g_hash_table_iter_next(&iter, &name, &value))
    g_string_append_printf(header, "%s%s=%s", header->len ? "; " : "", (char *)name, (char *)value);
  return g_string_free(g_steal_pointer(&header), FALSE);
}

SecResponse *
sec_browser_visit(SecBrowser *browser, const char *path, const char *form)
{
  g_autofree char *url = g_strconcat(browser->server->url, path, NULL);
  g_autofree char *cookie = cookie_header(browser);
  SecRequest request = { .ca_file = browser->ca_file,
                         .cookie = *cookie ? cookie : NULL,
                         .body = form,
                         .content_type = "application/x-www-form-urlencoded",
                         .source_address = browser->source_address };
  g_autoptr(GError) error = NULL;
  SecResponse *r = sec_http_request(form ? "POST" : "GET", url, &request, &error);

  g_assert_no_error(error);
  for (guint i = 0; i < r->set_cookies->len; i++)
    {
      const char *set = r->set_cookies->pdata[i];
      g_autofree char *name = g_strndup(set, strcspn(set, "="));
      g_autofree char *value = sec_response_cookie(r, name);

      /* An empty value (with Max-Age=0) deletes the cookie. */
      if (*value == '\0')
        g_hash_table_remove(browser->cookies, name);
      else
        g_hash_table_insert(browser->cookies, g_steal_pointer(&name), g_steal_pointer(&value));
    }
  return r;
}

char *
sec_browser_form_token(SecBrowser *browser, const char *path)
{
  g_autoptr(SecResponse) page = sec_browser_visit(browser, path, NULL);
  char *token;

  g_assert_cmpint(page->status, ==, 200);
  token = sec_html_field(page->body, "csrf");
  g_assert_nonnull(token);
  g_assert_cmpuint(strlen(token), >=, 32);
  return token;
}

char *
sec_form(const char *csrf, const char *rest)
{
  g_autofree char *escaped = csrf ? g_uri_escape_string(csrf, NULL, FALSE) : NULL;

  return csrf ? g_strconcat("csrf=", escaped, "&", rest, NULL) : g_strdup(rest);
}

SecBrowser *
sec_browser_signed_in(PpmTestServer *server, const char *name)
{
  SecBrowser *browser = sec_browser_new(server, NULL);
  g_autofree char *token = sec_browser_form_token(browser, "/account/login");
  g_autofree char *rest
      = g_strdup_printf("email=%s%%40example.com&password=password-%s%%40example.com", name, name);
  g_autofree char *form = sec_form(token, rest);
  g_autoptr(SecResponse) login = sec_browser_visit(browser, "/account/login", form);

  g_assert_cmpint(login->status, ==, 303);
  return browser;
}
