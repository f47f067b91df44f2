/* The billing meter against a scripted platform on the virtual clock. */
#include "fake-port.h"
#include "ppm-meter.h"
#include "ppm-schedule.h"

#define SEC G_GINT64_CONSTANT(1000000)
#define MS 1000
#define T0 (1000 * SEC)

typedef struct
{
  PpmClock *clock;
  FakePort *fake;
  PpmMeter *meter;
  gint64 max_unbilled_seconds;
  double random;
  gboolean end_on_hangup; /* hang up (end the meter) when asked to */
  gint64 media_until;     /* the caller's RTP arrives every 500 ms until t0 + this */

  guint hangups;
  PpmEndReason hangup_reason;
  gint64 hangup_at;
  GArray *charged_seqs; /* gint64, in the order charged fired */
  guint last_paid;
  gint64 last_paid_seq;
  guint not_charging;
  gint64 not_charging_since;
  guint resumed;
  guint stopped;
  char *stopped_code; /* the refusal's code as sent */
  gboolean stopped_by_journal;
  guint closed;
  gboolean closed_had_outcome;
  GString *journal;                /* one line per record written */
  int journal_fail_kind;           /* -1: never */
  gint64 journal_fail_seq;         /* for CHARGE_CONFIRMED */
  guint journal_posts_before_open; /* requests already posted when OPEN_REQUESTED came */
} Fixture;

static double
fixed_random(gpointer data)
{
  return ((Fixture *)data)->random;
}

static void
on_charged(PpmMeter *meter, const PpmChargeAnswer *answer, gint64 seq, gpointer data)
{
  Fixture *f = data;

  g_assert_cmpint(answer->seq, ==, seq);
  g_array_append_val(f->charged_seqs, seq);
}

static void
on_last_paid(PpmMeter *meter, gint64 seq, gpointer data)
{
  Fixture *f = data;

  f->last_paid++;
  f->last_paid_seq = seq;
}

static void
on_not_charging(PpmMeter *meter, gint64 since, int secured, gpointer data)
{
  Fixture *f = data;

  f->not_charging++;
  f->not_charging_since = since;
}

static void
on_resumed(PpmMeter *meter, gpointer data)
{
  ((Fixture *)data)->resumed++;
}

static void
on_hangup(PpmMeter *meter, PpmEndReason reason, gpointer data)
{
  Fixture *f = data;

  f->hangups++;
  f->hangup_reason = reason;
  f->hangup_at = ppm_clock_now_monotonic(f->clock);
  if (f->end_on_hangup)
    ppm_meter_end(meter, reason, f->hangup_at);
}

static void
on_stopped(PpmMeter *meter, const PpmOutcome *outcome, const char *message, gpointer data)
{
  Fixture *f = data;

  f->stopped++;
  f->stopped_by_journal = outcome == NULL;
  g_free(f->stopped_code);
  f->stopped_code = g_strdup(outcome != NULL ? outcome->code_text : NULL);
}

static void
on_closed(PpmMeter *meter, const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer data)
{
  Fixture *f = data;

  f->closed++;
  f->closed_had_outcome = outcome != NULL;
  g_assert_true((answer != NULL) == (outcome != NULL && outcome->kind == PPM_OUTCOME_OK));
}

static gboolean
on_journal(PpmMeter *meter, const PpmJournalRecord *record, gpointer data, GError **error)
{
  Fixture *f = data;
  int kind = record->kind;

  g_assert_nonnull(record->client_session_id);
  if (record->kind == PPM_JOURNAL_OPEN_REQUESTED)
    f->journal_posts_before_open = f->fake->requests->len;
  if (kind == f->journal_fail_kind
      && (kind != PPM_JOURNAL_CHARGE_CONFIRMED || record->seq == f->journal_fail_seq))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full");
      return FALSE;
    }
  g_assert_cmpstr(record->client_session_id, ==, ppm_meter_get_client_session_id(meter));
  g_string_append_printf(
      f->journal,
      "%d seq=%" G_GINT64_FORMAT " session=%s reason=%s elapsed=%" G_GINT64_FORMAT
      " periods=%" G_GINT64_FORMAT "\n",
      kind, record->seq, record->session_id ? record->session_id : "-",
      record->reason ? record->reason : "-", record->elapsed_ms, record->periods_charged);
  return TRUE;
}

static const PpmMeterEvents fixture_events = {
  .charged = on_charged,
  .last_paid_minute = on_last_paid,
  .not_charging = on_not_charging,
  .charging_resumed = on_resumed,
  .hangup_wanted = on_hangup,
  .billing_stopped = on_stopped,
  .closed = on_closed,
  .journal = on_journal,
};

static Fixture *
fixture_new(gint64 period_ms, int secured)
{
  Fixture *f = g_new0(Fixture, 1);

  f->clock = ppm_clock_virtual_new(T0);
  f->fake = fake_port_new(f->clock);
  f->fake->period_ms = period_ms;
  f->fake->secured_periods = secured;
  f->charged_seqs = g_array_new(FALSE, FALSE, sizeof(gint64));
  f->journal = g_string_new("");
  f->journal_fail_kind = -1;
  f->end_on_hangup = TRUE;
  f->media_until = G_MAXINT64 / 2;
  f->random = 0.0;
  return f;
}

