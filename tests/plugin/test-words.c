/* The plugin's words and decisions that need no libpurple: chat lines,
 * messages to the member, the incoming-call banner and the status. */
#include "ppm-status.h"
#include "ppm-text.h"

#include <locale.h>
#include <string.h>

static void
test_charged_line(void)
{
  g_autofree char *line = ppm_text_charged("$2.00", 2, "$6.00");
  g_assert_cmpstr(line, ==, "Charged $2.00 — minute 3, $6.00 in total");
}

static void
test_line_prefixes(void)
{
  /* docs/plugin-contract.md fixes how each line begins in the C locale. */
  g_autofree char *last = ppm_text_last_minute("Alice");
  g_autofree char *secured = ppm_text_not_charging_secured(2);
  g_autofree char *stopped = ppm_text_not_charging_reason("the caller is not a member");
  g_autofree char *resumed = ppm_text_charging_resumed();
  g_autofree char *ended = ppm_text_call_ended("insufficient_funds");
  g_assert_true(g_str_has_prefix(last, "Last paid minute"));
  g_assert_true(g_str_has_prefix(secured, "Not charging"));
  g_assert_nonnull(strstr(secured, "2 minutes are secured"));
  g_assert_true(g_str_has_prefix(stopped, "Not charging: the caller is not a member"));
  g_assert_true(g_str_has_prefix(resumed, "Charging resumed"));
  g_assert_cmpstr(ended, ==, "Call ended: the member no longer has enough funds");
}

static void
test_one_minute_secured(void)
{
  g_autofree char *secured = ppm_text_not_charging_secured(1);
  g_assert_nonnull(strstr(secured, "1 minute is secured"));
}

static void
test_reason_words(void)
{
  static const char *const reasons[] = { "local_hangup",      "remote_hangup", "insufficient_funds",
                                         "unbilled_too_long", "session_gone",  "peer_offline",
                                         "no_media",          "ring_timeout",  "local_disconnect",
                                         "signed_out",        "journal_error", "client_restart",
                                         "plugin_unloaded",   "superseded",    "expired" };
  for (gsize i = 0; i < G_N_ELEMENTS(reasons); i++)
    g_assert_cmpstr(ppm_text_reason_words(reasons[i]), !=, reasons[i]);
  /* An unknown reason is shown as it is, never dropped. */
  g_assert_cmpstr(ppm_text_reason_words("martian"), ==, "martian");
}

static void
test_billing_stopped_words(void)
{
  PpmOutcome refused = { .kind = PPM_OUTCOME_FINAL,
                         .code = PPM_ERROR_CODE_RATE_NOT_ACCEPTED,
                         .code_text = "rate_not_accepted" };
  PpmOutcome unknown
      = { .kind = PPM_OUTCOME_FINAL, .code = PPM_ERROR_CODE_OTHER, .code_text = "pair_busy" };
  PpmOutcome signed_out = { .kind = PPM_OUTCOME_UNAUTHORIZED,
                            .code = PPM_ERROR_CODE_UNAUTHORIZED,
                            .code_text = "unauthorized" };

  g_assert_cmpstr(ppm_text_billing_stopped_words(&refused), ==,
                  "the member does not accept your rate, or no rate is set");
  g_assert_cmpstr(ppm_text_billing_stopped_words(&unknown), ==, "pair_busy");
  g_assert_cmpstr(ppm_text_billing_stopped_words(&signed_out), ==, "sign in to the platform again");
  g_assert_cmpstr(ppm_text_billing_stopped_words(NULL), ==,
                  "the billing journal could not be written");
  /* The code decides, not its text. */
  refused.code_text = "forbidden";
  g_assert_cmpstr(ppm_text_billing_stopped_words(&refused), ==,
                  "the member does not accept your rate, or no rate is set");
}

static void
test_transaction_kinds(void)
{
  g_assert_cmpstr(ppm_text_transaction_kind("deposit"), ==, "Deposit");
  g_assert_cmpstr(ppm_text_transaction_kind("charge"), ==, "Charge");
  g_assert_cmpstr(ppm_text_transaction_kind("refund"), ==, "Refund");
  g_assert_cmpstr(ppm_text_transaction_kind("earning"), ==, "Earning");
  g_assert_cmpstr(ppm_text_transaction_kind("payout"), ==, "Payout");
  g_assert_cmpstr(ppm_text_transaction_kind("martian"), ==, "martian");
}

