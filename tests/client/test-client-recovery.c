/* Crash recovery: a child process bills through a meter with the journal
 * and is killed with SIGKILL right after the platform confirmed a charge,
 * either before the journal recorded it or after the journal recorded it
 * but before the meter acted on it.  Recovery (reopen the journal, close the
 * session with client_restart) must leave exactly the charges the platform
 * confirmed: none lost, none doubled.  A journaled close is sent again with
 * its reason, and an open never confirmed is posted again and closed so that
 * its hold is released. */
#include "client-platform.h"
#include "client-test-util.h"
#include "ppm-journal-meter.h"
#include "ppm-journal-recovery.h"
#include "ppm-meter.h"

#include <signal.h>
#include <unistd.h>

/* The child dies when the platform confirms this charge. */
#define KILL_AT_SEQ 2

static PpmTestPlatform *platform;

static gboolean
journal_then_maybe_die(PpmMeter *meter, const PpmJournalRecord *record, gpointer user_data,
                       GError **error)
{
  gboolean journal_first = g_str_equal(g_getenv("PPM_TEST_KILL"), "after-journal");
  gboolean dying = record->kind == PPM_JOURNAL_CHARGE_CONFIRMED && record->seq == KILL_AT_SEQ;

  if (dying && !journal_first)
    kill(getpid(), SIGKILL);
  if (!ppm_journal_meter_hook(meter, record, user_data, error))
    return FALSE;
  if (dying)
    kill(getpid(), SIGKILL);
  return TRUE;
}

static const PpmMeterEvents child_events = { .journal = journal_then_maybe_die };

/* Runs in the child: bills until it is killed. */
static void
bill_until_killed(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmApi) api = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PpmLogin) login = NULL;
  g_autoptr(PpmJournal) journal = NULL;
  g_autoptr(PpmClock) clock = ppm_clock_system_new(NULL);
  g_autofree char *handle = ppm_test_member_handle(0);
  PpmMeterConfig config = { 0 };
  PpmPort port;
  PpmMeter *meter;

  if (!g_test_subprocess())
    {
      g_test_skip("the crashing child of the tests below");
      return;
    }
  api = ppm_api_new(g_getenv("PPM_TEST_URL"), &error);
  g_assert_no_error(error);
  journal = ppm_journal_open(g_getenv("PPM_TEST_JOURNAL"), &error);
  g_assert_no_error(error);
  ppm_api_login(api, PPM_TEST_MODEL, PPM_TEST_PASSWORD, NULL, ppm_test_store_result, &result);
  login = ppm_api_login_finish(api, ppm_test_await(&result), &error);
  g_assert_no_error(error);
  port = ppm_api_get_port(api);
  config.protocol = "prpl-jabber";
  config.model_handle = PPM_TEST_MODEL_HANDLE;
  config.member_handle = handle;
  config.t0_us = ppm_clock_now_monotonic(clock);
  meter = ppm_meter_new(clock, &port, &config, &child_events, journal);
  ppm_meter_start(meter);
  ppm_test_spin(20000);
  /* Not reached when the kill works. */
  ppm_meter_free(meter);
}

typedef struct
{
  gboolean done;
  PpmJournalRecovery counts;
} Recovered;

static void
on_recovered(const PpmJournalRecovery *counts, const GError *error, gpointer user_data)
{
  Recovered *recovered = user_data;

  g_assert_no_error(error);
  recovered->done = TRUE;
  recovered->counts = *counts;
}

/* What the next start does, once signed in, leaving the sessions in `skip` alone. */
static PpmJournalRecovery
recover_skipping(PpmJournal *journal, GHashTable *skip)
{
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  PpmPort port = ppm_api_get_port(api);
  Recovered recovered = { 0 };

  ppm_journal_recover(journal, &port, skip, NULL, on_recovered, &recovered);
  g_assert_false(recovered.done);
  g_assert_true(ppm_test_wait_for(&recovered.done, 30000));
  return recovered.counts;
}

static PpmJournalRecovery
recover(PpmJournal *journal)
{
  return recover_skipping(journal, NULL);
}

