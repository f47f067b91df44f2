/* The answer decoders (see ppm-api-decode.h), one per route, on ppm-json's checked getters. */
#include "ppm-api-decode.h"

#include "ppm-api-error.h"

#include <string.h>

#define PPM_DECODE_MAX_ITEMS 1000
/* An open's offset_ms: 1 s plus the platform's shift, which is at most
 * max_backdate_seconds (a day at most) plus 1.5 periods (an hour at most). */
#define PPM_DECODE_MAX_OPEN_OFFSET_MS ((86400 + 2 * 3600 + 1) * G_GINT64_CONSTANT(1000))

static gboolean
ppm_decode_user(JsonObject *object, PpmUser *user, GError **error)
{
  static const char *const roles[] = { "model", "member", NULL };

  return ppm_json_require_id(object, "id", &user->id, error)
         && ppm_json_require_string(object, "email", &user->email, error)
         && ppm_json_require_enum(object, "role", roles, &user->role, error)
         && ppm_json_require_string(object, "display_name", &user->display_name, error);
}

PpmLogin *
ppm_api_decode_login(JsonNode *root, GError **error)
{
  g_autoptr(PpmLogin) login = g_new0(PpmLogin, 1);
  JsonObject *object = ppm_json_root_object(root, error);
  JsonObject *user;

  if (object == NULL
      || !ppm_json_require_string(object, "access_token", &login->access_token, error)
      || !ppm_json_require_string(object, "refresh_token", &login->refresh_token, error)
      || !ppm_json_require_int(object, "expires_in", 1, G_MAXINT32, &login->expires_in, error)
      || !ppm_json_require_object(object, "user", &user, error)
      || !ppm_decode_user(user, &login->user, error))
    return NULL;
  return g_steal_pointer(&login);
}

static PpmHandle *
ppm_decode_handle(JsonObject *object, char currency[4], GError **error)
{
  g_autoptr(PpmHandle) handle = g_new0(PpmHandle, 1);

  if (!ppm_json_require_string(object, "protocol", &handle->protocol, error)
      || !ppm_json_require_string(object, "handle", &handle->handle, error))
    return NULL;
  return g_steal_pointer(&handle);
}

typedef gpointer (*PpmDecodeItem)(JsonObject *object, char currency[4], GError **error);

/* Decodes every element of the array `name`, each an object. */
static GPtrArray *
ppm_decode_array(JsonObject *object, const char *name, PpmDecodeItem decode,
                 GDestroyNotify free_item, char currency[4], GError **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(free_item);
  JsonArray *array;

  if (!ppm_json_require_array(object, name, &array, error))
    return NULL;
  if (json_array_get_length(array) > PPM_DECODE_MAX_ITEMS)
    {
      g_set_error(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL, "answer field \"%s\": too long",
                  name);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length(array); i++)
    {
      JsonNode *node = json_array_get_element(array, i);
      gpointer item;

      if (!JSON_NODE_HOLDS_OBJECT(node))
        {
          g_set_error(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL,
                      "answer field \"%s\": an element is not an object", name);
          return NULL;
        }
      item = decode(json_node_get_object(node), currency, error);
      if (item == NULL)
        return NULL;
      g_ptr_array_add(items, item);
    }
  return g_steal_pointer(&items);
}

GPtrArray *
ppm_api_decode_handles(JsonNode *root, GError **error)
{
  JsonObject *object = ppm_json_root_object(root, error);
  char unused[4] = "";

  if (object == NULL)
    return NULL;
  return ppm_decode_array(object, "handles", (PpmDecodeItem)ppm_decode_handle,
                          (GDestroyNotify)ppm_handle_free, unused, error);
}

/* An optional money field: absent or null is fine. */
static gboolean
ppm_decode_optional_money(JsonObject *object, const char *name, char currency[4], gboolean *present,
                          PpmMoney *out, GError **error)
{
  JsonNode *node = json_object_get_member(object, name);

  *present = node != NULL && !JSON_NODE_HOLDS_NULL(node);
  return !*present || ppm_json_require_money(object, name, 0, PPM_MONEY_MAX, currency, out, error);
}