/* main() sets TZ=UTC and the C.UTF-8 locale, so local time is UTC here,
 * written the C locale's way (tests/i18n has the others). */
static void
test_local_time(void)
{
  g_autofree char *utc = ppm_text_local_time("2026-11-27T16:05:59.999Z");
  g_assert_cmpstr(utc, ==, "11/27/26 16:05:59");
  g_autofree char *offset = ppm_text_local_time("2026-11-28T01:30:00+02:00");
  g_assert_cmpstr(offset, ==, "11/27/26 23:30:00");
  g_autofree char *garbage = ppm_text_local_time("yesterday");
  g_assert_cmpstr(garbage, ==, "yesterday");
}

static void
test_duration(void)
{
  g_autofree char *zero = ppm_text_duration(999);
  g_autofree char *minutes = ppm_text_duration(185 * 1000 + 400);
  g_autofree char *hours = ppm_text_duration((3600 + 2 * 60 + 3) * G_GINT64_CONSTANT(1000));
  g_autofree char *negative = ppm_text_duration(-5);
  g_assert_cmpstr(zero, ==, "0:00");
  g_assert_cmpstr(minutes, ==, "3:05");
  g_assert_cmpstr(hours, ==, "1:02:03");
  g_assert_cmpstr(negative, ==, "0:00");
}

static void
test_summary(void)
{
  g_autofree char *summary = ppm_text_summary(185000, 3, "$6.00", "$4.80");
  g_assert_cmpstr(summary, ==, "Call summary: 3:05, 3 minutes, $6.00 in total, you earn $4.80");
  g_autofree char *one = ppm_text_summary(30000, 1, "$2.00", "$1.60");
  g_assert_nonnull(strstr(one, " 1 minute, "));
}

static void
test_member_messages(void)
{
  g_autofree char *rate = ppm_text_member_rate("$2.00");
  g_assert_cmpstr(rate, ==,
                  "This call costs $2.00 per minute, charged at the start of each minute.");
  g_autofree char *total = ppm_text_member_total(185000, "$6.00", "http://x/rate/1");
  g_assert_nonnull(strstr(total, "3:05"));
  g_assert_nonnull(strstr(total, "$6.00"));
  g_assert_true(g_str_has_suffix(total, "http://x/rate/1"));
  g_autofree char *no_url = ppm_text_member_total(1000, "$2.00", NULL);
  g_assert_null(strstr(no_url, "Rate the show"));
  g_autofree char *charge = ppm_text_member_charge("$2.00", 0, "$2.00");
  g_assert_nonnull(strstr(charge, "minute 1"));
}

static void
test_money(void)
{
  g_autofree char *usd = ppm_text_money(200, "USD");
  g_assert_cmpstr(usd, ==, "$2.00");
  gint64 minor = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(ppm_text_parse_amount("2.5", "USD", &minor, &error));
  g_assert_no_error(error);
  g_assert_cmpint(minor, ==, 250);
  g_assert_false(ppm_text_parse_amount("-2", "USD", &minor, &error));
  g_assert_nonnull(error);
  g_assert_cmpint(minor, ==, 250);
}

static void
test_caller_kinds(void)
{
  g_assert_cmpint(ppm_caller_kind_from_status("funded"), ==, PPM_CALLER_FUNDED);
  g_assert_cmpint(ppm_caller_kind_from_status("unfunded"), ==, PPM_CALLER_UNFUNDED);
  g_assert_cmpint(ppm_caller_kind_from_status("not_member"), ==, PPM_CALLER_NOT_MEMBER);
  g_assert_cmpint(ppm_caller_kind_from_status("bogus"), ==, PPM_CALLER_UNKNOWN);
  g_assert_cmpint(ppm_caller_kind_from_status(NULL), ==, PPM_CALLER_UNKNOWN);
}

