#include "ppm-answers.h"

void
ppm_json_add_money(JsonBuilder *builder, const char *member, gint64 minor, const char *currency)
{
  json_builder_set_member_name(builder, member);
  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "amount_minor");
  json_builder_add_int_value(builder, minor);
  json_builder_set_member_name(builder, "currency");
  json_builder_add_string_value(builder, currency);
  json_builder_end_object(builder);
}

char *
ppm_json_to_string(JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root(builder);
  return json_to_string(root, FALSE);
}

static void
add_int(JsonBuilder *builder, const char *member, gint64 value)
{
  json_builder_set_member_name(builder, member);
  json_builder_add_int_value(builder, value);
}

static void
add_string(JsonBuilder *builder, const char *member, const char *value)
{
  json_builder_set_member_name(builder, member);
  json_builder_add_string_value(builder, value);
}

char *
ppm_answer_open(const char *session_id, gint64 rate_minor, const char *currency, int period_seconds,
                gint64 offset_ms, int fee_bps, const char *member_display_name,
                gint64 secured_periods)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  json_builder_begin_object(builder);
  add_string(builder, "session_id", session_id);
  ppm_json_add_money(builder, "rate", rate_minor, currency);
  add_int(builder, "period_seconds", period_seconds);
  add_int(builder, "offset_ms", offset_ms);
  add_int(builder, "fee_bps", fee_bps);
  add_string(builder, "member_display_name", member_display_name);
  add_int(builder, "secured_periods", secured_periods);
  json_builder_end_object(builder);
  return ppm_json_to_string(builder);
}

char *
ppm_answer_charge(gint64 seq, gint64 charged_minor, gint64 total_minor, const char *currency,
                  gint64 secured_periods, gint64 member_balance_periods)
{
  /* Formatted directly, as the PostgreSQL engine's ppm_charge_try() does: this
   * runs for every charge inside the writer's transaction.  A currency is an
   * ISO 4217 code (ppm_currency_valid()), three letters needing no escape. */
  return g_strdup_printf(
      "{\"seq\":%" G_GINT64_FORMAT ",\"charged\":{\"amount_minor\":%" G_GINT64_FORMAT
      ",\"currency\":\"%s\"},\"total\":{\"amount_minor\":%" G_GINT64_FORMAT
      ",\"currency\":\"%s\"},\"secured_periods\":%" G_GINT64_FORMAT
      ",\"member_balance_periods\":%" G_GINT64_FORMAT "}",
      seq, charged_minor, currency, total_minor, currency, secured_periods, member_balance_periods);
}

char *
ppm_answer_close(const char *session_id, gint64 periods_charged, gint64 total_minor,
                 gint64 reversed_minor, const char *currency, gint64 duration_ms,
                 const char *rate_url)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  json_builder_begin_object(builder);
  add_string(builder, "session_id", session_id);
  add_int(builder, "periods_charged", periods_charged);
  ppm_json_add_money(builder, "total", total_minor, currency);
  ppm_json_add_money(builder, "reversed", reversed_minor, currency);
  add_int(builder, "duration_ms", duration_ms);
  add_string(builder, "rate_url", rate_url);
  json_builder_end_object(builder);
  return ppm_json_to_string(builder);
}
