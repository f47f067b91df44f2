/* The words the plugin shows to people: chat lines, messages to the member,
 * the incoming-call banner.  Pure functions over already formatted money
 * strings ("$2.00"), so they are unit-tested without libpurple.  Every line
 * starts with the prefix docs/plugin-contract.md fixes (in the C locale). */
#pragma once

#include <glib.h>

#include "ppm-port.h"

G_BEGIN_DECLS

/* Money for people in the current locale's style ("$2.00", "2,00 €"). */
char *ppm_text_money(gint64 minor, const char *currency);
/* An amount (docs/billing-rules.md#amounts), "2.50", to minor units of `currency`. */
gboolean ppm_text_parse_amount(const char *text, const char *currency, gint64 *minor,
                               GError **error);

/* "Charged $2.00 — minute 3, $6.00 in total" (seq 2). */
char *ppm_text_charged(const char *charged, gint64 seq, const char *total);
/* "Last paid minute: ..." */
char *ppm_text_last_minute(const char *member);
/* "Not charging: the platform does not answer; 2 minutes are secured" */
char *ppm_text_not_charging_secured(int secured_periods);
/* "Not charging: <reason>" for billing that stopped for good. */
char *ppm_text_not_charging_reason(const char *reason);
/* "Charging resumed" */
char *ppm_text_charging_resumed(void);
/* "Call ended: <why>" (docs/billing-rules.md#end-reasons). */
char *ppm_text_call_ended(const char *reason);
/* "Call ended: <words>" */
char *ppm_text_call_ended_words(const char *words);
/* Why a call ended whose open the platform refused for lack of funds: the
 * member never had a paid minute, so not "no longer has enough funds". */
const char *ppm_text_unfunded_words(void);
/* What a reason means in words ("the member no longer has enough funds"). */
const char *ppm_text_reason_words(const char *reason);
/* Why billing stopped (core/meter's billing_stopped: the platform's refusal,
 * NULL for the journal), in words; a code without words of its own is shown
 * as it came. */
const char *ppm_text_billing_stopped_words(const PpmOutcome *outcome);

/* A transaction's kind (deposit, charge, refund, earning, payout)
 * in words ("Charge"); an unknown kind is shown as it came. */
const char *ppm_text_transaction_kind(const char *kind);
/* An RFC 3339 time of the platform in the local time zone, written as the
 * locale writes a date and a time ("27.11.2026 17:05:00" in de_DE); text that
 * is not such a time is shown as it came. */
char *ppm_text_local_time(const char *rfc3339);

/* "3:05" for a duration; hours are shown when there are any ("1:02:03"). */
char *ppm_text_duration(gint64 duration_ms);
/* "Call summary: 3:05, 3 minutes, $6.00 in total, you earn $4.80" */
char *ppm_text_summary(gint64 duration_ms, gint64 minutes, const char *total, const char *earnings);

/* Messages sent to the member. */
char *ppm_text_member_rate(const char *rate);
char *ppm_text_member_charge(const char *charged, gint64 seq, const char *total);
char *ppm_text_member_total(gint64 duration_ms, const char *total, const char *rate_url);
/* Why the call was hung up at once: the balance does not cover one minute. */
char *ppm_text_member_unfunded(void);

/* What a member lookup (GET /v1/members/lookup) means for the incoming call. */
typedef enum
{
  PPM_CALLER_FUNDED,
  PPM_CALLER_UNFUNDED,
  PPM_CALLER_NOT_MEMBER,
  PPM_CALLER_NOT_ALLOWED, /* a member whose allow-list leaves this model out */
  PPM_CALLER_UNKNOWN,     /* the lookup failed: platform unreachable */
  PPM_CALLER_SIGNED_OUT,  /* the model is not signed in: no lookup */
} PpmCallerKind;

/* Parses the lookup's status field; unknown words give PPM_CALLER_UNKNOWN. */
PpmCallerKind ppm_caller_kind_from_status(const char *status);
/* Whether auto_decline rejects this caller: only after a lookup that said so. */
gboolean ppm_caller_kind_declines(PpmCallerKind kind);
/* The caller's standing in words for the tracker ("funded member", "member");
 * NULL when no lookup said anything. */
const char *ppm_text_caller_status(PpmCallerKind kind);
/* One line for the banner and the chat, e.g.
 * "Incoming call from Alice: funded member, 12 minutes affordable" ("60+" at 60). */
char *ppm_text_banner(PpmCallerKind kind, const char *who, const char *display_name,
                      int minutes_affordable);

G_END_DECLS
