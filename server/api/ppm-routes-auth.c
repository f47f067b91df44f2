/* POST /v1/auth/login, /refresh, /logout and GET /healthz. */
#include "ppm-routes.h"

#include <string.h>

#include "ppm-auth.h"

static void
respond_tokens(PpmRouteContext *ctx, const PpmTokenPair *pair)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "access_token");
  json_builder_add_string_value(b, pair->access_token);
  json_builder_set_member_name(b, "refresh_token");
  json_builder_add_string_value(b, pair->refresh_token);
  json_builder_set_member_name(b, "expires_in");
  json_builder_add_int_value(b, PPM_ACCESS_TOKEN_SECONDS);
  json_builder_set_member_name(b, "user");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, pair->user->id);
  json_builder_set_member_name(b, "email");
  json_builder_add_string_value(b, pair->user->email);
  json_builder_set_member_name(b, "role");
  json_builder_add_string_value(b, ppm_role_to_string(pair->user->role));
  json_builder_set_member_name(b, "display_name");
  json_builder_add_string_value(b, pair->user->display_name);
  json_builder_end_object(b);
  json_builder_end_object(b);
  ppm_route_json(ctx, 200, b);
}

void
ppm_route_login(PpmRouteContext *ctx)
{
  const char *email, *password;
  g_auto(PpmTokenPair) pair = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 retry_after_s = 0;

  if (!ppm_field_string(ctx, "email", &email, NULL)
      || !ppm_field_string(ctx, "password", &password, NULL))
    return;
  if (strlen(email) > 254 || strlen(password) > 1024)
    {
      ppm_route_invalid(ctx, "email or password too long");
      return;
    }
  if (!ppm_auth_login(ctx->platform->store, email, password,
                      ppm_http_request_get_client_address(ctx->request),
                      ppm_http_request_get_time_ms(ctx->request), &pair, &retry_after_s, &error))
    {
      ppm_route_fail(ctx, error, retry_after_s);
      return;
    }
  respond_tokens(ctx, &pair);
}

void
ppm_route_refresh(PpmRouteContext *ctx)
{
  const char *token;
  g_auto(PpmTokenPair) pair = { 0 };
  g_autoptr(GError) error = NULL;

  if (!ppm_field_string(ctx, "refresh_token", &token, NULL))
    return;
  if (!ppm_auth_refresh(ctx->platform->store, token, ppm_http_request_get_time_ms(ctx->request),
                        &pair, &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  respond_tokens(ctx, &pair);
}

void
ppm_route_logout(PpmRouteContext *ctx)
{
  /* The router checked the token. */
  g_autofree char *hash = ppm_token_hash(ctx->bearer);
  g_autoptr(GError) error = NULL;

  if (!ppm_store_tokens_revoke_pair(ctx->platform->store, hash, &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  ppm_http_respond(ctx->request, 204, NULL, NULL, 0);
}

void
ppm_route_healthz(PpmRouteContext *ctx)
{
  ppm_http_respond(ctx->request, 200, "text/plain; charset=utf-8", "ok", 2);
}
