/* A meter (core/meter) bills a 10-period call through core/api against a
 * real ppm-server with 1 s periods, with and without platform faults; the
 * ledger afterwards holds exactly the ten charges, none lost or doubled. */
#include "client-platform.h"
#include "client-test-util.h"
#include "ppm-journal-meter.h"
#include "ppm-meter.h"

#define PERIODS 10
#define CALL_MS (PERIODS * 1000 + 500) /* ends 0.5 s after charge 9 fell due */

typedef enum
{
  FAULT_NONE,
  FAULT_KILL,    /* SIGKILL mid-charge, restart 2.5 s later */
  FAULT_PAUSE,   /* SIGSTOP past the request timeout, SIGCONT 3.5 s later */
  FAULT_REFUSED, /* stopped: connections refused for 2.5 s */
} Fault;

typedef struct
{
  PpmTestPlatform *platform;
  PpmClock *clock;
  PpmMeter *meter;
  PpmJournal *journal;
  char *journal_dir;
  GArray *seqs; /* confirmed charges, in order */
  gboolean closed;
  PpmOutcomeKind close_kind;
  gint64 periods_charged;
  guint interruptions;
  guint confirmed_before_end;
  gint64 longest_journal_write;
  gint64 longest_stall;
  PpmStallProbe *probe;
  Fault fault;
} Call;

static void
on_charged(PpmMeter *meter, const PpmChargeAnswer *answer, gint64 seq, gpointer user_data)
{
  Call *call = user_data;

  g_array_append_val(call->seqs, seq);
}

static void
on_not_charging(PpmMeter *meter, gint64 since_us, int secured, gpointer user_data)
{
  ((Call *)user_data)->interruptions++;
}

static void
on_hangup_wanted(PpmMeter *meter, PpmEndReason reason, gpointer user_data)
{
  g_error("the meter wants a hang-up: %s", ppm_end_reason_to_string(reason));
}

static void
on_billing_stopped(PpmMeter *meter, const PpmOutcome *outcome, const char *message,
                   gpointer user_data)
{
  g_error("billing stopped: %s (%s)", outcome != NULL ? outcome->code_text : "journal", message);
}

static void
on_closed(PpmMeter *meter, const PpmOutcome *outcome, const PpmCloseAnswer *answer,
          gpointer user_data)
{
  Call *call = user_data;

  g_assert_nonnull(outcome);
  call->closed = TRUE;
  call->close_kind = outcome->kind;
  call->periods_charged = answer != NULL ? answer->periods_charged : -1;
}

static void note_stall(Call *call);

/* A journal write blocks the loop on purpose (fsync before acting): it is
 * timed on its own and left out of the stall figure of the client. */
static gboolean
on_journal(PpmMeter *meter, const PpmJournalRecord *record, gpointer user_data, GError **error)
{
  Call *call = user_data;
  gint64 start = g_get_monotonic_time();
  gboolean ok;

  note_stall(call);
  ok = ppm_journal_meter_hook(meter, record, call->journal, error);
  call->longest_journal_write = MAX(call->longest_journal_write, g_get_monotonic_time() - start);
  ppm_stall_probe_reset(call->probe);
  return ok;
}

static const PpmMeterEvents call_events = {
  .charged = on_charged,
  .not_charging = on_not_charging,
  .hangup_wanted = on_hangup_wanted,
  .billing_stopped = on_billing_stopped,
  .closed = on_closed,
  .journal = on_journal,
};

static void
note_stall(Call *call)
{
  if (call->probe == NULL)
    return;
  call->longest_stall = MAX(call->longest_stall, ppm_stall_probe_longest(call->probe));
}

static gboolean
fault_begin(gpointer user_data)
{
  Call *call = user_data;

  switch (call->fault)
    {
      case FAULT_KILL:
        ppm_test_server_kill(call->platform->server);
        break;
      case FAULT_PAUSE:
        ppm_test_server_pause(call->platform->server);
        break;
      case FAULT_REFUSED:
        ppm_test_server_stop(call->platform->server);
        break;
      case FAULT_NONE:
        break;
    }
  /* From here on the client faces the fault alone: measure the loop. */
  ppm_stall_probe_reset(call->probe);
  return G_SOURCE_REMOVE;
}

static gboolean
fault_end(gpointer user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  note_stall(call);
  if (call->fault == FAULT_PAUSE)
    ppm_test_server_resume(call->platform->server);
  else
    g_assert_true(ppm_test_server_restart(call->platform->server, &error));
  g_assert_no_error(error);
  /* Restarting waited synchronously in this test, not in the client. */
  ppm_stall_probe_reset(call->probe);
  return G_SOURCE_REMOVE;
}

/* The caller's media keeps flowing: no charge is held back as a dead call's. */
static gboolean
feed_rtp(gpointer user_data)
{
  Call *call = user_data;

  ppm_meter_note_rtp(call->meter, ppm_clock_now_monotonic(call->clock));
  return G_SOURCE_CONTINUE;
}