#define RTP_EVERY_US (500 * MS)

static void
on_rtp_tick(gpointer data)
{
  Fixture *f = data;
  gint64 now = ppm_clock_now_monotonic(f->clock);

  if (f->meter == NULL || now > T0 + f->media_until)
    return;
  ppm_meter_note_rtp(f->meter, now);
  ppm_clock_add_timeout(f->clock, now + RTP_EVERY_US, on_rtp_tick, f);
}

static void
fixture_start(Fixture *f)
{
  PpmMeterConfig config = {
    .protocol = "prpl-jabber",
    .model_handle = "model@localhost",
    .member_handle = "member@localhost",
    .t0_us = T0,
    .max_unbilled_seconds = f->max_unbilled_seconds,
    .random = fixed_random,
    .random_data = f,
  };

  f->meter = ppm_meter_new(f->clock, &f->fake->port, &config, &fixture_events, f);
  ppm_meter_start(f->meter);
  ppm_clock_add_timeout(f->clock, T0 + RTP_EVERY_US, on_rtp_tick, f);
}

static void
fixture_free(Fixture *f)
{
  ppm_meter_free(f->meter);
  fake_port_free(f->fake);
  ppm_clock_unref(f->clock);
  g_array_unref(f->charged_seqs);
  g_string_free(f->journal, TRUE);
  g_free(f->stopped_code);
  g_free(f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Fixture, fixture_free)

/* Moves the clock to t0 + `at_us`. */
static void
run_to(Fixture *f, gint64 at_us)
{
  ppm_clock_virtual_advance_to(f->clock, T0 + at_us);
}

static gint64
due(Fixture *f, gint64 seq)
{
  return T0 + f->fake->offset_ms * MS + seq * f->fake->period_ms * MS;
}

static void
end_call(Fixture *f, PpmEndReason reason, gint64 at_us)
{
  ppm_meter_end(f->meter, reason, T0 + at_us);
}

/* Asserts that the confirmed charges are exactly 0 .. n-1, each once, in order. */
static void
assert_charged_in_order(Fixture *f, gint64 n)
{
  g_assert_cmpint(f->charged_seqs->len, ==, n);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpint(g_array_index(f->charged_seqs, gint64, i), ==, i);
  g_assert_cmpint(f->fake->charges_confirmed, ==, n);
}

static FakeRequest *
only_close(Fixture *f)
{
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CLOSE), ==, 1);
  return fake_port_nth(f->fake, FAKE_CLOSE, 0);
}

static void
test_two_hours_zero_drift(void)
{
  g_autoptr(Fixture) f = fixture_new(60000, 2);

  fixture_start(f);
  run_to(f, 2 * 3600 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 120);
  for (guint k = 0; k < 120; k++)
    g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, k)->posted_us, ==, due(f, k));
  assert_charged_in_order(f, 120);
  g_assert_cmpint(ppm_meter_get_periods_charged(f->meter), ==, 120);
  g_assert_cmpint(ppm_meter_get_total_minor(f->meter), ==, 120 * 200);
  g_assert_cmpuint(f->hangups + f->not_charging + f->stopped, ==, 0);
}

/* The platform shifted the session (the pair had paid 330 s past t0): the
 * open answer's offset_ms moves every due time, and nothing is posted or
 * owed before the shifted first interval. */
static void
test_charges_follow_shifted_offset(void)
{
  g_autoptr(Fixture) f = fixture_new(60000, 2);

  f->fake->offset_ms = 1000 + 330000;
  fixture_start(f);
  run_to(f, 330 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 0);
  run_to(f, (331 + 3 * 60 + 30) * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 4);
  for (guint k = 0; k < 4; k++)
    g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, k)->posted_us, ==,
                    T0 + (331 + 60 * k) * SEC);
  assert_charged_in_order(f, 4);
  end_call(f, PPM_END_REMOTE_HANGUP, (331 + 3 * 60 + 30) * SEC);
  run_to(f, 20 * 60 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 4);
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, (331 + 3 * 60 + 30) * 1000);
  g_assert_cmpuint(f->hangups + f->not_charging + f->stopped, ==, 0);
}

typedef struct
{
  gint64 end_ms;
  gint64 owed;
} OwedCase;

static const OwedCase owed_cases[] = {
  { 999, 0 }, { 1000, 1 }, { 60999, 1 }, { 61000, 2 }, { 61001, 2 },
};

static void
test_owed_at_end(gconstpointer data)
{
  const OwedCase *c = data;
  g_autoptr(Fixture) f = fixture_new(60000, 2);

  fixture_start(f);
  run_to(f, c->end_ms * MS);
  end_call(f, PPM_END_REMOTE_HANGUP, c->end_ms * MS);
  run_to(f, 10 * 60 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, c->owed);
  assert_charged_in_order(f, c->owed);
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, c->end_ms);
  g_assert_cmpstr(only_close(f)->reason, ==, "remote_hangup");
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_CLOSED);
}

/* The platform does not answer charges posted in [from, until). */
static void
add_outage(Fixture *f, gint64 from_us, gint64 until_us)
{
  FakeRule rule = fake_rule(FAKE_CHARGE);

  rule.from_us = T0 + from_us;
  rule.until_us = T0 + until_us;
  rule.outcome = PPM_OUTCOME_RETRYABLE;
  rule.http_status = 503;
  fake_port_add_rule(f->fake, &rule);
}