static void
test_auto_decline_only_after_lookup(void)
{
  g_assert_true(ppm_caller_kind_declines(PPM_CALLER_NOT_MEMBER));
  g_assert_true(ppm_caller_kind_declines(PPM_CALLER_UNFUNDED));
  /* A member who does not accept billing from this model: not billable. */
  g_assert_true(ppm_caller_kind_declines(PPM_CALLER_NOT_ALLOWED));
  g_assert_false(ppm_caller_kind_declines(PPM_CALLER_FUNDED));
  /* Never on a failed lookup, never when not billing. */
  g_assert_false(ppm_caller_kind_declines(PPM_CALLER_UNKNOWN));
  g_assert_false(ppm_caller_kind_declines(PPM_CALLER_SIGNED_OUT));
}

static void
test_caller_status(void)
{
  g_assert_cmpstr(ppm_text_caller_status(PPM_CALLER_FUNDED), ==, "funded member");
  g_assert_cmpstr(ppm_text_caller_status(PPM_CALLER_UNFUNDED), ==, "member");
  g_assert_cmpstr(ppm_text_caller_status(PPM_CALLER_NOT_MEMBER), ==, "not a member");
  g_assert_cmpstr(ppm_text_caller_status(PPM_CALLER_NOT_ALLOWED), ==,
                  "member, does not accept billing from you");
  /* A failed or skipped lookup says nothing about the caller. */
  g_assert_null(ppm_text_caller_status(PPM_CALLER_UNKNOWN));
  g_assert_null(ppm_text_caller_status(PPM_CALLER_SIGNED_OUT));
}

static void
test_banner(void)
{
  g_autofree char *funded = ppm_text_banner(PPM_CALLER_FUNDED, "bob@x", "Bob", 12);
  g_autofree char *capped = ppm_text_banner(PPM_CALLER_FUNDED, "bob@x", "Bob", 60);
  g_autofree char *unfunded = ppm_text_banner(PPM_CALLER_UNFUNDED, "bob@x", "Bob", 0);
  g_autofree char *stranger = ppm_text_banner(PPM_CALLER_NOT_MEMBER, "eve@x", NULL, -1);
  g_autofree char *unknown = ppm_text_banner(PPM_CALLER_UNKNOWN, "eve@x", NULL, -1);
  g_autofree char *signed_out = ppm_text_banner(PPM_CALLER_SIGNED_OUT, "eve@x", NULL, -1);
  g_autofree char *refused = ppm_text_banner(PPM_CALLER_NOT_ALLOWED, "bob@x", "Bob", -1);
  g_assert_cmpstr(refused, ==, "Incoming call from Bob: member, does not accept billing from you");
  g_assert_cmpstr(funded, ==, "Incoming call from Bob: funded member, 12 minutes affordable");
  g_assert_nonnull(strstr(capped, "60+ minutes"));
  g_assert_nonnull(strstr(unfunded, "without enough funds"));
  g_assert_nonnull(strstr(stranger, "eve@x: not a member"));
  g_assert_nonnull(strstr(unknown, "caller unknown (platform unreachable)"));
  g_assert_nonnull(strstr(signed_out, "not billing: signed out"));
}

static void
test_handle_canonical(void)
{
  g_autofree char *jid = ppm_handle_canonical("prpl-jabber", "Model@Example.org/Home");
  g_autofree char *other = ppm_handle_canonical("prpl-irc", "Nick/Away");
  g_assert_cmpstr(jid, ==, "model@example.org");
  g_assert_cmpstr(other, ==, "nick/away");
}

/* What "Link IM account…" offers: an online account is linked when its
 * canonical handle and its protocol are both in the list. */
static void
test_handle_in(void)
{
  PpmImHandle linked[] = { { "prpl-jabber", "model@x" }, { "prpl-irc", "Nick" } };
  PpmImHandle same_jid = { "prpl-jabber", "MODEL@x/home" };
  PpmImHandle other_jid = { "prpl-jabber", "model2@x" };
  PpmImHandle other_protocol = { "prpl-irc", "model@x" };
  PpmImHandle same_nick = { "prpl-irc", "nick" };
  g_assert_true(ppm_handle_in(&same_jid, linked, G_N_ELEMENTS(linked)));
  g_assert_false(ppm_handle_in(&other_jid, linked, G_N_ELEMENTS(linked)));
  g_assert_false(ppm_handle_in(&other_protocol, linked, G_N_ELEMENTS(linked)));
  g_assert_true(ppm_handle_in(&same_nick, linked, G_N_ELEMENTS(linked)));
  g_assert_false(ppm_handle_in(&same_jid, linked, 0));
}