static void
crash_and_recover(const char *when, gint64 journaled_charges)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-recovery-XXXXXX", NULL);
  g_autofree char *member = ppm_test_member_email(0);
  gint64 before = ppm_test_platform_balance(platform, member);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmJournal) journal = NULL;
  g_autoptr(GPtrArray) unfinished = NULL;
  PpmJournalSession *session;
  PpmJournalRecovery counts;
  gint64 closed_periods;

  g_setenv("PPM_TEST_URL", platform->server->url, TRUE);
  g_setenv("PPM_TEST_JOURNAL", dir, TRUE);
  g_setenv("PPM_TEST_KILL", when, TRUE);
  g_test_trap_subprocess("/client/recovery/child", 30 * G_USEC_PER_SEC,
                         G_TEST_SUBPROCESS_INHERIT_STDERR);
  /* Killed, not finished. */
  g_test_trap_assert_failed();

  journal = ppm_journal_open(dir, &error);
  g_assert_no_error(error);
  unfinished = ppm_journal_list_unfinished(journal, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(unfinished->len, ==, 1);
  session = unfinished->pdata[0];
  g_assert_nonnull(session->session_id);
  g_assert_null(session->close_reason);
  g_assert_cmpint(session->periods_charged, ==, journaled_charges);

  /* Closes with client_restart and the last journaled elapsed_ms, posts no
   * charge, writes the answer back. */
  counts = recover(journal);
  g_assert_cmpuint(counts.closed, ==, 1);
  g_assert_cmpuint(counts.pending, ==, 0);
  closed_periods = ppm_journal_get_closed_periods(journal, session->client_session_id, &error);
  g_assert_no_error(error);

  /* The platform confirmed charges 0..KILL_AT_SEQ before the child died,
   * whatever the journal had time to write; client_restart reverses none. */
  g_assert_cmpint(closed_periods, ==, KILL_AT_SEQ + 1);
  g_assert_cmpint(ppm_test_platform_balance(platform, member), ==,
                  before - (KILL_AT_SEQ + 1) * PPM_TEST_RATE_MINOR);
  ppm_test_platform_assert_verified(platform);
  g_clear_pointer(&unfinished, g_ptr_array_unref);
  unfinished = ppm_journal_list_unfinished(journal, &error);
  g_assert_cmpuint(unfinished->len, ==, 0);
  g_clear_pointer(&journal, ppm_journal_free);
  ppm_test_remove_tree(dir);
}

static void
test_killed_before_journal(void)
{
  crash_and_recover("before-journal", KILL_AT_SEQ);
}

static void
test_killed_after_journal(void)
{
  crash_and_recover("after-journal", KILL_AT_SEQ + 1);
}

typedef struct
{
  gboolean done;
  char *session_id;
} Opened;

static void
on_opened(const PpmOutcome *outcome, const PpmOpenAnswer *answer, gpointer user_data)
{
  Opened *opened = user_data;

  g_assert_nonnull(answer);
  opened->session_id = g_strdup(answer->session_id);
  opened->done = TRUE;
}

static void
on_charged(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  g_assert_nonnull(answer);
  *(gboolean *)user_data = TRUE;
}

/* Journals an open of `csid` with `member_handle`, posts it and returns the
 * platform's session_id; the journal does not learn it. */
static char *
open_unconfirmed(PpmApi *api, PpmJournal *journal, const char *csid, const char *member_handle)
{
  g_autoptr(GError) error = NULL;
  PpmOpenRequest request = { csid, "prpl-jabber", PPM_TEST_MODEL_HANDLE, member_handle, 0 };
  Opened opened = { 0 };

  g_assert_true(ppm_journal_open_requested(journal, csid, "prpl-jabber", PPM_TEST_MODEL_HANDLE,
                                           member_handle, &error));
  g_assert_no_error(error);
  ppm_api_open(api, &request, NULL, on_opened, &opened);
  g_assert_true(ppm_test_wait_for(&opened.done, 30000));
  return opened.session_id;
}

/* The model's newest session as the platform lists it. */
static PpmPage *
newest_session(PpmApi *api)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  PpmPage *sessions;

  ppm_api_list_sessions(api, 1, NULL, NULL, ppm_test_store_result, &result);
  sessions = ppm_api_list_finish(api, ppm_test_await(&result), &error);
  g_assert_no_error(error);
  g_assert_cmpuint(sessions->items->len, ==, 1);
  return sessions;
}