static void
test_outage_two_periods_recovers(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  /* Charges 1 (due 11 s) and 2 (due 21 s) fail; the platform is back before
   * charge 3 falls due at 31 s. */
  add_outage(f, 11 * SEC, 25 * SEC);
  fixture_start(f);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(f->hangups, ==, 0);
  assert_charged_in_order(f, 6);
  g_assert_cmpuint(f->not_charging, ==, 1);
  g_assert_cmpint(f->not_charging_since, ==, due(f, 1));
  g_assert_cmpuint(f->resumed, ==, 1);
  /* Charge 2 was posted only as catch-up, right after 1 was confirmed. */
  for (guint i = 0; i < fake_port_count(f->fake, FAKE_CHARGE); i++)
    if (fake_port_nth(f->fake, FAKE_CHARGE, i)->seq == 2)
      {
        g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, i - 1)->seq, ==, 1);
        g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, i)->posted_us, >=, T0 + 25 * SEC);
        break;
      }
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_CHARGING);
}

static void
test_outage_three_periods_hangs_up(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  add_outage(f, 11 * SEC, G_MAXINT64 / 2);
  fixture_start(f);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(f->hangups, ==, 1);
  g_assert_cmpint(f->hangup_reason, ==, PPM_END_UNBILLED_TOO_LONG);
  /* Charge 3 counts once it has been unconfirmed for 1 s past its due time. */
  g_assert_cmpint(f->hangup_at, ==, due(f, 3) + SEC);
  assert_charged_in_order(f, 1);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_CLOSING);
}

static void
add_final(Fixture *f, FakeKind kind, gint64 seq, int status, const char *code)
{
  FakeRule rule = fake_rule(kind);

  rule.seq_min = rule.seq_max = seq;
  rule.outcome = PPM_OUTCOME_FINAL;
  rule.http_status = status;
  rule.error_code = code;
  fake_port_add_rule(f->fake, &rule);
}

static void
test_402_ends_at_once(void)
{
  g_autoptr(Fixture) f = fixture_new(60000, 2);

  add_final(f, FAKE_CHARGE, 5, 402, "insufficient_funds");
  fixture_start(f);
  run_to(f, 20 * 60 * SEC);
  g_assert_cmpuint(f->hangups, ==, 1);
  g_assert_cmpint(f->hangup_reason, ==, PPM_END_INSUFFICIENT_FUNDS);
  g_assert_cmpint(f->hangup_at, ==, due(f, 5) + FAKE_DELAY_US);
  assert_charged_in_order(f, 5);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 6);
  g_assert_cmpstr(only_close(f)->reason, ==, "insufficient_funds");
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, (due(f, 5) + FAKE_DELAY_US - T0) / MS);
  g_assert_cmpuint(f->closed, ==, 1);
}

static void
test_last_charge_before_402_not_unsecured(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  FakeRule last = fake_rule(FAKE_CHARGE);
  FakeRule refused = fake_rule(FAKE_CHARGE);

  /* Charge 3 takes the last funds: the hold secures nothing more.  Charge 4
   * is refused, slowly: it must not count as unconfirmed meanwhile. */
  last.seq_min = last.seq_max = 3;
  last.secured_periods = 0;
  last.member_balance_periods = 0;
  fake_port_add_rule(f->fake, &last);
  refused.seq_min = 4;
  refused.outcome = PPM_OUTCOME_FINAL;
  refused.http_status = 402;
  refused.error_code = "insufficient_funds";
  refused.delay_us = 900 * MS;
  fake_port_add_rule(f->fake, &refused);
  fixture_start(f);
  run_to(f, 120 * SEC);
  g_assert_cmpuint(f->hangups, ==, 1);
  g_assert_cmpint(f->hangup_reason, ==, PPM_END_INSUFFICIENT_FUNDS);
  g_assert_cmpint(f->hangup_at, ==, due(f, 4) + 900 * MS);
  g_assert_cmpuint(f->last_paid, ==, 1);
  assert_charged_in_order(f, 4);
}

static void
test_425_waits_retry_after(void)
{
  g_autoptr(Fixture) f = fixture_new(60000, 2);
  FakeRule early = fake_rule(FAKE_CHARGE);

  early.seq_min = early.seq_max = 2;
  early.times = 1;
  early.outcome = PPM_OUTCOME_TOO_EARLY;
  early.http_status = 425;
  early.error_code = "too_early";
  early.retry_after_ms = 1500;
  fake_port_add_rule(f->fake, &early);
  fixture_start(f);
  run_to(f, 4 * 60 * SEC);
  g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, 2)->seq, ==, 2);
  g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, 3)->seq, ==, 2);
  g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, 3)->posted_us, ==,
                  due(f, 2) + FAKE_DELAY_US + 1500 * MS);
  g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, 4)->posted_us, ==, due(f, 3));
  assert_charged_in_order(f, 4);
  g_assert_cmpuint(f->hangups + f->not_charging, ==, 0);
}

