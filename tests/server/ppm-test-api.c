#include "ppm-test-api.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <string.h>

void
ppm_test_response_free(PpmTestResponse *response)
{
  if (response == NULL)
    return;
  g_free(response->body);
  g_clear_pointer(&response->json, json_node_unref);
  g_hash_table_unref(response->headers);
  g_free(response);
}

static size_t
on_body(char *data, size_t size, size_t count, void *user_data)
{
  g_string_append_len(user_data, data, size * count);
  return size * count;
}

static size_t
on_header(char *data, size_t size, size_t count, void *user_data)
{
  g_autofree char *line = g_strndup(data, size * count);
  char *colon = strchr(line, ':');

  if (colon != NULL)
    {
      *colon = '\0';
      g_hash_table_insert(user_data, g_ascii_strdown(line, -1), g_strstrip(g_strdup(colon + 1)));
    }
  return size * count;
}

PpmTestResponse *
ppm_test_request(PpmTestServer *server, const char *method, const char *path, const char *token,
                 const char *content_type, const char *body, gsize body_length)
{
  PpmTestResponse *response
      = ppm_test_request_try(server, method, path, token, content_type, body, body_length);

  if (response == NULL)
    g_error("%s %s: no answer", method, path);
  return response;
}

PpmTestResponse *
ppm_test_request_try(PpmTestServer *server, const char *method, const char *path, const char *token,
                     const char *content_type, const char *body, gsize body_length)
{
  PpmTestResponse *response = g_new0(PpmTestResponse, 1);
  g_autofree char *url = g_strconcat(server->url, path, NULL);
  g_autofree char *auth = NULL, *type = NULL;
  GString *received = g_string_new(NULL);
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init();
  CURLcode code;

  response->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, received);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, response->headers);
  if (token != NULL)
    {
      auth = g_strdup_printf("Authorization: Bearer %s", token);
      headers = curl_slist_append(headers, auth);
    }
  if (body != NULL)
    {
      type = g_strdup_printf("Content-Type: %s", content_type ? content_type : "application/json");
      headers = curl_slist_append(headers, type);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_length);
    }
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  response->body = g_string_free(received, FALSE);
  if (code != CURLE_OK)
    {
      ppm_test_response_free(response);
      return NULL;
    }
  response->json = json_from_string(response->body, NULL);
  return response;
}

PpmTestResponse *
ppm_test_call(PpmTestServer *server, const char *method, const char *path, const char *token,
              const char *body_format, ...)
{
  g_autofree char *body = NULL;
  va_list args;

  if (body_format != NULL)
    {
      va_start(args, body_format);
      body = g_strdup_vprintf(body_format, args);
      va_end(args);
    }
  return ppm_test_request(server, method, path, token, NULL, body, body ? strlen(body) : 0);
}

static JsonNode *
member_node(PpmTestResponse *response, const char *path)
{
  g_auto(GStrv) parts = g_strsplit(path, ".", -1);
  JsonNode *node = response->json;

  for (guint i = 0; parts[i] && node; i++)
    {
      if (!JSON_NODE_HOLDS_OBJECT(node))
        return NULL;
      node = json_object_get_member(json_node_get_object(node), parts[i]);
    }
  return node;
}

gboolean
ppm_test_has(PpmTestResponse *response, const char *path)
{
  return member_node(response, path) != NULL;
}

gint64
ppm_test_int(PpmTestResponse *response, const char *path)
{
  JsonNode *node = member_node(response, path);

  if (node == NULL || json_node_get_value_type(node) != G_TYPE_INT64)
    g_error("no integer %s in %s", path, response->body);
  return json_node_get_int(node);
}

const char *
ppm_test_string(PpmTestResponse *response, const char *path)
{
  JsonNode *node = member_node(response, path);

  if (node == NULL || json_node_get_value_type(node) != G_TYPE_STRING)
    g_error("no string %s in %s", path, response->body);
  return json_node_get_string(node);
}

const char *
ppm_test_error_code(PpmTestResponse *response)
{
  return ppm_test_string(response, "error.code");
}

char *
ppm_test_admin_ok(PpmTestServer *server, const char *first_arg, ...)
{
  const char *args[16] = { NULL };
  va_list list;
  int n = 0;
  g_autoptr(GError) error = NULL;
  char *out;

  va_start(list, first_arg);
  for (const char *arg = first_arg; arg && n < 15; arg = va_arg(list, const char *))
    args[n++] = arg;
  va_end(list);
  out = ppm_test_admin(server, NULL, &error, args[0], args[1], args[2], args[3], args[4], args[5],
                       args[6], args[7], args[8], args[9], args[10], args[11], args[12], args[13],
                       args[14], NULL);
  g_assert_no_error(error);
  return out;
}

