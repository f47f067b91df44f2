/* Finds the route of a request, checks what every route checks (method,
 * body, auth), and calls its handler. */
#include "ppm-routes.h"

#include <string.h>

#include "ppm-auth.h"
#include "ppm-web.h"

/* Booleans left out are FALSE. */
static const PpmRoute routes[] = {
  { .method = "POST",
    .path = "/v1/auth/login",
    .who = PPM_WHO_ANYONE,
    .json_body = TRUE,
    .func = ppm_route_login,
    .hashes = TRUE },
  { .method = "POST",
    .path = "/v1/auth/refresh",
    .who = PPM_WHO_ANYONE,
    .json_body = TRUE,
    .func = ppm_route_refresh },
  { .method = "POST", .path = "/v1/auth/logout", .who = PPM_WHO_USER, .func = ppm_route_logout },
  { .method = "GET", .path = "/v1/me", .who = PPM_WHO_USER, .func = ppm_route_me },
  { .method = "PUT",
    .path = "/v1/me/rate",
    .who = PPM_WHO_MODEL,
    .json_body = TRUE,
    .func = ppm_route_set_rate },
  { .method = "PUT",
    .path = "/v1/me/max-rate",
    .who = PPM_WHO_MEMBER,
    .json_body = TRUE,
    .func = ppm_route_set_max_rate },
  { .method = "POST",
    .path = "/v1/me/handles",
    .who = PPM_WHO_USER,
    .json_body = TRUE,
    .func = ppm_route_handle_link },
  { .method = "DELETE",
    .path = "/v1/me/handles",
    .who = PPM_WHO_USER,
    .json_body = TRUE,
    .func = ppm_route_handle_unlink },
  { .method = "GET", .path = "/v1/members/lookup", .who = PPM_WHO_MODEL, .func = ppm_route_lookup },
  { .method = "POST",
    .path = "/v1/sessions",
    .who = PPM_WHO_MODEL,
    .json_body = TRUE,
    .func = ppm_route_session_open },
  { .method = "POST",
    .path = "/v1/sessions/{id}/charges",
    .who = PPM_WHO_MODEL,
    .json_body = TRUE,
    .func = ppm_route_session_charge,
    .submits = TRUE },
  { .method = "POST",
    .path = "/v1/sessions/{id}/close",
    .who = PPM_WHO_MODEL,
    .json_body = TRUE,
    .func = ppm_route_session_close },
  { .method = "POST",
    .path = "/v1/sessions/{id}/rating",
    .who = PPM_WHO_USER,
    .json_body = TRUE,
    .func = ppm_route_session_rating },
  { .method = "POST",
    .path = "/v1/app-rating",
    .who = PPM_WHO_USER,
    .json_body = TRUE,
    .func = ppm_route_app_rating },
  { .method = "GET",
    .path = "/v1/me/sessions",
    .who = PPM_WHO_USER,
    .func = ppm_route_my_sessions },
  { .method = "GET",
    .path = "/v1/me/transactions",
    .who = PPM_WHO_USER,
    .func = ppm_route_my_transactions },
  { .method = "GET",
    .path = "/v1/me/allowed-models",
    .who = PPM_WHO_MEMBER,
    .func = ppm_route_allowed_models },
  { .method = "PUT",
    .path = "/v1/me/allowed-models",
    .who = PPM_WHO_MEMBER,
    .json_body = TRUE,
    .func = ppm_route_allowed_models_only },
  { .method = "POST",
    .path = "/v1/me/allowed-models",
    .who = PPM_WHO_MEMBER,
    .json_body = TRUE,
    .func = ppm_route_allowed_model_add },
  { .method = "DELETE",
    .path = "/v1/me/allowed-models",
    .who = PPM_WHO_MEMBER,
    .json_body = TRUE,
    .func = ppm_route_allowed_model_remove },
  { .method = "GET", .path = "/healthz", .who = PPM_WHO_ANYONE, .func = ppm_route_healthz },
};