static void
test_last_paid_minute_once(void)
{
  g_autoptr(Fixture) f = fixture_new(60000, 2);
  FakeRule broke = fake_rule(FAKE_CHARGE);

  broke.seq_min = 3;
  broke.member_balance_periods = 0;
  fake_port_add_rule(f->fake, &broke);
  fixture_start(f);
  run_to(f, 6 * 60 * SEC);
  assert_charged_in_order(f, 6);
  g_assert_cmpuint(f->last_paid, ==, 1);
  g_assert_cmpint(f->last_paid_seq, ==, 3);
}

static void
test_media_gap_defers_until_rtp(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  f->media_until = 14 * SEC;
  fixture_start(f);
  /* Charge 2 falls due at 21 s, 7 s into the gap. */
  run_to(f, 25 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 2);
  g_assert_cmpuint(f->hangups, ==, 0);
  ppm_meter_note_rtp(f->meter, T0 + 25 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 3);
  g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, 2)->posted_us, ==, T0 + 25 * SEC);
  run_to(f, 26 * SEC);
  assert_charged_in_order(f, 3);
}

static void
test_media_gap_defers_until_ping_answer(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  f->media_until = 14 * SEC;
  fixture_start(f);
  run_to(f, 27 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 2);
  ppm_meter_note_peer_alive(f->meter);
  run_to(f, 28 * SEC);
  assert_charged_in_order(f, 3);
}

static void
test_media_gap_dropped_on_no_media(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 0);

  f->media_until = 14 * SEC;
  fixture_start(f);
  /* Secured 0: a deferred charge must not count as unconfirmed. */
  run_to(f, 26 * SEC);
  g_assert_cmpuint(f->hangups, ==, 0);
  end_call(f, PPM_END_NO_MEDIA, 14 * SEC);
  run_to(f, 60 * SEC);
  assert_charged_in_order(f, 2);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 2);
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, 14000);
  g_assert_cmpstr(only_close(f)->reason, ==, "no_media");
}

static void
test_peer_offline_owes_nothing_after_last_rtp(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  /* RTP last arrives at 20.5 s; charge 2 is posted at 21 s as usual; the
   * caller's presence goes away at 21.01 s, before that charge's answer. */
  f->media_until = 20500 * MS;
  fixture_start(f);
  run_to(f, 21010 * MS);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 3);
  end_call(f, PPM_END_PEER_OFFLINE, 20500 * MS);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 3);
  /* The platform took charge 2 (its close reverses it), but the answer came
   * after the end: ignored, and counted. */
  g_assert_cmpint(f->fake->charges_confirmed, ==, 3);
  g_assert_cmpuint(f->charged_seqs->len, ==, 2);
  g_assert_cmpint(ppm_meter_get_periods_charged(f->meter), ==, 2);
  g_assert_cmpuint(ppm_meter_get_late_answers(f->meter), ==, 1);
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, 20500);
  g_assert_cmpstr(only_close(f)->reason, ==, "peer_offline");
  g_assert_cmpint(only_close(f)->posted_us, ==, T0 + 21 * SEC + FAKE_DELAY_US);
  g_assert_cmpuint(f->closed, ==, 1);
}

static void
test_max_unbilled_seconds(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 10);

  f->max_unbilled_seconds = 5;
  add_outage(f, 11 * SEC, G_MAXINT64 / 2);
  fixture_start(f);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(f->hangups, ==, 1);
  g_assert_cmpint(f->hangup_reason, ==, PPM_END_UNBILLED_TOO_LONG);
  g_assert_cmpint(f->hangup_at, ==, due(f, 1) + 5 * SEC);
}

static void
test_max_unbilled_seconds_open(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 10);
  FakeRule silent = fake_rule(FAKE_OPEN);

  silent.delay_us = -1;
  fake_port_add_rule(f->fake, &silent);
  f->max_unbilled_seconds = 1;
  fixture_start(f);
  run_to(f, 10 * SEC);
  g_assert_cmpuint(f->hangups, ==, 1);
  g_assert_cmpint(f->hangup_at, ==, T0 + SEC);
  g_assert_cmpint(f->hangup_reason, ==, PPM_END_UNBILLED_TOO_LONG);
}

static void
test_open_unconfirmed_is_unsecured(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  FakeRule down = fake_rule(FAKE_OPEN);

  down.outcome = PPM_OUTCOME_RETRYABLE;
  fake_port_add_rule(f->fake, &down);
  fixture_start(f);
  run_to(f, 10 * SEC);
  /* Nothing secured before the open: charge 0 (due 1 s) may not stay
   * unconfirmed past 2 s.  The open went out again meanwhile. */
  g_assert_cmpuint(f->hangups, ==, 1);
  g_assert_cmpint(f->hangup_reason, ==, PPM_END_UNBILLED_TOO_LONG);
  g_assert_cmpint(f->hangup_at, ==, T0 + 2 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_OPEN), >=, 2);
  g_assert_cmpint(fake_port_nth(f->fake, FAKE_OPEN, 1)->elapsed_ms, >, 0);
  g_assert_cmpuint(f->not_charging, ==, 1);
}