static void
test_resends_journaled_close(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-recovery-XXXXXX", NULL);
  g_autofree char *csid = g_uuid_string_random();
  g_autofree char *handle = ppm_test_member_handle(0);
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmJournal) journal = ppm_journal_open(dir, &error);
  g_autoptr(PpmPage) sessions = NULL;
  g_autofree char *session_id = NULL;
  PpmSessionItem *newest;
  PpmJournalRecovery counts;
  gboolean charged = FALSE;

  /* Unloaded mid-call: one charge confirmed, the close journaled, never answered. */
  session_id = open_unconfirmed(api, journal, csid, handle);
  g_assert_true(ppm_journal_opened(journal, csid, session_id, 20, &error));
  ppm_api_charge(api, session_id, 0, 1000, NULL, on_charged, &charged);
  g_assert_true(ppm_test_wait_for(&charged, 30000));
  g_assert_true(
      ppm_journal_charge_confirmed(journal, csid, 0, 1000, PPM_TEST_RATE_MINOR, "USD", &error));
  g_assert_true(ppm_journal_close_requested(journal, csid, "plugin_unloaded", 1500, &error));

  counts = recover(journal);
  g_assert_cmpuint(counts.closed, ==, 1);
  g_assert_cmpint(ppm_journal_get_closed_periods(journal, csid, &error), ==, 1);

  /* The platform got the original reason, not client_restart. */
  sessions = newest_session(api);
  newest = sessions->items->pdata[0];
  g_assert_cmpstr(newest->session_id, ==, session_id);
  g_assert_cmpstr(newest->reason, ==, "plugin_unloaded");
  g_assert_cmpint(newest->periods_charged, ==, 1);
  g_clear_pointer(&journal, ppm_journal_free);
  ppm_test_remove_tree(dir);
}

/* GET /v1/me for member `n`: its balance and the part not held. */
static void
member_funds(guint n, gint64 *balance, gint64 *available)
{
  g_autofree char *email = ppm_test_member_email(n);
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, email);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PpmMe) me = NULL;

  ppm_api_me(api, NULL, ppm_test_store_result, &result);
  me = ppm_api_me_finish(api, ppm_test_await(&result), &error);
  g_assert_no_error(error);
  g_assert_true(me->has_available);
  *balance = me->balance.minor;
  *available = me->available.minor;
}

static void
test_unconfirmed_open_releases_hold(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-recovery-XXXXXX", NULL);
  g_autofree char *csid = g_uuid_string_random();
  g_autofree char *handle = ppm_test_member_handle(1);
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmJournal) journal = ppm_journal_open(dir, &error);
  g_autoptr(PpmPage) sessions = NULL;
  g_autofree char *session_id = NULL;
  gint64 balance_before, balance, available;
  PpmSessionItem *newest;
  PpmJournalRecovery counts;

  member_funds(1, &balance_before, &available);
  g_assert_cmpint(available, ==, balance_before);

  /* The platform opened it and reserved a hold; its answer never reached the journal. */
  session_id = open_unconfirmed(api, journal, csid, handle);
  member_funds(1, &balance, &available);
  g_assert_cmpint(available, <, balance);

  counts = recover(journal);
  g_assert_cmpuint(counts.closed, ==, 1);
  g_assert_cmpuint(counts.forgotten, ==, 0);
  g_assert_cmpuint(counts.pending, ==, 0);
  g_assert_cmpint(ppm_journal_get_closed_periods(journal, csid, &error), ==, 0);
  g_assert_no_error(error);

  /* The hold is released and nothing was charged. */
  member_funds(1, &balance, &available);
  g_assert_cmpint(available, ==, balance);
  g_assert_cmpint(balance, ==, balance_before);
  sessions = newest_session(api);
  newest = sessions->items->pdata[0];
  g_assert_cmpstr(newest->session_id, ==, session_id);
  g_assert_cmpstr(newest->reason, ==, "client_restart");
  g_clear_pointer(&journal, ppm_journal_free);
  ppm_test_remove_tree(dir);
}

static void
test_refused_reopen_is_forgotten(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-recovery-XXXXXX", NULL);
  g_autofree char *csid = g_uuid_string_random();
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmJournal) journal = ppm_journal_open(dir, &error);
  g_autoptr(GPtrArray) unfinished = NULL;
  PpmJournalRecovery counts;

  /* Not a member: the open again is a final 404, so the platform holds nothing. */
  g_assert_true(ppm_journal_open_requested(journal, csid, "prpl-jabber", PPM_TEST_MODEL_HANDLE,
                                           "nobody@localhost", &error));
  counts = recover(journal);
  g_assert_cmpuint(counts.forgotten, ==, 1);
  g_assert_cmpuint(counts.closed, ==, 0);
  g_assert_cmpuint(counts.pending, ==, 0);
  unfinished = ppm_journal_list_unfinished(journal, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(unfinished->len, ==, 0);
  g_clear_pointer(&journal, ppm_journal_free);
  ppm_test_remove_tree(dir);
}