PpmMe *
ppm_api_decode_me(JsonNode *root, char currency[4], GError **error)
{
  g_autoptr(PpmMe) me = g_new0(PpmMe, 1);
  JsonObject *object = ppm_json_root_object(root, error);
  JsonObject *billing;
  gint64 period, hold, fee;
  g_autofree char *billing_currency = NULL;

  if (object == NULL || !ppm_decode_user(object, &me->user, error)
      || !ppm_json_require_object(object, "billing", &billing, error)
      || !ppm_json_require_int(billing, "period_seconds", 1, 3600, &period, error)
      || !ppm_json_require_int(billing, "offset_ms", 0, 3600000, &me->billing.offset_ms, error)
      || !ppm_json_require_int(billing, "hold_periods", 1, 60, &hold, error)
      || !ppm_json_require_int(billing, "fee_bps", 0, PPM_MONEY_FEE_BPS_MAX, &fee, error)
      || !ppm_json_require_string(billing, "currency", &billing_currency, error))
    return NULL;
  if (!ppm_json_is_currency(billing_currency)
      || (currency[0] != '\0' && strcmp(currency, billing_currency) != 0))
    {
      g_set_error_literal(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL,
                          "answer field \"currency\": not the platform's ISO 4217 code");
      return NULL;
    }
  memcpy(me->billing.currency, billing_currency, 4);
  memcpy(currency, billing_currency, 4);
  me->billing.period_seconds = (int)period;
  me->billing.hold_periods = (int)hold;
  me->billing.fee_bps = (int)fee;

  if (!ppm_json_require_money(object, "balance", 0, PPM_MONEY_MAX, currency, &me->balance, error)
      || !ppm_decode_optional_money(object, "available", currency, &me->has_available,
                                    &me->available, error)
      || !ppm_decode_optional_money(object, "max_rate", currency, &me->has_max_rate, &me->max_rate,
                                    error)
      || !ppm_decode_optional_money(object, "rate", currency, &me->has_rate, &me->rate, error))
    return NULL;
  me->handles = ppm_decode_array(object, "handles", (PpmDecodeItem)ppm_decode_handle,
                                 (GDestroyNotify)ppm_handle_free, currency, error);
  if (me->handles == NULL)
    return NULL;
  return g_steal_pointer(&me);
}

gboolean
ppm_api_decode_rate(JsonNode *root, char currency[4], PpmMoney *out, GError **error)
{
  JsonObject *object = ppm_json_root_object(root, error);

  return object != NULL
         && ppm_json_require_money(object, "rate", 1, PPM_MONEY_MAX, currency, out, error);
}

PpmLookup *
ppm_api_decode_lookup(JsonNode *root, GError **error)
{
  static const char *const statuses[] = { "funded", "unfunded", "not_member", NULL };
  g_autoptr(PpmLookup) lookup = g_new0(PpmLookup, 1);
  JsonObject *object = ppm_json_root_object(root, error);
  g_autofree char *status = NULL;
  gint64 minutes = -1;
  gboolean allowed;

  if (object == NULL || !ppm_json_require_enum(object, "status", statuses, &status, error)
      || !ppm_json_optional_string(object, "display_name", &lookup->display_name, error)
      || !ppm_json_optional_bool(object, "billing_allowed", TRUE, &allowed, error))
    return NULL;
  lookup->billing_refused = !allowed;
  if (json_object_has_member(object, "minutes_affordable")
      && !ppm_json_require_int(object, "minutes_affordable", 0, 60, &minutes, error))
    return NULL;
  lookup->minutes_affordable = (int)minutes;
  lookup->status = g_str_equal(status, "funded")     ? PPM_LOOKUP_FUNDED
                   : g_str_equal(status, "unfunded") ? PPM_LOOKUP_UNFUNDED
                                                     : PPM_LOOKUP_NOT_MEMBER;
  return g_steal_pointer(&lookup);
}

static PpmSessionItem *
ppm_decode_session_item(JsonObject *object, char currency[4], GError **error)
{
  g_autoptr(PpmSessionItem) item = g_new0(PpmSessionItem, 1);

  if (!ppm_json_require_id(object, "session_id", &item->session_id, error)
      || !ppm_json_require_time(object, "started", FALSE, &item->started, error)
      || !ppm_json_require_time(object, "ended", TRUE, &item->ended, error)
      || !ppm_json_optional_string(object, "reason", &item->reason, error)
      || !ppm_json_optional_string(object, "counterparty", &item->counterparty, error)
      || !ppm_json_require_int(object, "periods_charged", 0, G_MAXINT32, &item->periods_charged,
                               error)
      || !ppm_json_require_money(object, "total", 0, PPM_MONEY_MAX, currency, &item->total, error))
    return NULL;
  return g_steal_pointer(&item);
}

