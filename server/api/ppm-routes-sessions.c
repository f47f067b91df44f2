/* /v1/sessions: open, charge, close, rating. */
#include "ppm-routes.h"

#include <string.h>

#include "ppm-auth.h"
#include "ppm-handle.h"

static const char *const close_reasons[] = {
  "local_hangup",       "remote_hangup",
  "insufficient_funds", "unbilled_too_long",
  "session_gone",       "peer_offline",
  "no_media",           "ring_timeout",
  "local_disconnect",   "signed_out",
  "journal_error",      "client_restart",
  "plugin_unloaded",    NULL,
};

static gboolean
client_session_id_valid(const char *id)
{
  gsize length = strlen(id);

  if (length < 1 || length > 64)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

void
ppm_route_session_open(PpmRouteContext *ctx)
{
  PpmStoreOpenParams params = { 0 };
  g_autoptr(PpmStoreHandle) model_handle = NULL, member_handle = NULL;
  const char *model_raw, *member_raw;
  g_auto(PpmStoredAnswer) answer = { 0 };
  g_autoptr(GError) error = NULL;

  if (!ppm_field_string(ctx, "client_session_id", &params.client_session_id, NULL)
      || !ppm_field_string(ctx, "protocol", &params.protocol, NULL)
      || !ppm_field_string(ctx, "model_handle", &model_raw, NULL)
      || !ppm_field_string(ctx, "member_handle", &member_raw, NULL)
      || !ppm_field_int(ctx, "elapsed_ms", &params.elapsed_ms, NULL))
    return;
  model_handle = ppm_handle_normalize(params.protocol, model_raw, &error);
  member_handle
      = model_handle != NULL ? ppm_handle_normalize(params.protocol, member_raw, &error) : NULL;
  if (!client_session_id_valid(params.client_session_id))
    ppm_route_invalid(ctx, "client_session_id must be 1..64 letters, digits, - or _");
  else if (member_handle == NULL)
    ppm_route_fail(ctx, error, 0);
  else if (params.elapsed_ms < 0)
    ppm_route_invalid(ctx, "elapsed_ms must not be negative");
  else
    {
      PpmStore *store = ctx->platform->store;
      gint64 now_ms = ppm_http_request_get_time_ms(ctx->request), retry_after_s = 0;

      params.protocol = model_handle->protocol;
      params.model_handle = model_handle->handle;
      params.member_handle = member_handle->handle;
      if (ppm_store_session_open_count(store, ctx->user->id, &params, now_ms, &retry_after_s,
                                       &error)
          && ppm_store_session_open(store, ctx->user->id, &params, &ctx->platform->billing, now_ms,
                                    &answer, &error))
        ppm_route_stored(ctx, 201, &answer);
      else
        ppm_route_fail(ctx, error, retry_after_s);
    }
}

/* The charge's commit is done: answer from the engine's thread. */
static void
charge_answered(const PpmStoreChargeResult *result, gpointer data)
{
  PpmRouteContext ctx = { .request = data };

  if (result->error == NULL)
    ppm_route_stored(&ctx, 201, &result->answer);
  else
    ppm_route_fail(&ctx, result->error, result->retry_after_s);
  ppm_http_request_finish(ctx.request);
}

void
ppm_route_session_charge(PpmRouteContext *ctx)
{
  g_autofree char *access_hash = NULL;
  gint64 seq, elapsed_ms;

  if (!ppm_field_int(ctx, "seq", &seq, NULL)
      || !ppm_field_int(ctx, "elapsed_ms", &elapsed_ms, NULL))
    return;
  if (seq < 0 || seq > G_MAXINT32 || elapsed_ms < 0)
    {
      ppm_route_invalid(ctx, "seq and elapsed_ms must not be negative");
      return;
    }
  /* No thread waits for the commit: the batch can hold every charge queued.
   * The engine checks the token too (PpmRoute.submits). */
  access_hash = ppm_token_hash(ctx->bearer);
  ppm_http_request_defer(ctx->request);
  ppm_store_session_charge_submit(ctx->platform->store, access_hash, ctx->param, seq, elapsed_ms,
                                  ppm_http_request_get_time_ms(ctx->request), charge_answered,
                                  ctx->request);
}

void
ppm_route_session_close(PpmRouteContext *ctx)
{
  const char *reason;
  gint64 elapsed_ms;
  g_auto(PpmStoredAnswer) answer = { 0 };
  g_autoptr(GError) error = NULL;

  if (!ppm_field_string(ctx, "reason", &reason, NULL)
      || !ppm_field_int(ctx, "elapsed_ms", &elapsed_ms, NULL))
    return;
  if (!g_strv_contains(close_reasons, reason))
    {
      ppm_route_invalid(ctx, "unknown reason");
      return;
    }
  if (elapsed_ms < 0)
    {
      ppm_route_invalid(ctx, "elapsed_ms must not be negative");
      return;
    }
  if (ppm_store_session_close(ctx->platform->store, ctx->user->id, ctx->param, reason, elapsed_ms,
                              &ctx->platform->billing, ppm_http_request_get_time_ms(ctx->request),
                              &answer, &error))
    ppm_route_stored(ctx, 200, &answer);
  else
    ppm_route_fail(ctx, error, 0);
}

void
ppm_route_session_rating(PpmRouteContext *ctx)
{
  int stars;
  const char *comment;
  g_autoptr(GError) error = NULL;

  if (!ppm_route_rating_fields(ctx, &stars, &comment))
    return;
  if (!ppm_store_session_rate(ctx->platform->store, ctx->user->id, ctx->param, stars, comment,
                              ppm_http_request_get_time_ms(ctx->request), &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  ppm_http_respond(ctx->request, 204, NULL, NULL, 0);
}
