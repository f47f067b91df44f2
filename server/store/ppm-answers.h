/* The JSON bodies of the answers that are stored for replay.  The SQLite
 * engine builds all three here, the PostgreSQL engine the open's; its charge
 * and close bodies are built in SQL (ppm_charge_try(), ppm_close() in
 * pg/functions.sql), in the transaction that stores them, to the same bytes:
 * tests/pg/test-pg-answers.c compares them. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* {"amount_minor": N, "currency": C} */
void ppm_json_add_money(JsonBuilder *builder, const char *member, gint64 minor,
                        const char *currency);
char *ppm_json_to_string(JsonBuilder *builder);

char *ppm_answer_open(const char *session_id, gint64 rate_minor, const char *currency,
                      int period_seconds, gint64 offset_ms, int fee_bps,
                      const char *member_display_name, gint64 secured_periods);
char *ppm_answer_charge(gint64 seq, gint64 charged_minor, gint64 total_minor, const char *currency,
                        gint64 secured_periods, gint64 member_balance_periods);
char *ppm_answer_close(const char *session_id, gint64 periods_charged, gint64 total_minor,
                       gint64 reversed_minor, const char *currency, gint64 duration_ms,
                       const char *rate_url);

G_END_DECLS