static void
test_journal_records(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  g_autofree char *expected = g_strdup_printf(
      "%d seq=-1 session=- reason=- elapsed=0 periods=0\n"
      "%d seq=-1 session=session-1 reason=- elapsed=20 periods=0\n"
      "%d seq=0 session=session-1 reason=- elapsed=1020 periods=1\n"
      "%d seq=1 session=session-1 reason=- elapsed=11020 periods=2\n"
      "%d seq=-1 session=session-1 reason=local_hangup elapsed=15000 periods=0\n"
      "%d seq=-1 session=session-1 reason=- elapsed=15020 periods=2\n",
      PPM_JOURNAL_OPEN_REQUESTED, PPM_JOURNAL_OPENED, PPM_JOURNAL_CHARGE_CONFIRMED,
      PPM_JOURNAL_CHARGE_CONFIRMED, PPM_JOURNAL_CLOSE_REQUESTED, PPM_JOURNAL_CLOSED);

  fixture_start(f);
  run_to(f, 15 * SEC);
  end_call(f, PPM_END_LOCAL_HANGUP, 15 * SEC);
  run_to(f, 20 * SEC);
  /* Each record comes before the meter acts: the open before it is posted. */
  g_assert_cmpuint(f->journal_posts_before_open, ==, 0);
  g_assert_cmpstr(f->journal->str, ==, expected);
}

static void
test_journal_failure_stops_billing(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  f->journal_fail_kind = PPM_JOURNAL_CHARGE_CONFIRMED;
  f->journal_fail_seq = 2;
  fixture_start(f);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(f->stopped, ==, 1);
  g_assert_true(f->stopped_by_journal);
  g_assert_cmpuint(f->hangups, ==, 0);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_BILLING_STOPPED);
  /* Charge 2 was taken but could not be journaled: not reported, and
   * nothing after it was posted. */
  g_assert_cmpuint(f->charged_seqs->len, ==, 2);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 3);
  g_assert_cmpstr(only_close(f)->reason, ==, "journal_error");
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, (due(f, 2) + FAKE_DELAY_US - T0) / MS);
  g_assert_cmpuint(f->closed, ==, 1);
  /* The call ends later: nothing more is posted, the meter is closed. */
  end_call(f, PPM_END_LOCAL_HANGUP, 70 * SEC);
  run_to(f, 80 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CLOSE), ==, 1);
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_CLOSED);
}

static void
test_journal_failure_before_open(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  f->journal_fail_kind = PPM_JOURNAL_OPEN_REQUESTED;
  fixture_start(f);
  run_to(f, 30 * SEC);
  /* No open without a journaled client_session_id. */
  g_assert_cmpuint(f->fake->requests->len, ==, 0);
  g_assert_cmpuint(f->stopped, ==, 1);
  g_assert_true(f->stopped_by_journal);
  g_assert_cmpuint(f->hangups, ==, 0);
  end_call(f, PPM_END_LOCAL_HANGUP, 30 * SEC);
  g_assert_cmpuint(f->fake->requests->len, ==, 0);
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_false(f->closed_had_outcome);
}

static void
test_journal_failure_at_opened(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  f->journal_fail_kind = PPM_JOURNAL_OPENED;
  fixture_start(f);
  run_to(f, 30 * SEC);
  /* The session exists on the platform: it is closed, nothing is charged. */
  g_assert_cmpuint(f->stopped, ==, 1);
  g_assert_true(f->stopped_by_journal);
  g_assert_cmpuint(f->hangups, ==, 0);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 0);
  g_assert_cmpstr(only_close(f)->reason, ==, "journal_error");
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, FAKE_DELAY_US / MS);
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_BILLING_STOPPED);
}

static void
test_one_request_in_flight(void)
{
  g_autoptr(Fixture) f = fixture_new(1000, 100);
  FakeRule slow = fake_rule(FAKE_CHARGE);

  /* Answers take 2.5 periods: charges pile up and go out one at a time. */
  slow.delay_us = 2500 * MS;
  fake_port_add_rule(f->fake, &slow);
  fixture_start(f);
  run_to(f, 30 * SEC);
  g_assert_cmpint(f->fake->max_in_flight, ==, 1);
  for (guint i = 1; i < fake_port_count(f->fake, FAKE_CHARGE); i++)
    g_assert_cmpint(fake_port_nth(f->fake, FAKE_CHARGE, i)->posted_us, ==,
                    fake_port_nth(f->fake, FAKE_CHARGE, i - 1)->posted_us + 2500 * MS);
  assert_charged_in_order(f, fake_port_count(f->fake, FAKE_CHARGE) - 1);
}

static void
test_backoff_bounds(void)
{
  const gint64 bases[] = { 1, 2, 4, 8, 15, 15, 15 };

  for (guint i = 0; i < G_N_ELEMENTS(bases); i++)
    {
      gint64 base = bases[i] * SEC;

      g_assert_cmpint(ppm_schedule_backoff(i + 1, 15 * SEC, 0.0), ==, base);
      g_assert_cmpint(ppm_schedule_backoff(i + 1, 15 * SEC, 0.999), >, base * 3 / 4);
      g_assert_cmpint(ppm_schedule_backoff(i + 1, 15 * SEC, 0.999), <, base);
    }
  /* A short period caps the pause. */
  g_assert_cmpint(ppm_schedule_backoff(10, 3 * SEC, 0.0), ==, 3 * SEC);
}

