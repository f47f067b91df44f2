/* PpmHttpRequest: one request and its answer, independent of the socket. */
#include "ppm-http-request.h"

#include <string.h>

struct _PpmHttpRequest
{
  PpmPlatform *platform;
  char *method;
  char *path;
  GHashTable *headers; /* lower-case name → value */
  GHashTable *query;
  GHashTable *cookies;
  GHashTable *form;
  GByteArray *body;
  gboolean too_large;
  const char *malformed; /* why, or NULL */
  char *address;
  gboolean tls;
  gint64 time_ms;
  gint64 started_us;

  guint status;
  GBytes *response_body;
  GPtrArray *response_headers; /* name, value, name, value, ... */

  /* Completion: the handler's return and each deferral hold one count. */
  gint pending;
  PpmHttpDone done; /* NULL: ppm_http_request_run() waits for `finished` */
  gpointer done_data;
  GMutex lock;
  GCond cond;
  gboolean finished;
};

const char *
ppm_http_request_get_method(PpmHttpRequest *request)
{
  return request->method;
}

const char *
ppm_http_request_get_path(PpmHttpRequest *request)
{
  return request->path;
}

const char *
ppm_http_request_get_query(PpmHttpRequest *request, const char *name)
{
  return g_hash_table_lookup(request->query, name);
}

const char *
ppm_http_request_get_header(PpmHttpRequest *request, const char *name)
{
  g_autofree char *lower = g_ascii_strdown(name, -1);
  return g_hash_table_lookup(request->headers, lower);
}

const char *
ppm_http_request_get_bearer(PpmHttpRequest *request)
{
  const char *header = ppm_http_request_get_header(request, "Authorization");

  if (header == NULL || g_ascii_strncasecmp(header, "Bearer ", 7) != 0)
    return NULL;
  return header + 7;
}

const char *
ppm_http_request_get_cookie(PpmHttpRequest *request, const char *name)
{
  return g_hash_table_lookup(request->cookies, name);
}

const char *
ppm_http_request_get_body(PpmHttpRequest *request, gsize *length)
{
  *length = request->body->len;
  return (const char *)request->body->data;
}

GHashTable *
ppm_http_request_get_form(PpmHttpRequest *request)
{
  const char *type = ppm_http_request_get_header(request, "Content-Type");
  g_autofree char *text = NULL;

  if (request->form != NULL)
    return request->form;
  if (type == NULL || g_ascii_strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0)
    return NULL;
  text = g_strndup((const char *)request->body->data, request->body->len);
  if (strlen(text) != request->body->len)
    return NULL;
  request->form = g_uri_parse_params(text, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  return request->form;
}

const char *
ppm_http_request_get_client_address(PpmHttpRequest *request)
{
  return request->address;
}

gboolean
ppm_http_request_is_tls(PpmHttpRequest *request)
{
  return request->tls;
}

PpmPlatform *
ppm_http_request_get_platform(PpmHttpRequest *request)
{
  return request->platform;
}

gint64
ppm_http_request_get_time_ms(PpmHttpRequest *request)
{
  return request->time_ms;
}

void
ppm_http_add_header(PpmHttpRequest *request, const char *name, const char *value)
{
  g_ptr_array_add(request->response_headers, g_strdup(name));
  g_ptr_array_add(request->response_headers, g_strdup(value));
}

/* The headers every answer of its kind carries: HSTS under https (a year);
 * on a 401 the scheme to use (RFC 6750), saying "invalid_token" when a bearer
 * token was sent and refused. */
static void
add_standard_headers(PpmHttpRequest *request, guint status)
{
  if (request->tls)
    ppm_http_add_header(request, "Strict-Transport-Security", "max-age=31536000");
  if (status != 401)
    return;
  if (ppm_http_request_get_bearer(request) != NULL)
    ppm_http_add_header(request, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
  else
    ppm_http_add_header(request, "WWW-Authenticate", "Bearer");
}

void
ppm_http_respond(PpmHttpRequest *request, guint status, const char *content_type, const char *body,
                 gsize length)
{
  g_return_if_fail(request->status == 0);
  request->status = status;
  add_standard_headers(request, status);
  if (content_type != NULL)
    ppm_http_add_header(request, "Content-Type", content_type);
  request->response_body = g_bytes_new(body, body ? length : 0);
}

void
ppm_http_respond_json(PpmHttpRequest *request, guint status, JsonNode *node)
{
  gsize length;
  g_autofree char *text = json_to_string(node, FALSE);

  length = strlen(text);
  ppm_http_respond(request, status, "application/json", text, length);
}

void
ppm_http_respond_error(PpmHttpRequest *request, guint status, const char *code, const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "error");
  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "code");
  json_builder_add_string_value(builder, code);
  json_builder_set_member_name(builder, "message");
  json_builder_add_string_value(builder, message);
  json_builder_end_object(builder);
  json_builder_end_object(builder);
  root = json_builder_get_root(builder);
  ppm_http_respond_json(request, status, root);
}