static PpmTransaction *
ppm_decode_transaction(JsonObject *object, char currency[4], GError **error)
{
  static const char *const kinds[] = { "deposit", "charge", "refund", "earning", "payout", NULL };
  g_autoptr(PpmTransaction) transaction = g_new0(PpmTransaction, 1);

  if (!ppm_json_require_id(object, "id", &transaction->id, error)
      || !ppm_json_require_time(object, "time", FALSE, &transaction->time, error)
      || !ppm_json_require_enum(object, "kind", kinds, &transaction->kind, error)
      || !ppm_json_require_money(object, "amount", -PPM_MONEY_MAX, PPM_MONEY_MAX, currency,
                                 &transaction->amount, error)
      || !ppm_json_require_money(object, "balance_after", 0, PPM_MONEY_MAX, currency,
                                 &transaction->balance_after, error)
      || !ppm_json_optional_id(object, "session_id", &transaction->session_id, error)
      || !ppm_json_optional_string(object, "counterparty", &transaction->counterparty, error))
    return NULL;
  return g_steal_pointer(&transaction);
}

static PpmPage *
ppm_decode_page(JsonNode *root, PpmDecodeItem decode, GDestroyNotify free_item, char currency[4],
                GError **error)
{
  g_autoptr(PpmPage) page = g_new0(PpmPage, 1);
  JsonObject *object = ppm_json_root_object(root, error);

  if (object == NULL)
    return NULL;
  page->items = ppm_decode_array(object, "items", decode, free_item, currency, error);
  if (page->items == NULL
      || !ppm_json_optional_id(object, "next_before", &page->next_before, error))
    return NULL;
  return g_steal_pointer(&page);
}

PpmPage *
ppm_api_decode_sessions(JsonNode *root, char currency[4], GError **error)
{
  return ppm_decode_page(root, (PpmDecodeItem)ppm_decode_session_item,
                         (GDestroyNotify)ppm_session_item_free, currency, error);
}

PpmPage *
ppm_api_decode_transactions(JsonNode *root, char currency[4], GError **error)
{
  return ppm_decode_page(root, (PpmDecodeItem)ppm_decode_transaction,
                         (GDestroyNotify)ppm_transaction_free, currency, error);
}

/* Keeps `text` alive in `strings` and returns it. */
static const char *
ppm_decode_keep(GPtrArray *strings, char *text)
{
  g_ptr_array_add(strings, text);
  return text;
}

gboolean
ppm_api_decode_open(JsonNode *root, char currency[4], GPtrArray *strings, PpmOpenAnswer *out,
                    GError **error)
{
  JsonObject *object = ppm_json_root_object(root, error);
  char *session_id = NULL, *name = NULL;
  PpmMoney rate;
  gint64 period, offset, fee, secured;

  if (object == NULL || !ppm_json_require_id(object, "session_id", &session_id, error))
    return FALSE;
  out->session_id = ppm_decode_keep(strings, session_id);
  if (!ppm_json_require_money(object, "rate", 1, PPM_MONEY_MAX, currency, &rate, error)
      || !ppm_json_require_int(object, "period_seconds", 1, 3600, &period, error)
      || !ppm_json_require_int(object, "offset_ms", 0, PPM_DECODE_MAX_OPEN_OFFSET_MS, &offset,
                               error)
      || !ppm_json_require_int(object, "fee_bps", 0, PPM_MONEY_FEE_BPS_MAX, &fee, error)
      || !ppm_json_require_int(object, "secured_periods", 1, 60, &secured, error)
      || !ppm_json_optional_string(object, "member_display_name", &name, error))
    return FALSE;
  out->member_display_name = name != NULL ? ppm_decode_keep(strings, name) : NULL;
  out->rate_minor = rate.minor;
  out->currency = ppm_decode_keep(strings, g_strdup(rate.currency));
  out->period_ms = period * 1000;
  out->offset_ms = offset;
  out->fee_bps = (int)fee;
  out->secured_periods = (int)secured;
  return TRUE;
}