/* The pauses between the posts of charge 1 during an endless outage. */
static GArray *
outage_pauses(double random)
{
  g_autoptr(Fixture) f = fixture_new(10000, 100);
  GArray *pauses = g_array_new(FALSE, FALSE, sizeof(gint64));
  gint64 previous = 0;

  f->random = random;
  add_outage(f, 11 * SEC, G_MAXINT64 / 2);
  fixture_start(f);
  run_to(f, 60 * SEC);
  for (guint i = 0; i < fake_port_count(f->fake, FAKE_CHARGE); i++)
    {
      FakeRequest *r = fake_port_nth(f->fake, FAKE_CHARGE, i);

      g_assert_cmpint(r->seq, <=, 1);
      if (r->seq == 1 && previous != 0)
        {
          gint64 pause = r->posted_us - previous - FAKE_DELAY_US;

          g_array_append_val(pauses, pause);
        }
      if (r->seq == 1)
        previous = r->posted_us;
    }
  return pauses;
}

static void
test_backoff_in_meter(void)
{
  g_autoptr(GArray) exact = outage_pauses(0.0);
  g_autoptr(GArray) jittered = outage_pauses(0.5);
  /* 1 s doubling, capped at the 10 s period. */
  const gint64 expected[] = { 1, 2, 4, 8, 10, 10 };

  g_assert_cmpuint(exact->len, >=, G_N_ELEMENTS(expected));
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
    {
      g_assert_cmpint(g_array_index(exact, gint64, i), ==, expected[i] * SEC);
      g_assert_cmpint(g_array_index(jittered, gint64, i), ==, expected[i] * SEC * 7 / 8);
    }
}

static void
test_slow_answer_not_charging(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  FakeRule slow = fake_rule(FAKE_CHARGE);

  slow.seq_min = slow.seq_max = 1;
  slow.delay_us = 1500 * MS;
  fake_port_add_rule(f->fake, &slow);
  fixture_start(f);
  run_to(f, due(f, 1) - T0 + 999 * MS);
  g_assert_cmpuint(f->not_charging, ==, 0);
  run_to(f, due(f, 1) - T0 + SEC);
  g_assert_cmpuint(f->not_charging, ==, 1);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_NOT_CHARGING);
  run_to(f, due(f, 1) - T0 + 1500 * MS);
  g_assert_cmpuint(f->resumed, ==, 1);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_CHARGING);
  g_assert_cmpuint(f->hangups, ==, 0);
}

static void
test_open_402(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  add_final(f, FAKE_OPEN, -1, 402, "insufficient_funds");
  fixture_start(f);
  run_to(f, 10 * SEC);
  g_assert_cmpuint(f->hangups, ==, 1);
  g_assert_cmpint(f->hangup_reason, ==, PPM_END_INSUFFICIENT_FUNDS);
  g_assert_cmpint(f->hangup_at, ==, T0 + FAKE_DELAY_US);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 0);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CLOSE), ==, 0);
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_false(f->closed_had_outcome);
}

typedef struct
{
  PpmOutcomeKind kind;
  int status;
  const char *code;
} OpenRefusal;

static const OpenRefusal open_refusals[] = {
  { PPM_OUTCOME_FINAL, 403, "rate_not_accepted" },
  { PPM_OUTCOME_FINAL, 403, "forbidden" },
  { PPM_OUTCOME_FINAL, 404, "not_found" },
  { PPM_OUTCOME_FINAL, 409, "too_many_sessions" },
  { PPM_OUTCOME_FINAL, 422, "invalid" },
  { PPM_OUTCOME_UNAUTHORIZED, 401, "unauthorized" },
};

static void
test_open_refused_call_goes_on(gconstpointer data)
{
  const OpenRefusal *c = data;
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  FakeRule rule = fake_rule(FAKE_OPEN);

  rule.outcome = c->kind;
  rule.http_status = c->status;
  rule.error_code = c->code;
  fake_port_add_rule(f->fake, &rule);
  fixture_start(f);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(f->hangups, ==, 0);
  g_assert_cmpuint(f->stopped, ==, 1);
  g_assert_cmpstr(f->stopped_code, ==, c->code);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_BILLING_STOPPED);
  g_assert_null(ppm_meter_get_session_id(f->meter));
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_OPEN), ==, 1);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 0);
  end_call(f, PPM_END_LOCAL_HANGUP, 60 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CLOSE), ==, 0);
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_false(f->closed_had_outcome);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_CLOSED);
}

typedef struct
{
  int status;
  const char *code;
  gboolean hangup; /* else: billing stops, the call goes on */
} FinalCase;

static const FinalCase final_cases[] = {
  { 409, "session_closed", TRUE },
  { 410, "session_expired", TRUE },
  { 422, "seq_gap", FALSE },
  { 404, "not_found", FALSE },
  { 409, "idempotency_mismatch", FALSE },
};

static void
test_charge_final_error(gconstpointer data)
{
  const FinalCase *c = data;
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  add_final(f, FAKE_CHARGE, 2, c->status, c->code);
  fixture_start(f);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 3);
  assert_charged_in_order(f, 2);
  g_assert_cmpstr(only_close(f)->reason, ==, "session_gone");
  g_assert_cmpuint(f->closed, ==, 1);
  if (c->hangup)
    {
      g_assert_cmpuint(f->hangups, ==, 1);
      g_assert_cmpint(f->hangup_reason, ==, PPM_END_SESSION_GONE);
      g_assert_cmpuint(f->stopped, ==, 0);
    }
  else
    {
      g_assert_cmpuint(f->hangups, ==, 0);
      g_assert_cmpuint(f->stopped, ==, 1);
      g_assert_cmpstr(f->stopped_code, ==, c->code);
      g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_BILLING_STOPPED);
    }
}