static void
test_status_connected(void)
{
  PpmImHandle linked[] = { { "prpl-jabber", "model@x" } };
  PpmImHandle online[] = { { "prpl-jabber", "Model@x/pidgin" } };
  g_autoptr(PpmStatus) status = ppm_status_compute(TRUE, linked, 1, online, 1);
  g_assert_true(status->connected);
  g_assert_true(g_str_has_prefix(status->text, "Connected: model@x"));
}

static void
test_status_signed_out(void)
{
  PpmImHandle online[] = { { "prpl-jabber", "model@x/pidgin" } };
  g_autoptr(PpmStatus) status = ppm_status_compute(FALSE, NULL, 0, online, 1);
  g_assert_false(status->connected);
  g_assert_nonnull(strstr(status->text, "Not signed in"));
  /* Whether model@x is linked is not known while signed out. */
  g_assert_null(strstr(status->text, "not linked"));
  g_assert_null(strstr(status->text, "model@x"));
}

static void
test_status_linked_offline_and_unlinked_online(void)
{
  PpmImHandle linked[] = { { "prpl-jabber", "model@x" } };
  PpmImHandle online[] = { { "prpl-jabber", "other@x/home" } };
  g_autoptr(PpmStatus) status = ppm_status_compute(TRUE, linked, 1, online, 1);
  g_assert_false(status->connected);
  g_assert_nonnull(strstr(status->text, "Linked account model@x is offline"));
  g_assert_nonnull(strstr(status->text, "other@x is online but not linked"));
}

static void
test_status_same_name_other_protocol(void)
{
  PpmImHandle linked[] = { { "prpl-jabber", "model@x" } };
  PpmImHandle online[] = { { "prpl-irc", "model@x" } };
  g_autoptr(PpmStatus) status = ppm_status_compute(TRUE, linked, 1, online, 1);
  g_assert_false(status->connected);
}

static void
test_status_nothing_linked(void)
{
  g_autoptr(PpmStatus) status = ppm_status_compute(TRUE, NULL, 0, NULL, 0);
  g_assert_false(status->connected);
  g_assert_nonnull(strstr(status->text, "No IM account is linked"));
}

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "C.UTF-8");
  g_setenv("TZ", "UTC", TRUE);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/plugin/words/charged-line", test_charged_line);
  g_test_add_func("/plugin/words/line-prefixes", test_line_prefixes);
  g_test_add_func("/plugin/words/one-minute-secured", test_one_minute_secured);
  g_test_add_func("/plugin/words/reason-words", test_reason_words);
  g_test_add_func("/plugin/words/billing-stopped-by-code", test_billing_stopped_words);
  g_test_add_func("/plugin/words/transaction-kinds", test_transaction_kinds);
  g_test_add_func("/plugin/words/local-time", test_local_time);
  g_test_add_func("/plugin/words/caller-status", test_caller_status);
  g_test_add_func("/plugin/words/duration", test_duration);
  g_test_add_func("/plugin/words/summary", test_summary);
  g_test_add_func("/plugin/words/member-messages", test_member_messages);
  g_test_add_func("/plugin/words/money", test_money);
  g_test_add_func("/plugin/words/caller-kinds", test_caller_kinds);
  g_test_add_func("/plugin/words/auto-decline-only-after-lookup",
                  test_auto_decline_only_after_lookup);
  g_test_add_func("/plugin/words/banner", test_banner);
  g_test_add_func("/plugin/status/handle-canonical", test_handle_canonical);
  g_test_add_func("/plugin/status/handle-in", test_handle_in);
  g_test_add_func("/plugin/status/connected", test_status_connected);
  g_test_add_func("/plugin/status/signed-out", test_status_signed_out);
  g_test_add_func("/plugin/status/linked-offline-unlinked-online",
                  test_status_linked_offline_and_unlinked_online);
  g_test_add_func("/plugin/status/same-name-other-protocol", test_status_same_name_other_protocol);
  g_test_add_func("/plugin/status/nothing-linked", test_status_nothing_linked);
  return g_test_run();
}
