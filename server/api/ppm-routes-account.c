/* The authenticated user's own account: /v1/me, rates, handles, lookup,
 * history and the app rating. */
#include "ppm-routes.h"

#include <string.h>

#include "ppm-amount.h"
#include "ppm-answers.h"
#include "ppm-handle.h"
#include "ppm-validate.h"

#define HISTORY_DEFAULT_LIMIT 50
#define HISTORY_MAX_LIMIT 200

static const char *
currency(PpmRouteContext *ctx)
{
  return ctx->platform->store->currency;
}

static void
add_handles(JsonBuilder *b, GPtrArray *handles)
{
  json_builder_set_member_name(b, "handles");
  json_builder_begin_array(b);
  for (guint i = 0; i < handles->len; i++)
    {
      PpmStoreHandle *handle = handles->pdata[i];
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "protocol");
      json_builder_add_string_value(b, handle->protocol);
      json_builder_set_member_name(b, "handle");
      json_builder_add_string_value(b, handle->handle);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
}

static PpmStoreAccount *
load_account(PpmRouteContext *ctx)
{
  g_autoptr(GError) error = NULL;
  PpmStoreAccount *account = ppm_store_account_get(ctx->platform->store, ctx->user->id, &error);

  if (account == NULL)
    ppm_route_fail(ctx, error, 0);
  return account;
}

void
ppm_route_me(PpmRouteContext *ctx)
{
  g_autoptr(PpmStoreAccount) account = load_account(ctx);
  g_autoptr(JsonBuilder) b = json_builder_new();
  const PpmBillingConfig *billing = &ctx->platform->billing;

  if (account == NULL)
    return;
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, account->user->id);
  json_builder_set_member_name(b, "email");
  json_builder_add_string_value(b, account->user->email);
  json_builder_set_member_name(b, "role");
  json_builder_add_string_value(b, ppm_role_to_string(account->user->role));
  json_builder_set_member_name(b, "display_name");
  json_builder_add_string_value(b, account->user->display_name);
  ppm_json_add_money(b, "balance", account->balance_minor, currency(ctx));
  if (account->user->role == PPM_ROLE_MEMBER)
    {
      ppm_json_add_money(b, "available", account->available_minor, currency(ctx));
      ppm_json_add_money(b, "max_rate", account->max_rate_minor, currency(ctx));
    }
  else if (account->rate_minor > 0)
    ppm_json_add_money(b, "rate", account->rate_minor, currency(ctx));
  else
    {
      json_builder_set_member_name(b, "rate");
      json_builder_add_null_value(b);
    }
  add_handles(b, account->handles);
  json_builder_set_member_name(b, "billing");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "period_seconds");
  json_builder_add_int_value(b, billing->period_seconds);
  json_builder_set_member_name(b, "offset_ms");
  json_builder_add_int_value(b, PPM_OFFSET_MS); /* a session may add its shift */
  json_builder_set_member_name(b, "hold_periods");
  json_builder_add_int_value(b, billing->hold_periods);
  json_builder_set_member_name(b, "fee_bps");
  json_builder_add_int_value(b, billing->fee_bps);
  json_builder_set_member_name(b, "currency");
  json_builder_add_string_value(b, currency(ctx));
  json_builder_end_object(b);
  json_builder_end_object(b);
  ppm_route_json(ctx, 200, b);
}