static void
test_charge_unauthorized(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  FakeRule rule = fake_rule(FAKE_CHARGE);

  rule.seq_min = 1;
  rule.outcome = PPM_OUTCOME_UNAUTHORIZED;
  rule.http_status = 401;
  rule.error_code = "unauthorized";
  fake_port_add_rule(f->fake, &rule);
  fixture_start(f);
  run_to(f, 60 * SEC);
  g_assert_cmpuint(f->hangups, ==, 0);
  g_assert_cmpuint(f->stopped, ==, 1);
  g_assert_cmpstr(f->stopped_code, ==, "unauthorized");
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 2);
  g_assert_cmpstr(only_close(f)->reason, ==, "session_gone");
}

static void
test_close_retried(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  FakeRule down = fake_rule(FAKE_CLOSE);

  down.outcome = PPM_OUTCOME_RETRYABLE;
  down.times = 2;
  fake_port_add_rule(f->fake, &down);
  fixture_start(f);
  run_to(f, 5 * SEC);
  end_call(f, PPM_END_LOCAL_HANGUP, 5 * SEC);
  run_to(f, 30 * SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CLOSE), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint(fake_port_nth(f->fake, FAKE_CLOSE, i)->elapsed_ms, ==, 5000);
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_true(f->closed_had_outcome);
  g_assert_cmpint(ppm_meter_get_state(f->meter), ==, PPM_METER_STATE_CLOSED);
}

static void
test_end_waits_for_owed_charges(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 5);

  /* Charge 1 fails until 14 s; the call ends at 12 s: charge 1 is owed and
   * retried until confirmed, then the close goes out. */
  add_outage(f, 11 * SEC, 14 * SEC);
  fixture_start(f);
  run_to(f, 12 * SEC);
  end_call(f, PPM_END_REMOTE_HANGUP, 12 * SEC);
  run_to(f, 60 * SEC);
  assert_charged_in_order(f, 2);
  g_assert_cmpint(
      only_close(f)->posted_us, >,
      fake_port_nth(f->fake, FAKE_CHARGE, fake_port_count(f->fake, FAKE_CHARGE) - 1)->posted_us);
  g_assert_cmpint(only_close(f)->elapsed_ms, ==, 12000);
}

static void
free_from_closed(PpmMeter *meter, const PpmOutcome *outcome, const PpmCloseAnswer *answer,
                 gpointer data)
{
  Fixture *f = data;

  f->closed++;
  ppm_meter_free(f->meter);
  f->meter = NULL;
}

static void
test_free_from_handler(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);
  PpmMeterEvents events = fixture_events;
  PpmMeterConfig config
      = { .protocol = "prpl-jabber", .model_handle = "m", .member_handle = "c", .t0_us = T0 };

  events.closed = free_from_closed;
  f->meter = ppm_meter_new(f->clock, &f->fake->port, &config, &events, f);
  ppm_meter_start(f->meter);
  run_to(f, 3 * SEC);
  end_call(f, PPM_END_LOCAL_HANGUP, 3 * SEC);
  run_to(f, 10 * SEC);
  g_assert_null(f->meter);
  g_assert_cmpuint(f->closed, ==, 1);
  g_assert_cmpuint(ppm_clock_virtual_pending(f->clock), ==, 0);
}

static void
test_free_with_request_in_flight(void)
{
  g_autoptr(Fixture) f = fixture_new(10000, 2);

  fixture_start(f);
  run_to(f, SEC);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 1);
  ppm_meter_free(f->meter);
  f->meter = NULL;
  /* The cancelled answer is dropped: no handler runs on a freed meter. */
  run_to(f, 60 * SEC);
  g_assert_cmpuint(f->charged_seqs->len, ==, 0);
  g_assert_cmpuint(fake_port_count(f->fake, FAKE_CHARGE), ==, 1);
}

static void
test_client_session_id(void)
{
  g_autoptr(PpmClock) clock = ppm_clock_virtual_new(T0);
  g_autoptr(FakePort) fake = fake_port_new(clock);
  PpmMeterConfig config = { .t0_us = T0 };
  g_autoptr(PpmMeter) a = ppm_meter_new(clock, &fake->port, &config, NULL, NULL);
  g_autoptr(PpmMeter) b = NULL;

  config.client_session_id = "4b7e8f5c-0d1a-4c9e-9a55-2f0f6a3f9c11";
  b = ppm_meter_new(clock, &fake->port, &config, NULL, NULL);
  g_assert_true(g_uuid_string_is_valid(ppm_meter_get_client_session_id(a)));
  g_assert_cmpstr(ppm_meter_get_client_session_id(b), ==, config.client_session_id);
}

static void
test_end_reason_strings(void)
{
  const char *names[] = { "local_hangup",      "remote_hangup", "insufficient_funds",
                          "unbilled_too_long", "session_gone",  "peer_offline",
                          "no_media",          "ring_timeout",  "local_disconnect",
                          "signed_out",        "journal_error", "client_restart",
                          "plugin_unloaded",   "superseded",    "expired" };

  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    {
      PpmEndReason reason;

      g_assert_true(ppm_end_reason_from_string(names[i], &reason));
      g_assert_cmpstr(ppm_end_reason_to_string(reason), ==, names[i]);
    }
  g_assert_false(ppm_end_reason_from_string("hung_up", &(PpmEndReason){ 0 }));
}

