/* /v1/me/allowed-models: a member's allow-list, as the settings page shows
 * it (docs/billing-rules.md#allow-list). */
#include "ppm-routes.h"

/* Answers {only, models: [{id, display_name}]} with the list as it is now. */
static void
respond_list(PpmRouteContext *ctx)
{
  PpmStore *store = ctx->platform->store;
  g_auto(PpmStoreAllowList) list = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new();

  if (!ppm_store_allow_list_get(store, ctx->user->id, &list, &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "only");
  json_builder_add_boolean_value(b, list.only);
  json_builder_set_member_name(b, "models");
  json_builder_begin_array(b);
  for (guint i = 0; i < list.allowed->len; i++)
    {
      const PpmStoreAllowedModel *model = g_ptr_array_index(list.allowed, i);

      json_builder_begin_object(b);
      json_builder_set_member_name(b, "id");
      json_builder_add_int_value(b, model->id);
      json_builder_set_member_name(b, "display_name");
      json_builder_add_string_value(b, model->display_name);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
  json_builder_end_object(b);
  ppm_route_json(ctx, 200, b);
}

void
ppm_route_allowed_models(PpmRouteContext *ctx)
{
  respond_list(ctx);
}

void
ppm_route_allowed_models_only(PpmRouteContext *ctx)
{
  gboolean only;
  g_autoptr(GError) error = NULL;

  if (!ppm_field_bool(ctx, "only", &only, NULL))
    return;
  if (!ppm_store_allow_list_set_only(ctx->platform->store, ctx->user->id, only, &error))
    ppm_route_fail(ctx, error, 0);
  else
    respond_list(ctx);
}

void
ppm_route_allowed_model_add(PpmRouteContext *ctx)
{
  const char *email = NULL, *protocol = NULL, *handle = NULL;
  gboolean by_email, by_protocol, by_handle;
  g_autoptr(GError) error = NULL;

  if (!ppm_field_string(ctx, "email", &email, &by_email)
      || !ppm_field_string(ctx, "protocol", &protocol, &by_protocol)
      || !ppm_field_string(ctx, "handle", &handle, &by_handle))
    return;
  if (by_email == (by_protocol || by_handle))
    {
      ppm_route_invalid(ctx, "give either email or protocol and handle");
      return;
    }
  if (!ppm_store_allow_model(ctx->platform->store, ctx->user->id, email, protocol, handle, &error))
    ppm_route_fail(ctx, error, 0);
  else
    respond_list(ctx);
}

void
ppm_route_allowed_model_remove(PpmRouteContext *ctx)
{
  gint64 model_id;
  g_autoptr(GError) error = NULL;

  if (!ppm_field_int(ctx, "model_id", &model_id, NULL))
    return;
  if (!ppm_store_allow_list_remove(ctx->platform->store, ctx->user->id, model_id, &error))
    ppm_route_fail(ctx, error, 0);
  else
    respond_list(ctx);
}
