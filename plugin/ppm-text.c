#include "ppm-text.h"

#include <inttypes.h>

#include "ppm-i18n.h"
#include "ppm-money.h"

char *
ppm_text_money(gint64 minor, const char *currency)
{
  PpmMoney money = ppm_money_of(minor, currency != NULL ? currency : "USD");
  PpmMoneyStyle style;
  ppm_money_style_from_locale(&style);
  return ppm_money_format_styled(&money, &style);
}

gboolean
ppm_text_parse_amount(const char *text, const char *currency, gint64 *minor, GError **error)
{
  PpmMoney money;
  if (!ppm_money_parse(text, currency, &money, error))
    return FALSE;
  *minor = money.minor;
  return TRUE;
}

char *
ppm_text_charged(const char *charged, gint64 seq, const char *total)
{
  /* TRANSLATORS: amount charged, minute number, total so far */
  return g_strdup_printf(_("Charged %s — minute %" PRId64 ", %s in total"), charged,
                         (int64_t)(seq + 1), total);
}

char *
ppm_text_last_minute(const char *member)
{
  return g_strdup_printf(_("Last paid minute: %s has no funds for another minute"), member);
}

char *
ppm_text_not_charging_secured(int secured_periods)
{
  return g_strdup_printf(ngettext_ppm("Not charging: the platform does not answer; "
                                      "%d minute is secured",
                                      "Not charging: the platform does not answer; "
                                      "%d minutes are secured",
                                      secured_periods),
                         secured_periods);
}

char *
ppm_text_not_charging_reason(const char *reason)
{
  return g_strdup_printf(_("Not charging: %s"), reason);
}

char *
ppm_text_charging_resumed(void)
{
  return g_strdup(_("Charging resumed"));
}