/* PUT /v1/me/rate and /v1/me/max-rate: {amount_minor} → {NAME: money}. */
static void
set_amount(PpmRouteContext *ctx, const char *name, gint64 max,
           gboolean (*set)(PpmStore *, gint64, gint64, GError **))
{
  gint64 amount;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new();

  if (!ppm_field_int(ctx, "amount_minor", &amount, NULL))
    return;
  if (amount < 1 || amount > max)
    {
      g_autofree char *message = g_strdup_printf("amount_minor must be 1..%" G_GINT64_FORMAT, max);
      ppm_route_invalid(ctx, message);
      return;
    }
  if (!set(ctx->platform->store, ctx->user->id, amount, &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  json_builder_begin_object(b);
  ppm_json_add_money(b, name, amount, currency(ctx));
  json_builder_end_object(b);
  ppm_route_json(ctx, 200, b);
}

void
ppm_route_set_rate(PpmRouteContext *ctx)
{
  set_amount(ctx, "rate", ctx->platform->billing.max_rate_minor, ppm_store_set_rate);
}

void
ppm_route_set_max_rate(PpmRouteContext *ctx)
{
  set_amount(ctx, "max_rate", PPM_MAX_BALANCE_MINOR, ppm_store_set_max_rate);
}

static void
change_handle(PpmRouteContext *ctx, gboolean link)
{
  const char *protocol, *handle;
  g_autoptr(PpmStoreHandle) normalized = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmStoreAccount) account = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new();
  PpmStore *store = ctx->platform->store;

  if (!ppm_field_string(ctx, "protocol", &protocol, NULL)
      || !ppm_field_string(ctx, "handle", &handle, NULL))
    return;
  normalized = ppm_handle_normalize(protocol, handle, &error);
  if (normalized == NULL
      || !(link ? ppm_store_handle_link : ppm_store_handle_unlink)(
          store, ctx->user->id, normalized->protocol, normalized->handle, &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  account = load_account(ctx);
  if (account == NULL)
    return;
  json_builder_begin_object(b);
  add_handles(b, account->handles);
  json_builder_end_object(b);
  ppm_route_json(ctx, 200, b);
}

void
ppm_route_handle_link(PpmRouteContext *ctx)
{
  change_handle(ctx, TRUE);
}

void
ppm_route_handle_unlink(PpmRouteContext *ctx)
{
  change_handle(ctx, FALSE);
}

void
ppm_route_lookup(PpmRouteContext *ctx)
{
  static const char *const statuses[] = { "not_member", "unfunded", "funded" };
  const char *protocol = ppm_http_request_get_query(ctx->request, "protocol");
  const char *handle = ppm_http_request_get_query(ctx->request, "handle");
  g_autoptr(PpmStoreHandle) normalized = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmStoreLookup) lookup = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new();
  gint64 retry_after_s = 0;

  if (protocol == NULL || handle == NULL)
    {
      ppm_http_respond_error(ctx->request, 400, "bad_request", "protocol and handle are required");
      return;
    }
  normalized = ppm_handle_normalize(protocol, handle, &error);
  if (normalized != NULL)
    lookup = ppm_store_lookup(ctx->platform->store, ctx->user->id, normalized->protocol,
                              normalized->handle, ppm_http_request_get_time_ms(ctx->request),
                              &retry_after_s, &error);
  if (lookup == NULL)
    {
      ppm_route_fail(ctx, error, retry_after_s);
      return;
    }
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "status");
  json_builder_add_string_value(b, statuses[lookup->status]);
  if (lookup->display_name != NULL)
    {
      json_builder_set_member_name(b, "display_name");
      json_builder_add_string_value(b, lookup->display_name);
    }
  if (lookup->status == PPM_STORE_LOOKUP_FUNDED)
    {
      json_builder_set_member_name(b, "minutes_affordable");
      json_builder_add_int_value(b, lookup->minutes_affordable);
    }
  if (lookup->status != PPM_STORE_LOOKUP_NOT_MEMBER)
    {
      json_builder_set_member_name(b, "billing_allowed");
      json_builder_add_boolean_value(b, lookup->billing_allowed);
    }
  json_builder_end_object(b);
  ppm_route_json(ctx, 200, b);
}

gboolean
ppm_route_rating_fields(PpmRouteContext *ctx, int *stars, const char **comment)
{
  gint64 value;
  gboolean present;

  *comment = NULL;
  if (!ppm_field_int(ctx, "stars", &value, NULL)
      || !ppm_field_string(ctx, "comment", comment, &present))
    return FALSE;
  if (value < 1 || value > 5)
    return ppm_route_invalid(ctx, "stars must be 1..5");
  if (present && !ppm_comment_valid(*comment))
    return ppm_route_invalid(ctx, "comment is longer than 500 characters");
  *stars = (int)value;
  return TRUE;
}

void
ppm_route_app_rating(PpmRouteContext *ctx)
{
  int stars;
  const char *comment, *session_id = NULL;
  gboolean present;
  g_autoptr(GError) error = NULL;

  if (!ppm_route_rating_fields(ctx, &stars, &comment)
      || !ppm_field_string(ctx, "session_id", &session_id, &present))
    return;
  if (!ppm_store_app_rate(ctx->platform->store, ctx->user->id, stars, comment,
                          present ? session_id : NULL, ppm_http_request_get_time_ms(ctx->request),
                          &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  ppm_http_respond(ctx->request, 204, NULL, NULL, 0);
}

/* limit (1..200, default 50) and before (> 0) from the query; 422 else. */
static gboolean
page_args(PpmRouteContext *ctx, int *limit, gint64 *before)
{
  const char *limit_text = ppm_http_request_get_query(ctx->request, "limit");
  const char *before_text = ppm_http_request_get_query(ctx->request, "before");
  guint64 value;

  *limit = HISTORY_DEFAULT_LIMIT;
  *before = 0;
  if (limit_text != NULL)
    {
      if (!g_ascii_string_to_unsigned(limit_text, 10, 1, HISTORY_MAX_LIMIT, &value, NULL))
        return ppm_route_invalid(ctx, "limit must be 1..200");
      *limit = (int)value;
    }
  if (before_text != NULL)
    {
      if (!g_ascii_string_to_unsigned(before_text, 10, 1, G_MAXINT64, &value, NULL))
        return ppm_route_invalid(ctx, "before must be a positive id");
      *before = (gint64)value;
    }
  return TRUE;
}

static void
add_time(JsonBuilder *b, const char *name, gint64 time_ms)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc(time_ms / 1000);
  g_autofree char *text = g_date_time_format(time, "%Y-%m-%dT%H:%M:%SZ");

  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, text);
}

typedef gboolean (*PageFetch)(PpmStore *store, gint64 user_id, gint64 before, int limit,
                              PpmStorePage *page, GError **error);
typedef void (*PageItemAdd)(PpmRouteContext *ctx, JsonBuilder *b, gconstpointer item);

/* A page of the user's history: `{items: [...], next_before?}` with one
 * object per item, written by `add`. */
static void
respond_page(PpmRouteContext *ctx, PageFetch fetch, PageItemAdd add)
{
  g_auto(PpmStorePage) page = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new();
  gint64 before;
  int limit;

  if (!page_args(ctx, &limit, &before))
    return;
  if (!fetch(ctx->platform->store, ctx->user->id, before, limit, &page, &error))
    {
      ppm_route_fail(ctx, error, 0);
      return;
    }
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "items");
  json_builder_begin_array(b);
  for (guint i = 0; i < page.items->len; i++)
    {
      json_builder_begin_object(b);
      add(ctx, b, page.items->pdata[i]);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
  if (page.next_before > 0)
    {
      json_builder_set_member_name(b, "next_before");
      json_builder_add_int_value(b, page.next_before);
    }
  json_builder_end_object(b);
  ppm_route_json(ctx, 200, b);
}

static void
session_item_add(PpmRouteContext *ctx, JsonBuilder *b, gconstpointer data)
{
  const PpmStoreSessionItem *item = data;

  json_builder_set_member_name(b, "session_id");
  json_builder_add_string_value(b, item->session_id);
  add_time(b, "started", item->started_ms);
  if (item->ended_ms > 0)
    add_time(b, "ended", item->ended_ms);
  if (item->reason != NULL)
    {
      json_builder_set_member_name(b, "reason");
      json_builder_add_string_value(b, item->reason);
    }
  json_builder_set_member_name(b, "counterparty");
  json_builder_add_string_value(b, item->counterparty);
  json_builder_set_member_name(b, "periods_charged");
  json_builder_add_int_value(b, item->periods_charged);
  ppm_json_add_money(b, "total", item->total_minor, currency(ctx));
}

void
ppm_route_my_sessions(PpmRouteContext *ctx)
{
  respond_page(ctx, ppm_store_sessions_page, session_item_add);
}

static void
transaction_item_add(PpmRouteContext *ctx, JsonBuilder *b, gconstpointer data)
{
  const PpmStoreTransactionItem *item = data;

  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, item->id);
  add_time(b, "time", item->time_ms);
  json_builder_set_member_name(b, "kind");
  json_builder_add_string_value(b, item->kind);
  ppm_json_add_money(b, "amount", item->amount_minor, currency(ctx));
  ppm_json_add_money(b, "balance_after", item->balance_after_minor, currency(ctx));
  if (item->session_id != NULL)
    {
      json_builder_set_member_name(b, "session_id");
      json_builder_add_string_value(b, item->session_id);
    }
  if (item->counterparty != NULL)
    {
      json_builder_set_member_name(b, "counterparty");
      json_builder_add_string_value(b, item->counterparty);
    }
}

void
ppm_route_my_transactions(PpmRouteContext *ctx)
{
  respond_page(ctx, ppm_store_transactions_page, transaction_item_add);
}