/* Journals an open of `csid` the platform confirmed; returns its session_id. */
static char *
open_confirmed(PpmApi *api, PpmJournal *journal, const char *csid, const char *member_handle)
{
  g_autoptr(GError) error = NULL;
  char *session_id = open_unconfirmed(api, journal, csid, member_handle);

  g_assert_true(ppm_journal_opened(journal, csid, session_id, 0, &error));
  g_assert_no_error(error);
  return session_id;
}

/* A call of this run is neither closed nor superseded by the recovery of an
 * unconfirmed open of the same pair; the previous run's other session is. */
static void
test_skips_live_calls(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-recovery-XXXXXX", NULL);
  g_autofree char *live_csid = g_uuid_string_random();
  g_autofree char *old_csid = g_uuid_string_random();
  g_autofree char *unconfirmed_csid = g_uuid_string_random();
  g_autofree char *handle0 = ppm_test_member_handle(0);
  g_autofree char *handle1 = ppm_test_member_handle(1);
  g_autoptr(PpmApi) api = ppm_test_platform_sign_in(platform, PPM_TEST_MODEL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmJournal) journal = ppm_journal_open(dir, &error);
  g_autoptr(GHashTable) live = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) unfinished = NULL;
  g_autofree char *live_id = NULL;
  g_autofree char *old_id = NULL;
  PpmJournalRecovery counts;
  gboolean charged = FALSE;

  /* Left by the previous run: an open never posted for member 0, and an open
   * session of member 1; then this run's call with member 0 starts. */
  g_assert_true(ppm_journal_open_requested(journal, unconfirmed_csid, "prpl-jabber",
                                           PPM_TEST_MODEL_HANDLE, handle0, &error));
  old_id = open_confirmed(api, journal, old_csid, handle1);
  live_id = open_confirmed(api, journal, live_csid, handle0);
  g_hash_table_add(live, live_csid);

  counts = recover_skipping(journal, live);
  g_assert_cmpuint(counts.skipped, ==, 1);
  g_assert_cmpuint(counts.closed, ==, 1);
  g_assert_cmpuint(counts.forgotten, ==, 1);
  g_assert_cmpuint(counts.pending, ==, 0);
  g_assert_cmpint(ppm_journal_get_closed_periods(journal, old_csid, &error), ==, 0);
  g_assert_no_error(error);
  unfinished = ppm_journal_list_unfinished(journal, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(unfinished->len, ==, 1);
  g_assert_cmpstr(((PpmJournalSession *)unfinished->pdata[0])->client_session_id, ==, live_csid);

  /* The live session is still open on the platform: it takes a charge. */
  ppm_api_charge(api, live_id, 0, 1000, NULL, on_charged, &charged);
  g_assert_true(ppm_test_wait_for(&charged, 30000));

  /* Without the skip list it is closed like any other. */
  counts = recover(journal);
  g_assert_cmpuint(counts.closed, ==, 1);
  g_assert_cmpuint(counts.skipped, ==, 0);
  g_clear_pointer(&journal, ppm_journal_free);
  ppm_test_remove_tree(dir);
}

int
main(int argc, char **argv)
{
  const char *const args[] = { "--period-seconds", "1", "--hold-periods", "10", NULL };
  int status;

  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/recovery/child", bill_until_killed);
  if (g_test_subprocess())
    return g_test_run();
  g_test_add_func("/client/recovery/killed-before-journal", test_killed_before_journal);
  g_test_add_func("/client/recovery/killed-after-journal", test_killed_after_journal);
  g_test_add_func("/client/recovery/resends-journaled-close", test_resends_journaled_close);
  g_test_add_func("/client/recovery/unconfirmed-open-releases-hold",
                  test_unconfirmed_open_releases_hold);
  g_test_add_func("/client/recovery/refused-reopen-is-forgotten", test_refused_reopen_is_forgotten);
  g_test_add_func("/client/recovery/skips-live-calls", test_skips_live_calls);
  platform = ppm_test_platform_new(args, 2);
  status = g_test_run();
  ppm_test_platform_free(platform);
  return status;
}