const char *
ppm_text_reason_words(const char *reason)
{
  static const struct
  {
    const char *reason;
    const char *words;
  } table[] = {
    { "local_hangup", N_("you hung up") },
    { "remote_hangup", N_("the member hung up") },
    { "insufficient_funds", N_("the member no longer has enough funds") },
    { "unbilled_too_long", N_("the platform could not secure the next minute") },
    { "session_gone", N_("the platform closed the session") },
    { "peer_offline", N_("the member went offline") },
    { "no_media", N_("no sound or video from the member any more") },
    { "ring_timeout", N_("the call was not answered in time") },
    { "local_disconnect", N_("your IM account was disconnected") },
    { "signed_out", N_("you signed out of the platform") },
    { "journal_error", N_("the billing journal could not be written") },
    { "client_restart", N_("the client restarted") },
    { "plugin_unloaded", N_("the billing plugin was unloaded") },
    { "superseded", N_("a newer call replaced this one") },
    { "expired", N_("the session expired") },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
    if (g_strcmp0(table[i].reason, reason) == 0)
      return _(table[i].words);
  return reason;
}

const char *
ppm_text_billing_stopped_words(const PpmOutcome *outcome)
{
  if (outcome == NULL)
    return ppm_text_reason_words("journal_error");
  if (outcome->kind == PPM_OUTCOME_UNAUTHORIZED)
    return _("sign in to the platform again");
  switch (outcome->code)
    {
      case PPM_ERROR_CODE_RATE_NOT_ACCEPTED:
        return _("the member does not accept your rate, or no rate is set");
      case PPM_ERROR_CODE_FORBIDDEN:
        return _("this IM account is not linked to your platform account");
      case PPM_ERROR_CODE_MODEL_NOT_ALLOWED:
        return _("the member does not accept billing from you");
      case PPM_ERROR_CODE_NOT_FOUND:
        return _("the caller is not a member");
      case PPM_ERROR_CODE_TOO_MANY_SESSIONS:
        return _("the member is in too many calls");
      default:
        return outcome->code_text != NULL ? outcome->code_text : "unknown";
    }
}

const char *
ppm_text_transaction_kind(const char *kind)
{
  static const struct
  {
    const char *kind;
    const char *words;
  } table[] = {
    { "deposit", N_("Deposit") }, { "charge", N_("Charge") }, { "refund", N_("Refund") },
    { "earning", N_("Earning") }, { "payout", N_("Payout") },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
    if (g_strcmp0(table[i].kind, kind) == 0)
      return _(table[i].words);
  return kind;
}

char *
ppm_text_local_time(const char *rfc3339)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601(rfc3339, NULL);
  if (time == NULL)
    return g_strdup(rfc3339);
  g_autoptr(GDateTime) local = g_date_time_to_local(time);
  return g_date_time_format(local, "%x %X");
}

char *
ppm_text_call_ended(const char *reason)
{
  return ppm_text_call_ended_words(ppm_text_reason_words(reason));
}

char *
ppm_text_call_ended_words(const char *words)
{
  return g_strdup_printf(_("Call ended: %s"), words);
}

const char *
ppm_text_unfunded_words(void)
{
  return _("the member's balance does not cover one minute");
}

char *
ppm_text_duration(gint64 duration_ms)
{
  gint64 s = MAX(duration_ms, 0) / 1000;
  if (s >= 3600)
    return g_strdup_printf("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int)(s / 60 % 60),
                           (int)(s % 60));
  return g_strdup_printf("%" G_GINT64_FORMAT ":%02d", s / 60, (int)(s % 60));
}

char *
ppm_text_summary(gint64 duration_ms, gint64 minutes, const char *total, const char *earnings)
{
  g_autofree char *duration = ppm_text_duration(duration_ms);
  g_autofree char *count = g_strdup_printf(
      ngettext_ppm("%" PRId64 " minute", "%" PRId64 " minutes", minutes), (int64_t)minutes);
  /* TRANSLATORS: duration, number of minutes, total, the model's earnings */
  return g_strdup_printf(_("Call summary: %s, %s, %s in total, you earn %s"), duration, count,
                         total, earnings);
}

char *
ppm_text_member_rate(const char *rate)
{
  return g_strdup_printf(_("This call costs %s per minute, charged at the start of each minute."),
                         rate);
}

char *
ppm_text_member_charge(const char *charged, gint64 seq, const char *total)
{
  return g_strdup_printf(_("Charged %s for minute %" PRId64 " (%s in total)."), charged,
                         (int64_t)(seq + 1), total);
}

char *
ppm_text_member_total(gint64 duration_ms, const char *total, const char *rate_url)
{
  g_autofree char *duration = ppm_text_duration(duration_ms);
  if (rate_url == NULL || *rate_url == '\0')
    return g_strdup_printf(_("Thank you for the call: %s, %s in total."), duration, total);
  return g_strdup_printf(_("Thank you for the call: %s, %s in total. Rate the show: %s"), duration,
                         total, rate_url);
}

char *
ppm_text_member_unfunded(void)
{
  return g_strdup(_("This call could not start: your balance does not cover one minute. Add "
                    "funds to your platform account, then call again."));
}

PpmCallerKind
ppm_caller_kind_from_status(const char *status)
{
  if (g_strcmp0(status, "funded") == 0)
    return PPM_CALLER_FUNDED;
  if (g_strcmp0(status, "unfunded") == 0)
    return PPM_CALLER_UNFUNDED;
  if (g_strcmp0(status, "not_member") == 0)
    return PPM_CALLER_NOT_MEMBER;
  return PPM_CALLER_UNKNOWN;
}

gboolean
ppm_caller_kind_declines(PpmCallerKind kind)
{
  return kind == PPM_CALLER_UNFUNDED || kind == PPM_CALLER_NOT_MEMBER
         || kind == PPM_CALLER_NOT_ALLOWED;
}

const char *
ppm_text_caller_status(PpmCallerKind kind)
{
  switch (kind)
    {
      case PPM_CALLER_FUNDED:
        return _("funded member");
      case PPM_CALLER_UNFUNDED:
        return _("member");
      case PPM_CALLER_NOT_MEMBER:
        return _("not a member");
      case PPM_CALLER_NOT_ALLOWED:
        return _("member, does not accept billing from you");
      case PPM_CALLER_UNKNOWN:
      case PPM_CALLER_SIGNED_OUT:
      default:
        return NULL;
    }
}

char *
ppm_text_banner(PpmCallerKind kind, const char *who, const char *display_name,
                int minutes_affordable)
{
  const char *name = display_name != NULL && *display_name != '\0' ? display_name : who;
  switch (kind)
    {
      case PPM_CALLER_FUNDED:
        {
          /* The platform caps the figure at 60 so that it never reveals a balance. */
          g_autofree char *minutes = minutes_affordable >= 60
                                         ? g_strdup("60+")
                                         : g_strdup_printf("%d", minutes_affordable);
          return g_strdup_printf(_("Incoming call from %s: funded member, %s minutes affordable"),
                                 name, minutes);
        }
      case PPM_CALLER_UNFUNDED:
        return g_strdup_printf(
            _("Incoming call from %s: member without enough funds for one minute"), name);
      case PPM_CALLER_NOT_MEMBER:
        return g_strdup_printf(_("Incoming call from %s: not a member"), who);
      case PPM_CALLER_NOT_ALLOWED:
        return g_strdup_printf(_("Incoming call from %s: member, does not accept billing from you"),
                               name);
      case PPM_CALLER_UNKNOWN:
        return g_strdup_printf(_("Incoming call from %s: caller unknown (platform unreachable)"),
                               who);
      case PPM_CALLER_SIGNED_OUT:
      default:
        return g_strdup_printf(_("Incoming call from %s: not billing: signed out"), who);
    }
}