void
ppm_http_respond_gerror(PpmHttpRequest *request, const GError *error, gint64 retry_after_s)
{
  guint status = ppm_store_error_status(error);

  if (retry_after_s > 0 && (status == 425 || status == 429 || status == 503))
    {
      g_autofree char *value = g_strdup_printf("%" G_GINT64_FORMAT, retry_after_s);
      ppm_http_add_header(request, "Retry-After", value);
    }
  if (status == 500)
    {
      g_warning("%s %s: %s", request->method, request->path, error->message);
      ppm_http_respond_error(request, 500, "internal", "internal error");
      return;
    }
  ppm_http_respond_error(request, status, ppm_store_error_code(error), error->message);
}

void
ppm_http_respond_html(PpmHttpRequest *request, guint status, const char *html)
{
  ppm_http_respond(request, status, "text/html; charset=utf-8", html, strlen(html));
}

void
ppm_http_respond_redirect(PpmHttpRequest *request, const char *location)
{
  ppm_http_add_header(request, "Location", location);
  ppm_http_respond(request, 303, NULL, NULL, 0);
}

void
ppm_http_request_free(PpmHttpRequest *request)
{
  g_free(request->method);
  g_free(request->path);
  g_hash_table_unref(request->headers);
  g_hash_table_unref(request->query);
  g_hash_table_unref(request->cookies);
  g_clear_pointer(&request->form, g_hash_table_unref);
  g_byte_array_unref(request->body);
  g_free(request->address);
  g_clear_pointer(&request->response_body, g_bytes_unref);
  g_ptr_array_unref(request->response_headers);
  g_mutex_clear(&request->lock);
  g_cond_clear(&request->cond);
  g_free(request);
}

PpmHttpRequest *
ppm_http_request_new(PpmPlatform *platform, const char *method, const char *path,
                     const char *client_address, gboolean tls)
{
  PpmHttpRequest *request = g_new0(PpmHttpRequest, 1);

  request->platform = platform;
  request->method = g_strdup(method);
  request->path = g_strdup(path);
  request->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  request->query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  request->cookies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  request->body = g_byte_array_new();
  request->address = g_strdup(client_address);
  request->tls = tls;
  request->started_us = g_get_monotonic_time();
  request->time_ms = g_get_real_time() / 1000;
  request->response_headers = g_ptr_array_new_with_free_func(g_free);
  g_mutex_init(&request->lock);
  g_cond_init(&request->cond);
  return request;
}

/* "a=1; b=2": pairs without '=' are ignored; a later pair wins. */
static void
parse_cookies(GHashTable *cookies, const char *header)
{
  g_auto(GStrv) pairs = g_strsplit(header, ";", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *pair = g_strstrip(pairs[i]);
      char *equals = strchr(pair, '=');

      if (equals == NULL || equals == pair)
        continue;
      *equals = '\0';
      g_hash_table_insert(cookies, g_strdup(g_strchomp(pair)), g_strdup(g_strchug(equals + 1)));
    }
}

/* RFC 9112, 6.1 and 6.3: one unambiguous body length or the request is
 * refused, so that no party in front of us reads its end elsewhere. */
static void
check_framing(PpmHttpRequest *request, const char *lower, const char *value)
{
  const char *before = g_hash_table_lookup(request->headers, lower);

  if (g_str_equal(lower, "content-length") && before != NULL && !g_str_equal(before, value))
    ppm_http_request_set_malformed(request, "differing Content-Length values");
  else if (g_str_equal(lower, "transfer-encoding"))
    {
      g_autofree char *coding = g_strstrip(g_strdup(value));

      if (before != NULL || g_ascii_strcasecmp(coding, "chunked") != 0)
        ppm_http_request_set_malformed(request, "unknown transfer coding");
    }
}