/* Matches `path` against `pattern`; *param gets the {id} segment. */
static gboolean
path_matches(const char *pattern, const char *path, char **param)
{
  g_auto(GStrv) want = g_strsplit(pattern, "/", -1);
  g_auto(GStrv) have = g_strsplit(path, "/", -1);

  if (g_strv_length(want) != g_strv_length(have))
    return FALSE;
  for (guint i = 0; want[i]; i++)
    {
      if (g_str_equal(want[i], "{id}"))
        {
          /* The store would refuse a database query of bad UTF-8 whole. */
          if (*have[i] == '\0' || strlen(have[i]) > 64 || !g_utf8_validate(have[i], -1, NULL))
            return FALSE;
          g_free(*param);
          *param = g_strdup(have[i]);
        }
      else if (!g_str_equal(want[i], have[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_json(const char *content_type)
{
  g_autofree char *type = NULL;
  char *semicolon;

  if (content_type == NULL)
    return FALSE;
  type = g_ascii_strdown(content_type, -1);
  semicolon = strchr(type, ';');
  if (semicolon != NULL)
    *semicolon = '\0';
  return g_str_equal(g_strstrip(type), "application/json");
}

/* Whether a string of the JSON text escapes U+0000: json-glib would decode
 * it into an embedded NUL and every reader would see the string cut there.
 * A backslash only occurs inside strings, each one starting an escape. */
static gboolean
json_escapes_nul(const char *body, gsize length)
{
  for (gsize i = 0; i + 1 < length; i++)
    if (body[i] == '\\')
      {
        if (body[i + 1] == 'u' && i + 5 < length && strncmp(body + i + 2, "0000", 4) == 0)
          return TRUE;
        i++;
      }
  return FALSE;
}

/* 415, 400 or the body's object in ctx->body. */
static gboolean
parse_body(PpmRouteContext *ctx, JsonParser *parser)
{
  gsize length;
  const char *body = ppm_http_request_get_body(ctx->request, &length);
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!is_json(ppm_http_request_get_header(ctx->request, "Content-Type")))
    {
      ppm_http_respond_error(ctx->request, 415, "unsupported_media_type",
                             "the body must be application/json");
      return FALSE;
    }
  if (!g_utf8_validate_len(body, length, NULL) || memchr(body, '\0', length) != NULL)
    {
      ppm_http_respond_error(ctx->request, 400, "bad_request", "the body is not UTF-8");
      return FALSE;
    }
  if (json_escapes_nul(body, length))
    {
      ppm_http_respond_error(ctx->request, 400, "bad_request",
                             "a string of the body holds \\u0000");
      return FALSE;
    }
  if (!json_parser_load_from_data(parser, body, length, &error)
      || (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    {
      ppm_http_respond_error(ctx->request, 400, "bad_request", "the body is not a JSON object");
      return FALSE;
    }
  ctx->body = json_node_get_object(root);
  return TRUE;
}

/* ctx->bearer from the Authorization header, else 401. */
static gboolean
find_bearer(PpmRouteContext *ctx)
{
  ctx->bearer = ppm_http_request_get_bearer(ctx->request);
  if (ctx->bearer == NULL)
    {
      ppm_http_respond_error(ctx->request, 401, "unauthorized", "a bearer token is required");
      return FALSE;
    }
  return TRUE;
}

static gboolean
authenticate(PpmRouteContext *ctx, PpmRouteWho who)
{
  g_autoptr(GError) error = NULL;

  if (!find_bearer(ctx))
    return FALSE;
  ctx->user = ppm_auth_user(ctx->platform->store, ctx->bearer,
                            ppm_http_request_get_time_ms(ctx->request), &error);
  if (ctx->user == NULL)
    {
      ppm_route_fail(ctx, error, 0);
      return FALSE;
    }
  if ((who == PPM_WHO_MODEL && !ppm_user_require_role(ctx->user, PPM_ROLE_MODEL, &error))
      || (who == PPM_WHO_MEMBER && !ppm_user_require_role(ctx->user, PPM_ROLE_MEMBER, &error)))
    {
      ppm_route_fail(ctx, error, 0);
      return FALSE;
    }
  return TRUE;
}

static void
not_found(PpmHttpRequest *request)
{
  ppm_http_respond_error(request, 404, "not_found", "no such resource");
}

/* Whether `path` is one of the web pages (server/web): the account pages and
 * the root, which leads to them. */
static gboolean
is_page(const char *path)
{
  return g_str_equal(path, "/") || g_str_has_prefix(path, "/account/");
}

void
ppm_router_handle(PpmHttpRequest *request)
{
  const char *path = ppm_http_request_get_path(request);
  const char *method = ppm_http_request_get_method(request);
  g_autofree char *param = NULL;
  g_autoptr(GString) allowed = g_string_new(NULL);
  g_autoptr(JsonParser) parser = NULL;
  const PpmRoute *route = NULL;
  PpmRouteContext ctx = { request, ppm_http_request_get_platform(request), NULL, NULL, NULL, NULL };

  if (is_page(path))
    {
      if (!ppm_web_handle(request))
        not_found(request);
      return;
    }
  for (gsize i = 0; i < G_N_ELEMENTS(routes); i++)
    if (path_matches(routes[i].path, path, &param))
      {
        if (g_str_equal(routes[i].method, method))
          route = &routes[i];
        g_string_append_printf(allowed, "%s%s", allowed->len ? ", " : "", routes[i].method);
      }
  if (route == NULL && allowed->len == 0)
    {
      not_found(request);
      return;
    }
  if (route == NULL)
    {
      ppm_http_add_header(request, "Allow", allowed->str);
      ppm_http_respond_error(request, 405, "method_not_allowed", "method not allowed here");
      return;
    }
  ctx.param = param;
  /* A submitting route's engine checks the token with the rest, in its own
   * thread: here only its presence, so that nothing here waits. */
  if (route->submits ? !find_bearer(&ctx)
                     : route->who != PPM_WHO_ANYONE && !authenticate(&ctx, route->who))
    goto out;
  parser = json_parser_new_immutable();
  if (route->json_body && !parse_body(&ctx, parser))
    goto out;
  route->func(&ctx);
out:
  g_clear_pointer(&ctx.user, ppm_store_user_free);
}

PpmHttpLane
ppm_router_lane(PpmPlatform *platform, const char *method, const char *path)
{
  g_autofree char *param = NULL;

  if (is_page(path))
    return ppm_web_hashes(method, path) ? PPM_HTTP_LANE_HASHING : PPM_HTTP_LANE_WORKERS;
  for (gsize i = 0; i < G_N_ELEMENTS(routes); i++)
    if (g_str_equal(routes[i].method, method) && path_matches(routes[i].path, path, &param))
      return routes[i].submits  ? PPM_HTTP_LANE_QUICK
             : routes[i].hashes ? PPM_HTTP_LANE_HASHING
                                : PPM_HTTP_LANE_WORKERS;
  return PPM_HTTP_LANE_WORKERS;
}

void
ppm_router_busy(PpmHttpRequest *request)
{
  g_autoptr(GError) error = g_error_new_literal(PPM_STORE_ERROR, PPM_STORE_ERROR_BUSY,
                                                "too many password checks at once, try again");

  if (is_page(ppm_http_request_get_path(request)))
    ppm_web_busy(request, PPM_ROUTER_BUSY_RETRY_SECONDS);
  else
    ppm_http_respond_gerror(request, error, PPM_ROUTER_BUSY_RETRY_SECONDS);
}

void
ppm_router_print_routes(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(routes); i++)
    g_print("%s %s\n", routes[i].method, routes[i].path);
  for (const char *const *page = ppm_web_routes; *page; page++)
    g_print("%s\n", *page);
}

static JsonNode *
field_node(PpmRouteContext *ctx, const char *name, gboolean *present)
{
  JsonNode *node = json_object_get_member(ctx->body, name);

  if (present)
    *present = node != NULL && !JSON_NODE_HOLDS_NULL(node);
  if (node == NULL || JSON_NODE_HOLDS_NULL(node))
    {
      if (present == NULL)
        {
          g_autofree char *message = g_strdup_printf("%s is required", name);
          ppm_http_respond_error(ctx->request, 400, "bad_request", message);
        }
      return NULL;
    }
  return node;
}

static gboolean
wrong_type(PpmRouteContext *ctx, const char *name, const char *type)
{
  g_autofree char *message = g_strdup_printf("%s must be %s", name, type);
  ppm_http_respond_error(ctx->request, 400, "bad_request", message);
  return FALSE;
}

gboolean
ppm_field_int(PpmRouteContext *ctx, const char *name, gint64 *value, gboolean *present)
{
  JsonNode *node = field_node(ctx, name, present);

  if (node == NULL)
    return present != NULL;
  if (json_node_get_value_type(node) != G_TYPE_INT64)
    return wrong_type(ctx, name, "an integer");
  *value = json_node_get_int(node);
  return TRUE;
}

gboolean
ppm_field_string(PpmRouteContext *ctx, const char *name, const char **value, gboolean *present)
{
  JsonNode *node = field_node(ctx, name, present);

  if (node == NULL)
    return present != NULL;
  if (json_node_get_value_type(node) != G_TYPE_STRING)
    return wrong_type(ctx, name, "a string");
  *value = json_node_get_string(node);
  return TRUE;
}

gboolean
ppm_field_bool(PpmRouteContext *ctx, const char *name, gboolean *value, gboolean *present)
{
  JsonNode *node = field_node(ctx, name, present);

  if (node == NULL)
    return present != NULL;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
    return wrong_type(ctx, name, "a boolean");
  *value = json_node_get_boolean(node);
  return TRUE;
}

gboolean
ppm_route_invalid(PpmRouteContext *ctx, const char *message)
{
  ppm_http_respond_error(ctx->request, 422, "invalid", message);
  return FALSE;
}

void
ppm_route_fail(PpmRouteContext *ctx, const GError *error, gint64 retry_after_s)
{
  ppm_http_respond_gerror(ctx->request, error, retry_after_s);
}

void
ppm_route_stored(PpmRouteContext *ctx, guint status, const PpmStoredAnswer *answer)
{
  if (answer->replayed)
    ppm_http_add_header(ctx->request, "Idempotent-Replayed", "true");
  ppm_http_respond(ctx->request, status, "application/json", answer->body, strlen(answer->body));
}

void
ppm_route_json(PpmRouteContext *ctx, guint status, JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root(builder);
  ppm_http_respond_json(ctx->request, status, root);
}
