#include "sec-http.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

void
sec_response_free(SecResponse *response)
{
  if (response == NULL)
    return;
  g_free(response->body);
  g_free(response->retry_after);
  g_free(response->location);
  g_ptr_array_unref(response->set_cookies);
  g_free(response->serial);
  g_hash_table_unref(response->headers);
  g_free(response);
}

static size_t
on_body(char *data, size_t size, size_t count, void *user_data)
{
  g_string_append_len(user_data, data, size * count);
  return size * count;
}

static void
header_keep(char **slot, const char *value)
{
  g_free(*slot);
  *slot = g_strstrip(g_strdup(value));
}

static size_t
on_header(char *data, size_t size, size_t count, void *user_data)
{
  SecResponse *response = user_data;
  g_autofree char *line = g_strndup(data, size * count);
  char *colon = strchr(line, ':');

  if (colon == NULL)
    return size * count;
  *colon = '\0';
  g_hash_table_insert(response->headers, g_ascii_strdown(line, -1),
                      g_strstrip(g_strdup(colon + 1)));
  if (g_ascii_strcasecmp(line, "Set-Cookie") == 0)
    g_ptr_array_add(response->set_cookies, g_strstrip(g_strdup(colon + 1)));
  else if (g_ascii_strcasecmp(line, "Retry-After") == 0)
    header_keep(&response->retry_after, colon + 1);
  else if (g_ascii_strcasecmp(line, "Location") == 0)
    header_keep(&response->location, colon + 1);
  return size * count;
}

/* "Serial Number:01:0a:ff" (libcurl's form) → "10aff". */
static char *
serial_of(CURL *curl)
{
  struct curl_certinfo *info = NULL;

  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || info == NULL
      || info->num_of_certs < 1)
    return NULL;
  for (struct curl_slist *item = info->certinfo[0]; item; item = item->next)
    if (g_str_has_prefix(item->data, "Serial Number:"))
      {
        g_autoptr(GString) hex = g_string_new(NULL);

        for (const char *c = item->data + strlen("Serial Number:"); *c; c++)
          if (g_ascii_isxdigit(*c) && !(hex->len == 0 && *c == '0'))
            g_string_append_c(hex, g_ascii_tolower(*c));
        return g_string_free(g_steal_pointer(&hex), FALSE);
      }
  return NULL;
}

SecResponse *
sec_http_request(const char *method, const char *url, const SecRequest *request, GError **error)
{
  static const SecRequest none = { 0 };
  g_autoptr(SecResponse) response = g_new0(SecResponse, 1);
  g_autoptr(GString) received = g_string_new(NULL);
  g_autofree char *type = NULL, *interface = NULL;
  struct curl_slist *headers = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  CURL *curl = curl_easy_init();
  CURLcode code;

  if (request == NULL)
    request = &none;
  response->set_cookies = g_ptr_array_new_with_free_func(g_free);
  response->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, received);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, response);
  curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
  if (request->ca_file != NULL)
    curl_easy_setopt(curl, CURLOPT_CAINFO, request->ca_file);
  if (request->source_address != NULL)
    {
      interface = g_strconcat("host!", request->source_address, NULL);
      curl_easy_setopt(curl, CURLOPT_INTERFACE, interface);
    }
  if (request->cookie != NULL)
    curl_easy_setopt(curl, CURLOPT_COOKIE, request->cookie);
  if (request->body != NULL)
    {
      type = g_strdup_printf("Content-Type: %s",
                             request->content_type ? request->content_type : "application/json");
      headers = curl_slist_append(headers, type);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request->body);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(request->body));
    }
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  code = curl_easy_perform(curl);
  if (code == CURLE_OK)
    {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
      response->serial = serial_of(curl);
    }
  else
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", method, url,
                errbuf[0] ? errbuf : curl_easy_strerror(code));
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK)
    return NULL;
  response->body = g_string_free(g_steal_pointer(&received), FALSE);
  return g_steal_pointer(&response);
}

const char *
sec_response_set_cookie(SecResponse *response, const char *name)
{
  g_autofree char *prefix = g_strconcat(name, "=", NULL);

  for (guint i = 0; i < response->set_cookies->len; i++)
    if (g_str_has_prefix(response->set_cookies->pdata[i], prefix))
      return response->set_cookies->pdata[i];
  return NULL;
}

char *
sec_response_cookie(SecResponse *response, const char *name)
{
  const char *header = sec_response_set_cookie(response, name);
  const char *value;

  if (header == NULL)
    return NULL;
  value = header + strlen(name) + 1;
  return g_strndup(value, strcspn(value, ";"));
}

char *
sec_html_field(const char *html, const char *name)
{
  g_autofree char *needle = g_strdup_printf("name=\"%s\" value=\"", name);
  const char *start = strstr(html, needle);

  if (start == NULL)
    return NULL;
  start += strlen(needle);
  return g_strndup(start, strcspn(start, "\""));
}

char *
sec_response_error_code(SecResponse *response)
{
  g_autoptr(JsonNode) root = json_from_string(response->body, NULL);
  JsonNode *error;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)
      || (error = json_object_get_member(json_node_get_object(root), "error")) == NULL
      || !JSON_NODE_HOLDS_OBJECT(error))
    return NULL;
  return g_strdup(
      json_object_get_string_member_with_default(json_node_get_object(error), "code", NULL));
}