void
ppm_http_request_add_header(PpmHttpRequest *request, const char *name, const char *value)
{
  char *lower = g_ascii_strdown(name, -1);

  check_framing(request, lower, value);
  if (g_str_equal(lower, "cookie"))
    parse_cookies(request->cookies, value);
  else if (g_str_equal(lower, "content-length")
           && g_ascii_strtoull(value, NULL, 10) > PPM_HTTP_MAX_BODY)
    request->too_large = TRUE;
  g_hash_table_insert(request->headers, lower, g_strdup(value));
  if (g_hash_table_contains(request->headers, "content-length")
      && g_hash_table_contains(request->headers, "transfer-encoding"))
    ppm_http_request_set_malformed(request, "both Content-Length and Transfer-Encoding");
}

void
ppm_http_request_set_malformed(PpmHttpRequest *request, const char *reason)
{
  if (request->malformed == NULL)
    request->malformed = reason;
}

gboolean
ppm_http_request_is_malformed(PpmHttpRequest *request)
{
  return request->malformed != NULL;
}

void
ppm_http_request_add_query(PpmHttpRequest *request, const char *name, const char *value)
{
  g_hash_table_insert(request->query, g_strdup(name), g_strdup(value));
}

gboolean
ppm_http_request_parse_query(PpmHttpRequest *request, const char *query)
{
  g_autoptr(GHashTable) params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, NULL);
  GHashTableIter iter;
  gpointer name, value;

  if (params == NULL)
    return FALSE;
  g_hash_table_iter_init(&iter, params);
  while (g_hash_table_iter_next(&iter, &name, &value))
    ppm_http_request_add_query(request, name, value);
  return TRUE;
}

void
ppm_http_request_append_body(PpmHttpRequest *request, const char *data, gsize length)
{
  if (request->body->len + length > PPM_HTTP_MAX_BODY)
    request->too_large = TRUE;
  if (!request->too_large)
    g_byte_array_append(request->body, (const guint8 *)data, length);
}

void
ppm_http_request_defer(PpmHttpRequest *request)
{
  g_atomic_int_inc(&request->pending);
}

void
ppm_http_request_finish(PpmHttpRequest *request)
{
  if (!g_atomic_int_dec_and_test(&request->pending))
    return;
  if (request->status == 0)
    ppm_http_respond_error(request, 500, "internal", "no answer");
  if (request->done != NULL)
    {
      request->done(request, request->done_data);
      return;
    }
  g_mutex_lock(&request->lock);
  request->finished = TRUE;
  g_cond_signal(&request->cond);
  g_mutex_unlock(&request->lock);
}

void
ppm_http_request_run(PpmHttpRequest *request, PpmHttpHandler handler, PpmHttpDone done,
                     gpointer done_data)
{
  request->done = done;
  request->done_data = done_data;
  request->pending = 1;
  /* The body gets a NUL after its end (ppm_http_request_get_body()). */
  g_byte_array_append(request->body, (const guint8 *)"", 1);
  g_byte_array_set_size(request->body, request->body->len - 1);
  if (request->malformed != NULL)
    {
      ppm_http_add_header(request, "Connection", "close");
      ppm_http_respond_error(request, 400, "bad_request", request->malformed);
    }
  else if (request->too_large)
    ppm_http_respond_error(request, 413, "too_large", "the body is larger than 64 KiB");
  else
    handler(request);
  /* With `done` set, the request may be gone once this returns. */
  ppm_http_request_finish(request);
  if (done != NULL)
    return;
  g_mutex_lock(&request->lock);
  while (!request->finished)
    g_cond_wait(&request->cond, &request->lock);
  g_mutex_unlock(&request->lock);
}

guint
ppm_http_request_get_status(PpmHttpRequest *request)
{
  return request->status;
}

GBytes *
ppm_http_request_get_answer(PpmHttpRequest *request)
{
  return request->response_body;
}

GPtrArray *
ppm_http_request_get_answer_headers(PpmHttpRequest *request)
{
  return request->response_headers;
}

gint64
ppm_http_request_get_started_us(PpmHttpRequest *request)
{
  return request->started_us;
}