void
ppm_test_user(PpmTestServer *server, const char *email, const char *role)
{
  g_autofree char *password = g_strdup_printf("password-%s\n", email);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = ppm_test_admin(server, password, &error, "create-user", "--email", email,
                                        "--role", role, "--display-name", email, NULL);

  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(out, "id="));
}

char *
ppm_test_login(PpmTestServer *server, const char *email)
{
  g_autoptr(PpmTestResponse) r
      = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                      "{\"email\": \"%s\", \"password\": \"password-%s\"}", email, email);

  ppm_assert_answer(r, 200, NULL);
  return g_strdup(ppm_test_string(r, "access_token"));
}

void
ppm_test_pair_init(PpmTestPair *pair, PpmTestServer *server, const char *model, const char *member,
                   const char *funds)
{
  pair->model_email = g_strdup_printf("%s@example.com", model);
  pair->member_email = g_strdup_printf("%s@example.com", member);
  pair->model_handle = g_strdup_printf("%s@localhost", model);
  pair->member_handle = g_strdup_printf("%s@localhost", member);
  ppm_test_user(server, pair->model_email, "model");
  ppm_test_user(server, pair->member_email, "member");
  g_free(ppm_test_admin_ok(server, "link", "--email", pair->model_email, "--protocol",
                           "prpl-jabber", "--handle", pair->model_handle, NULL));
  g_free(ppm_test_admin_ok(server, "link", "--email", pair->member_email, "--protocol",
                           "prpl-jabber", "--handle", pair->member_handle, NULL));
  g_free(ppm_test_admin_ok(server, "set-rate", "--email", pair->model_email, "--amount", "2.00",
                           NULL));
  if (funds != NULL)
    g_free(
        ppm_test_admin_ok(server, "fund", "--email", pair->member_email, "--amount", funds, NULL));
  pair->model_token = ppm_test_login(server, pair->model_email);
  pair->member_token = ppm_test_login(server, pair->member_email);
}

void
ppm_test_pair_clear(PpmTestPair *pair)
{
  g_clear_pointer(&pair->model_email, g_free);
  g_clear_pointer(&pair->member_email, g_free);
  g_clear_pointer(&pair->model_handle, g_free);
  g_clear_pointer(&pair->member_handle, g_free);
  g_clear_pointer(&pair->model_token, g_free);
  g_clear_pointer(&pair->member_token, g_free);
}

PpmTestResponse *
ppm_test_open(PpmTestServer *server, PpmTestPair *pair, gint64 elapsed_ms)
{
  g_autofree char *id = g_uuid_string_random();

  return ppm_test_call(server, "POST", "/v1/sessions", pair->model_token,
                       "{\"client_session_id\": \"%s\", \"protocol\": \"prpl-jabber\","
                       " \"model_handle\": \"%s\", \"member_handle\": \"%s\","
                       " \"elapsed_ms\": %" G_GINT64_FORMAT "}",
                       id, pair->model_handle, pair->member_handle, elapsed_ms);
}

PpmTestResponse *
ppm_test_charge(PpmTestServer *server, const char *token, const char *session_id, gint64 seq)
{
  g_autofree char *path = g_strdup_printf("/v1/sessions/%s/charges", session_id);
  return ppm_test_call(server, "POST", path, token,
                       "{\"seq\": %" G_GINT64_FORMAT ", \"elapsed_ms\": 0}", seq);
}

PpmTestResponse *
ppm_test_close(PpmTestServer *server, const char *token, const char *session_id, const char *reason,
               gint64 elapsed_ms)
{
  g_autofree char *path = g_strdup_printf("/v1/sessions/%s/close", session_id);
  return ppm_test_call(server, "POST", path, token,
                       "{\"reason\": \"%s\", \"elapsed_ms\": %" G_GINT64_FORMAT "}", reason,
                       elapsed_ms);
}

gint64
ppm_test_balance(PpmTestServer *server, const char *email)
{
  g_autofree char *out = ppm_test_admin_ok(server, "balance", "--email", email, NULL);
  g_auto(GStrv) parts = g_strsplit(out, " ", 2);
  g_auto(GStrv) amount = g_strsplit(parts[0], ".", 2);

  return g_ascii_strtoll(amount[0], NULL, 10) * 100 + g_ascii_strtoll(amount[1], NULL, 10);
}

void
ppm_test_verify(PpmTestServer *server)
{
  g_autofree char *out = ppm_test_admin_ok(server, "verify", NULL);
  g_assert_cmpstr(out, ==, "ok");
}