gboolean
ppm_api_decode_charge(JsonNode *root, char currency[4], GPtrArray *strings, PpmChargeAnswer *out,
                      GError **error)
{
  JsonObject *object = ppm_json_root_object(root, error);
  PpmMoney charged, total;
  gint64 secured;

  if (object == NULL || !ppm_json_require_int(object, "seq", 0, G_MAXINT32, &out->seq, error)
      || !ppm_json_require_money(object, "charged", 0, PPM_MONEY_MAX, currency, &charged, error)
      || !ppm_json_require_money(object, "total", 0, PPM_MONEY_MAX, currency, &total, error)
      || !ppm_json_require_int(object, "secured_periods", 0, 60, &secured, error)
      || !ppm_json_require_int(object, "member_balance_periods", 0, PPM_MONEY_MAX,
                               &out->member_balance_periods, error))
    return FALSE;
  out->charged_minor = charged.minor;
  out->total_minor = total.minor;
  out->currency = ppm_decode_keep(strings, g_strdup(charged.currency));
  out->secured_periods = (int)secured;
  return TRUE;
}

gboolean
ppm_api_decode_close(JsonNode *root, char currency[4], GPtrArray *strings, PpmCloseAnswer *out,
                     GError **error)
{
  JsonObject *object = ppm_json_root_object(root, error);
  char *session_id = NULL, *rate_url = NULL;
  PpmMoney total, reversed;

  if (object == NULL || !ppm_json_require_id(object, "session_id", &session_id, error))
    return FALSE;
  out->session_id = ppm_decode_keep(strings, session_id);
  if (!ppm_json_require_int(object, "periods_charged", 0, G_MAXINT32, &out->periods_charged, error)
      || !ppm_json_require_money(object, "total", 0, PPM_MONEY_MAX, currency, &total, error)
      || !ppm_json_require_money(object, "reversed", 0, PPM_MONEY_MAX, currency, &reversed, error)
      || !ppm_json_require_int(object, "duration_ms", 0, G_MAXINT64, &out->duration_ms, error)
      || !ppm_json_optional_string(object, "rate_url", &rate_url, error))
    return FALSE;
  out->rate_url = rate_url != NULL ? ppm_decode_keep(strings, rate_url) : NULL;
  out->total_minor = total.minor;
  out->reversed_minor = reversed.minor;
  out->currency = ppm_decode_keep(strings, g_strdup(total.currency));
  return TRUE;
}

static const char *const ppm_decoder_names[]
    = { "login",        "me",   "rate",   "handles", "lookup", "sessions",
        "transactions", "open", "charge", "close",   NULL };

const char *const *
ppm_api_decoder_names(void)
{
  return ppm_decoder_names;
}

gboolean
ppm_api_decode_bytes(const char *name, GBytes *body, GError **error)
{
  g_autoptr(JsonNode) root = ppm_json_parse(body, error);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
  char currency[4] = "";
  PpmMoney money;
  PpmOpenAnswer open;
  PpmChargeAnswer charge;
  PpmCloseAnswer close;
  g_autoptr(GPtrArray) handles = NULL;
  g_autoptr(PpmLogin) login = NULL;
  g_autoptr(PpmMe) me = NULL;
  g_autoptr(PpmLookup) lookup = NULL;
  g_autoptr(PpmPage) page = NULL;

  if (root == NULL)
    return FALSE;
  if (g_str_equal(name, "login"))
    return (login = ppm_api_decode_login(root, error)) != NULL;
  if (g_str_equal(name, "me"))
    return (me = ppm_api_decode_me(root, currency, error)) != NULL;
  if (g_str_equal(name, "rate"))
    return ppm_api_decode_rate(root, currency, &money, error);
  if (g_str_equal(name, "handles"))
    return (handles = ppm_api_decode_handles(root, error)) != NULL;
  if (g_str_equal(name, "lookup"))
    return (lookup = ppm_api_decode_lookup(root, error)) != NULL;
  if (g_str_equal(name, "sessions"))
    return (page = ppm_api_decode_sessions(root, currency, error)) != NULL;
  if (g_str_equal(name, "transactions"))
    return (page = ppm_api_decode_transactions(root, currency, error)) != NULL;
  if (g_str_equal(name, "open"))
    return ppm_api_decode_open(root, currency, strings, &open, error);
  if (g_str_equal(name, "charge"))
    return ppm_api_decode_charge(root, currency, strings, &charge, error);
  if (g_str_equal(name, "close"))
    return ppm_api_decode_close(root, currency, strings, &close, error);
  g_return_val_if_reached(FALSE);
}