static gboolean
hang_up(gpointer user_data)
{
  Call *call = user_data;

  call->confirmed_before_end = call->seqs->len;
  ppm_meter_end(call->meter, PPM_END_LOCAL_HANGUP,
                ppm_meter_get_t0(call->meter) + CALL_MS * G_GINT64_CONSTANT(1000));
  return G_SOURCE_REMOVE;
}

static void
run_call(Fault fault)
{
  const char *const args[] = { "--period-seconds", "1", "--hold-periods", "10", NULL };
  g_autoptr(PpmTestPlatform) platform = ppm_test_platform_new(args, 1);
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autofree char *member = ppm_test_member_email(0);
  g_autofree char *handle = ppm_test_member_handle(0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unfinished = NULL;
  PpmPort port = ppm_api_get_port(api);
  Call call = { 0 };
  PpmMeterConfig config = { 0 };
  guint rtp;
  gint64 fee = (PPM_TEST_RATE_MINOR * 2000 + 5000) / 10000;

  call.platform = platform;
  call.fault = fault;
  call.seqs = g_array_new(FALSE, FALSE, sizeof(gint64));
  call.journal_dir = g_dir_make_tmp("ppm-billing-XXXXXX", NULL);
  call.journal = ppm_journal_open(call.journal_dir, &error);
  g_assert_no_error(error);
  call.clock = ppm_clock_system_new(NULL);
  ppm_api_set_timeouts(api, 1000, 2000);

  config.protocol = "prpl-jabber";
  config.model_handle = PPM_TEST_MODEL_HANDLE;
  config.member_handle = handle;
  config.t0_us = ppm_clock_now_monotonic(call.clock);
  call.meter = ppm_meter_new(call.clock, &port, &config, &call_events, &call);
  call.probe = ppm_stall_probe_start();
  ppm_meter_start(call.meter);
  rtp = g_timeout_add(100, feed_rtp, &call);
  if (fault != FAULT_NONE)
    {
      /* Just after charge 2 fell due (t0 + 3 s): its post is in flight. */
      g_timeout_add(3005, fault_begin, &call);
      g_timeout_add(fault == FAULT_PAUSE ? 6500 : 5500, fault_end, &call);
    }
  g_timeout_add(CALL_MS, hang_up, &call);
  g_assert_true(ppm_test_wait_for(&call.closed, CALL_MS + 30000));
  g_source_remove(rtp);
  note_stall(&call);

  g_test_message("charges confirmed: %u, interruptions: %u, longest stall: %" G_GINT64_FORMAT
                 " us, longest journal write: %" G_GINT64_FORMAT " us",
                 call.seqs->len, call.interruptions, call.longest_stall,
                 call.longest_journal_write);
  g_assert_cmpint(call.close_kind, ==, PPM_OUTCOME_OK);
  g_assert_cmpint(call.periods_charged, ==, PERIODS);
  g_assert_cmpuint(call.seqs->len, ==, PERIODS);
  for (guint i = 0; i < call.seqs->len; i++)
    g_assert_cmpint(g_array_index(call.seqs, gint64, i), ==, i);
  /* Charges were confirmed while the call went on (catch-up after a fault),
   * not only posted after the hang-up. */
  g_assert_cmpuint(call.confirmed_before_end, >=, PERIODS - 1);
  if (fault != FAULT_NONE)
    g_assert_cmpuint(call.interruptions, >=, 1);
  g_assert_cmpint(call.longest_stall, <, PPM_TEST_MAX_STALL_US);

  /* The ledger: ten charges, no more, no fewer. */
  g_assert_cmpint(ppm_test_platform_balance(platform, member), ==,
                  PPM_TEST_FUNDS_MINOR - PERIODS * PPM_TEST_RATE_MINOR);
  g_assert_cmpint(ppm_test_platform_balance(platform, PPM_TEST_MODEL), ==,
                  PERIODS * (PPM_TEST_RATE_MINOR - fee));
  ppm_test_platform_assert_verified(platform);

  /* The journal saw the same. */
  g_assert_cmpint(ppm_journal_get_closed_periods(
                      call.journal, ppm_meter_get_client_session_id(call.meter), &error),
                  ==, PERIODS);
  unfinished = ppm_journal_list_unfinished(call.journal, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(unfinished->len, ==, 0);

  ppm_meter_free(call.meter);
  ppm_stall_probe_free(call.probe);
  ppm_clock_unref(call.clock);
  ppm_journal_free(call.journal);
  ppm_test_remove_tree(call.journal_dir);
  g_free(call.journal_dir);
  g_array_unref(call.seqs);
}

static void
test_clean_call(void)
{
  run_call(FAULT_NONE);
}

static void
test_server_killed(void)
{
  run_call(FAULT_KILL);
}

static void
test_server_paused(void)
{
  run_call(FAULT_PAUSE);
}

static void
test_connection_refused(void)
{
  run_call(FAULT_REFUSED);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/billing/ten-periods", test_clean_call);
  g_test_add_func("/client/billing/server-killed-mid-charge", test_server_killed);
  g_test_add_func("/client/billing/server-paused-past-timeout", test_server_paused);
  g_test_add_func("/client/billing/connection-refused", test_connection_refused);
  return g_test_run();
}