/* A port without ops or a missing config is refused before anything is made. */
static void
test_new_refuses_missing_port(void)
{
  g_autoptr(PpmClock) clock = ppm_clock_virtual_new(T0);
  PpmMeterConfig config = { .protocol = "prpl-jabber", .t0_us = T0 };
  PpmPort no_ops = { 0 };

  g_test_expect_message("ppm-meter", G_LOG_LEVEL_CRITICAL, "*assertion*config != NULL*");
  g_assert_null(ppm_meter_new(clock, &no_ops, &config, NULL, NULL));
  g_test_expect_message("ppm-meter", G_LOG_LEVEL_CRITICAL, "*assertion*config != NULL*");
  g_assert_null(ppm_meter_new(clock, NULL, &config, NULL, NULL));
  g_test_assert_expected_messages();
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  g_test_add_func("/meter/two-hours-zero-drift", test_two_hours_zero_drift);
  g_test_add_func("/meter/charges-follow-a-shifted-offset", test_charges_follow_shifted_offset);
  for (guint i = 0; i < G_N_ELEMENTS(owed_cases); i++)
    {
      g_autofree char *path = g_strdup_printf(
          "/meter/end-at-%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT "s-owes-%" G_GINT64_FORMAT,
          owed_cases[i].end_ms / 1000, owed_cases[i].end_ms % 1000, owed_cases[i].owed);

      g_test_add_data_func(path, &owed_cases[i], test_owed_at_end);
    }
  g_test_add_func("/meter/outage-two-periods-recovers", test_outage_two_periods_recovers);
  g_test_add_func("/meter/outage-three-periods-hangs-up", test_outage_three_periods_hangs_up);
  g_test_add_func("/meter/402-ends-at-that-instant", test_402_ends_at_once);
  g_test_add_func("/meter/last-charge-before-402-not-unsecured",
                  test_last_charge_before_402_not_unsecured);
  g_test_add_func("/meter/425-waits-retry-after", test_425_waits_retry_after);
  g_test_add_func("/meter/last-paid-minute-once", test_last_paid_minute_once);
  g_test_add_func("/meter/media-gap-defers-until-rtp", test_media_gap_defers_until_rtp);
  g_test_add_func("/meter/media-gap-defers-until-ping-answer",
                  test_media_gap_defers_until_ping_answer);
  g_test_add_func("/meter/media-gap-dropped-on-no-media", test_media_gap_dropped_on_no_media);
  g_test_add_func("/meter/peer-offline-owes-nothing-after-last-rtp",
                  test_peer_offline_owes_nothing_after_last_rtp);
  g_test_add_func("/meter/max-unbilled-seconds", test_max_unbilled_seconds);
  g_test_add_func("/meter/max-unbilled-seconds-open", test_max_unbilled_seconds_open);
  g_test_add_func("/meter/open-unconfirmed-is-unsecured", test_open_unconfirmed_is_unsecured);
  g_test_add_func("/meter/journal-records", test_journal_records);
  g_test_add_func("/meter/journal-failure-stops-billing", test_journal_failure_stops_billing);
  g_test_add_func("/meter/journal-failure-before-open", test_journal_failure_before_open);
  g_test_add_func("/meter/journal-failure-at-opened", test_journal_failure_at_opened);
  g_test_add_func("/meter/one-request-in-flight", test_one_request_in_flight);
  g_test_add_func("/meter/backoff-bounds", test_backoff_bounds);
  g_test_add_func("/meter/new-refuses-missing-port", test_new_refuses_missing_port);
  g_test_add_func("/meter/backoff-in-meter", test_backoff_in_meter);
  g_test_add_func("/meter/slow-answer-not-charging", test_slow_answer_not_charging);
  g_test_add_func("/meter/open-402-hangs-up", test_open_402);
  for (guint i = 0; i < G_N_ELEMENTS(open_refusals); i++)
    {
      g_autofree char *path = g_strdup_printf("/meter/open-%d-%s-call-goes-on",
                                              open_refusals[i].status, open_refusals[i].code);

      g_test_add_data_func(path, &open_refusals[i], test_open_refused_call_goes_on);
    }
  for (guint i = 0; i < G_N_ELEMENTS(final_cases); i++)
    {
      g_autofree char *path
          = g_strdup_printf("/meter/charge-%d-%s", final_cases[i].status, final_cases[i].code);

      g_test_add_data_func(path, &final_cases[i], test_charge_final_error);
    }
  g_test_add_func("/meter/charge-unauthorized", test_charge_unauthorized);
  g_test_add_func("/meter/close-retried", test_close_retried);
  g_test_add_func("/meter/end-waits-for-owed-charges", test_end_waits_for_owed_charges);
  g_test_add_func("/meter/free-from-closed-handler", test_free_from_handler);
  g_test_add_func("/meter/free-with-request-in-flight", test_free_with_request_in_flight);
  g_test_add_func("/meter/client-session-id", test_client_session_id);
  g_test_add_func("/meter/end-reason-strings", test_end_reason_strings);
  return g_test_run();
}
