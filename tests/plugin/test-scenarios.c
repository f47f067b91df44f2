/* Acceptance scenarios: real Jingle calls between ppm-sim processes over a
 * private Prosody, the plugin loaded into the model, a real ppm-server with
 * 2 s periods.  Expected figures come from the model's own event times. */
#include "call-lab.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#define PERIOD_S 2.0
#define OFFSET_S 1.0

static const char *const server_args[] = { "--period-seconds", "2", NULL };

/* docs/billing-rules.md#timeline: a call that ends e seconds after t0 owes every charge due at or
 * before e (due at offset + k·period). */
static guint
charges_due(double elapsed)
{
  if (elapsed < OFFSET_S)
    return 0;
  return (guint)floor((elapsed - OFFSET_S) / PERIOD_S) + 1;
}

static char *
balance(CallLab *lab, const char *user)
{
  g_autofree char *email = g_strdup_printf("%s@example.org", user);
  return call_lab_admin(lab, NULL, "balance", "--email", email, NULL);
}

static LabSession *
only_session(CallLab *lab, const char *user, GPtrArray **keep)
{
  *keep = call_lab_sessions(lab, user);
  g_assert_cmpuint((*keep)->len, ==, 1);
  return g_ptr_array_index(*keep, 0);
}

/* Waits until the model's only session is closed; returns it. */
static LabSession *
closed_session(CallLab *lab, GPtrArray **keep, double timeout_s)
{
  double deadline = call_lab_now() + timeout_s;
  for (;;)
    {
      g_clear_pointer(keep, g_ptr_array_unref);
      *keep = call_lab_sessions(lab, "model");
      if ((*keep)->len == 1 && ((LabSession *)g_ptr_array_index(*keep, 0))->reason != NULL)
        return g_ptr_array_index(*keep, 0);
      g_assert_cmpfloat(call_lab_now(), <, deadline);
      call_lab_run(0.2);
    }
}

/* Sleeps until `t0 + offset` on the monotonic clock. */
static void
run_until(double t0, double offset)
{
  double left = t0 + offset - call_lab_now();
  if (left > 0)
    call_lab_run(left);
}

static void
assert_ledger_balanced(CallLab *lab)
{
  g_autofree char *verify = call_lab_admin(lab, NULL, "verify", NULL);
  g_assert_cmpstr(verify, ==, "ok");
}

/* Starts a lab with a model (rate 2.00) linked to `handle` (NULL: to
 * none) and, when `funds` is set, a member. */
static CallLab *
lab_start_linked(const char *const *args, const char *handle, const char *funds)
{
  g_autoptr(GError) error = NULL;
  CallLab *lab = call_lab_new(args, &error);
  g_assert_no_error(error);
  call_lab_add_model_linked(lab, "model", "2.00", handle);
  if (funds != NULL)
    call_lab_add_member(lab, "member", funds);
  return lab;
}

static CallLab *
lab_start(const char *const *args, const char *funds)
{
  return lab_start_linked(args, "model@localhost", funds);
}

/* A model's sim with the plugin, signed in to XMPP and the platform. */
static SimProc *
model_start_as(CallLab *lab, const char *user, const char *const *extra)
{
  SimProc *model = call_lab_model(lab, user, extra);
  g_assert_nonnull(sim_wait(model, "signed-on", NULL, NULL, 20));
  /* The platform sign-in runs at load; give it a moment before the call. */
  call_lab_run(0.5);
  return model;
}

static SimProc *
model_start(CallLab *lab, const char *const *extra)
{
  return model_start_as(lab, "model", extra);
}

/* (1) A funded member calls, the model answers, the member hangs up after
 * about three periods. */
/* The member of a funded call (20.00, 2.00 a minute) hung up after about
 * three periods: every minute due by the model's end was charged once, in
 * the chat and on the platform.  Returns the model's "ended" event and sets
 * *due to the charges due. */
static const SimEvent *
assert_billed_to_remote_hangup(CallLab *lab, SimProc *model, const SimEvent *connected, guint *due)
{
  const SimEvent *ended = sim_wait(model, "ended", NULL, NULL, 30);
  g_assert_nonnull(ended);
  g_assert_cmpstr(sim_event_get(ended, "who"), ==, "remote");
  g_assert_nonnull(sim_wait(model, "chat-system", "Call summary", NULL, 10));
  *due = charges_due(ended->t - connected->t);
  /* About three periods, as the model saw the call (its CONNECTED may lag
   * the member's by seconds under load). */
  g_assert_cmpuint(*due, >=, 3);

  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, *due);
  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = only_session(lab, "model", &sessions);
  g_assert_cmpstr(session->reason, ==, "remote_hangup");
  g_assert_cmpint(session->periods_charged, ==, *due);
  g_autofree char *left = balance(lab, "member");
  g_autofree char *want = g_strdup_printf("%d.00 USD", 20 - 2 * (int)*due);
  g_assert_cmpstr(left, ==, want);
  return ended;
}

static void
test_funded_call(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  const char *const model_args[] = { "--pref=/plugins/core/ppm/notify_member=true", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  const char *const member_args[] = { "--hangup-after=8.5", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  guint due;
  const SimEvent *ended = assert_billed_to_remote_hangup(lab, model, connected, &due);

  /* The rate before billing started, the total afterwards. */
  const SimEvent *rate
      = sim_wait(member, "chat-received", "This call costs $2.00 per minute", NULL, 1);
  g_assert_nonnull(rate);
  const SimEvent *first_charge = sim_wait(model, "chat-system", "Charged ", NULL, 1);
  g_assert_cmpfloat(rate->t, <, first_charge->t);
  const SimEvent *total = sim_wait(member, "chat-received", "Thank you for the call", NULL, 10);
  g_assert_nonnull(total);
  g_assert_nonnull(strstr(sim_event_get(total, "text"), "/rate"));
  g_assert_cmpfloat(total->t, >, ended->t);
  /* notify_member: one notice per charge. */
  g_assert_cmpuint(sim_count(member, "chat-received", "Charged $2.00 for minute "), ==, due);
  assert_ledger_balanced(lab);
}

/* A funded audio and video call, billed like an audio one: the model's
 * process sees GStreamer as installed (SRTP, libav) and the plugin keeps
 * its calls working. */
static void
test_funded_video_call(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  g_autoptr(SimProc) model = model_start(lab, NULL);
  const char *const member_args[] = { "--video", "--hangup-after=8.5", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  guint from = 0;
  const SimEvent *connected = sim_wait(model, "connected", NULL, &from, 30);
  g_assert_nonnull(connected);
  /* Both sessions up, decoded audio and video on both sides. */
  g_assert_nonnull(sim_wait(model, "connected", NULL, &from, 10));
  for (guint i = 0; i < 2; i++)
    {
      SimProc *side = i == 0 ? model : member;
      guint seen = 0;
      gboolean audio = FALSE, video = FALSE;
      while (!audio || !video)
        {
          const SimEvent *media = sim_wait(side, "media-received", NULL, &seen, 10);
          g_assert_nonnull(media);
          audio |= g_strcmp0(sim_event_get(media, "kind"), "audio") == 0;
          video |= g_strcmp0(sim_event_get(media, "kind"), "video") == 0;
        }
    }
  guint due;
  assert_billed_to_remote_hangup(lab, model, connected, &due);
  assert_ledger_balanced(lab);
}

/* The model's XMPP connection drops mid-call (Prosody closes its stream):
 * billing ends local_disconnect with what was due by then, nothing is
 * charged afterwards, the chat says why and the status names the account
 * that went offline. */
static void
test_model_connection_dropped(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  const char *const model_args[] = { "--survive-disconnect", "--plugin-action=Status@16", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  const char *const member_args[] = { "--hangup-after=40", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  g_assert_nonnull(sim_wait(model, "chat-system", "Charged $2.00 — minute 1", NULL, 5));
  call_lab_run(2.5);
  call_lab_xmpp_drop(lab, "model@localhost/m");
  g_assert_nonnull(sim_wait(model, "connection-error", NULL, NULL, 10));
  const SimEvent *ended
      = sim_wait(model, "chat-system", "Call ended: your IM account was disconnected", NULL, 10);
  g_assert_nonnull(ended);
  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = closed_session(lab, &sessions, 10);
  g_assert_cmpstr(session->reason, ==, "local_disconnect");
  guint due = charges_due(ended->t - connected->t);
  g_assert_cmpint(session->periods_charged, ==, due);
  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, due);

  /* Three periods later: nothing more charged, the balance as it was. */
  call_lab_run(3 * PERIOD_S);
  g_clear_pointer(&sessions, g_ptr_array_unref);
  session = only_session(lab, "model", &sessions);
  g_assert_cmpint(session->periods_charged, ==, due);
  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, due);
  g_autofree char *left = balance(lab, "member");
  g_autofree char *want = g_strdup_printf("%d.00 USD", 20 - 2 * (int)due);
  g_assert_cmpstr(left, ==, want);

  /* Signed in to the platform, but the linked account is offline. */
  const SimEvent *status = sim_wait(model, "notify", "Not connected / ", NULL, 20);
  g_assert_nonnull(status);
  g_assert_nonnull(
      strstr(sim_event_get(status, "text"), "Linked account model@localhost is offline."));
  assert_ledger_balanced(lab);
}

/* An unanswered call is declined after ring_timeout_seconds. */
static void
test_ring_timeout(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  const char *const model_args[]
      = { "--pref=/plugins/core/ppm/ring_timeout_seconds=3", "--no-answer", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", NULL);

  const SimEvent *incoming = sim_wait(model, "call-incoming", NULL, NULL, 30);
  g_assert_nonnull(incoming);
  const SimEvent *why
      = sim_wait(model, "chat-system", "Call ended: the call was not answered in time", NULL, 10);
  g_assert_nonnull(why);
  /* The model's ring started after the member's "calling", and its
   * "call-incoming" line comes after the plugin saw the call. */
  const SimEvent *calling = sim_wait(member, "calling", NULL, NULL, 1);
  g_assert_nonnull(calling);
  g_assert_cmpfloat(why->t - calling->t, >=, 3.0);
  g_assert_cmpfloat(why->t - incoming->t, <, 3.5);
  const SimEvent *member_end = sim_wait(member, "ended", NULL, NULL, 5);
  g_assert_nonnull(member_end);
  g_assert_cmpstr(sim_event_get(member_end, "connected"), ==, "0");
  g_autoptr(GPtrArray) sessions = call_lab_sessions(lab, "model");
  g_assert_cmpuint(sessions->len, ==, 0);
}

/* (2) A member funded for two periods: seq 2 is refused, the plugin ends
 * the call and says why. */
static void
test_funds_run_out(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "4.00");
  g_autoptr(SimProc) model = model_start(lab, NULL);
  const char *const member_args[] = { "--hangup-after=30", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  g_assert_nonnull(sim_wait(model, "chat-system", "Last paid minute", NULL, 10));
  const SimEvent *why = sim_wait(model, "chat-system",
                                 "Call ended: the member no longer has enough funds", NULL, 15);
  g_assert_nonnull(why);
  /* Within a second of seq 2's due time. */
  double due2 = connected->t + OFFSET_S + 2 * PERIOD_S;
  g_assert_cmpfloat(why->t, >=, due2 - 0.1);
  g_assert_cmpfloat(why->t, <, due2 + 1.0);
  const SimEvent *member_end = sim_wait(member, "ended", NULL, NULL, 5);
  g_assert_nonnull(member_end);
  g_assert_cmpstr(sim_event_get(member_end, "who"), ==, "remote");
  g_assert_nonnull(sim_wait(model, "chat-system", "Call summary", NULL, 10));

  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, 2);
  g_autofree char *left = balance(lab, "member");
  g_assert_cmpstr(left, ==, "0.00 USD");
  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = only_session(lab, "model", &sessions);
  g_assert_cmpstr(session->reason, ==, "insufficient_funds");
  g_assert_cmpint(session->periods_charged, ==, 2);
  assert_ledger_balanced(lab);
}

/* (7) A caller who is not a member, auto_decline on: rejected, nothing billed. */
static void
test_non_member_declined(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, NULL);
  /* A model looks at the banner before answering. */
  const char *const model_args[]
      = { "--pref=/plugins/core/ppm/auto_decline=true", "--answer-after=2", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  /* XMPP user "member" exists, but no platform account is linked to it. */
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", NULL);

  g_assert_nonnull(sim_wait(model, "chat-system",
                            "Incoming call from member@localhost: not a member", NULL, 30));
  g_assert_nonnull(sim_wait(model, "chat-system", "Call from member@localhost declined", NULL, 5));
  const SimEvent *member_end = sim_wait(member, "ended", NULL, NULL, 10);
  g_assert_nonnull(member_end);
  g_assert_cmpstr(sim_event_get(member_end, "connected"), ==, "0");
  g_assert_cmpuint(sim_count(model, "connected", NULL), ==, 0);
  g_autoptr(GPtrArray) sessions = call_lab_sessions(lab, "model");
  g_assert_cmpuint(sessions->len, ==, 0);
}

/* A member with no funds at all calls and the model accepts: the call ends
 * at once, the member is told why in one line, and the model's chat does
 * not say the member "no longer" has enough funds. */
static void
test_unfunded_caller_told(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, NULL);
  call_lab_add_member(lab, "member", NULL);
  g_autoptr(SimProc) model = model_start(lab, NULL);
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", NULL);

  g_assert_nonnull(sim_wait(model, "connected", NULL, NULL, 30));
  g_assert_nonnull(sim_wait(model, "chat-system",
                            "Call ended: the member's balance does not cover one minute", NULL,
                            10));
  const SimEvent *told = sim_wait(member, "chat-received", "This call could not start: ", NULL, 10);
  g_assert_nonnull(told);
  g_assert_nonnull(strstr(sim_event_get(told, "text"), "your balance does not cover one minute"));
  const SimEvent *member_end = sim_wait(member, "ended", NULL, NULL, 10);
  g_assert_nonnull(member_end);
  g_assert_cmpstr(sim_event_get(member_end, "who"), ==, "remote");
  call_lab_run(1.0);
  g_assert_cmpuint(sim_count(member, "chat-received", "This call could not start: "), ==, 1);
  g_assert_cmpuint(sim_count(model, "chat-system", "Call ended: the member no longer"), ==, 0);
  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, 0);
  g_autofree char *left = balance(lab, "member");
  g_assert_cmpstr(left, ==, "0.00 USD");
  assert_ledger_balanced(lab);
}

/* The platform answers the model's sign-in only after the call rings: the
 * banner first says "signed out", then, once signed in, what billing does,
 * before the model accepts; the call is billed. */
static void
test_signed_in_while_ringing(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  ppm_test_server_pause(lab->server);
  const char *const model_args[] = { "--answer-after=6", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  const char *const member_args[] = { "--hangup-after=4.5", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  guint from = 0;
  const SimEvent *first = sim_wait(model, "chat-system", "Incoming call from ", &from, 30);
  g_assert_nonnull(first);
  g_assert_nonnull(strstr(sim_event_get(first, "text"), "not billing: signed out"));
  call_lab_run(1.0);
  ppm_test_server_resume(lab->server);
  const SimEvent *again = sim_wait(model, "chat-system", "Incoming call from ", &from, 10);
  g_assert_nonnull(again);
  g_assert_nonnull(strstr(sim_event_get(again, "text"), "funded member"));

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  g_assert_cmpfloat(again->t, <, connected->t);
  g_assert_cmpuint(sim_count(model, "chat-system", "Incoming call from "), ==, 2);
  g_assert_nonnull(sim_wait(model, "ended", NULL, NULL, 30));
  g_assert_nonnull(sim_wait(model, "chat-system", "Call summary", NULL, 10));
  guint charged = sim_count(model, "chat-system", "Charged ");
  g_assert_cmpuint(charged, >=, 1);
  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = only_session(lab, "model", &sessions);
  g_assert_cmpstr(session->reason, ==, "remote_hangup");
  g_assert_cmpint(session->periods_charged, ==, charged);
  assert_ledger_balanced(lab);
}

/* (8) The plugin is unloaded mid-call: the session closes plugin_unloaded,
 * the call goes on unbilled. */
static void
test_unloaded_mid_call(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  /* Counted from the plugin's load: the call is up by then. */
  const char *const model_args[] = { "--unload-after=8", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  const char *const member_args[] = { "--hangup-after=14", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  const SimEvent *unbilled
      = sim_wait(model, "chat-system", "Not charging: the billing plugin was unloaded", NULL, 15);
  g_assert_nonnull(unbilled);
  g_assert_nonnull(sim_wait(model, "plugin-unloaded", NULL, NULL, 5));
  /* The call itself goes on until the member hangs up. */
  const SimEvent *ended = sim_wait(model, "ended", NULL, NULL, 15);
  g_assert_nonnull(ended);
  g_assert_cmpstr(sim_event_get(ended, "who"), ==, "remote");
  g_assert_cmpfloat(ended->t - unbilled->t, >, 3.0);

  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = only_session(lab, "model", &sessions);
  g_assert_cmpstr(session->reason, ==, "plugin_unloaded");
  guint due = charges_due(unbilled->t - connected->t);
  g_assert_cmpint(session->periods_charged, ==, due);
  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, due);
  assert_ledger_balanced(lab);
}

/* (8) Unloaded while the platform is down: the close is journaled, and the
 * next start sends it with its own reason. */
static void
test_unload_close_resent(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  const char *const model_args[] = { "--unload-after=8", NULL };
  SimProc *model = model_start(lab, model_args);
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", NULL);

  g_assert_nonnull(sim_wait(model, "connected", NULL, NULL, 30));
  g_assert_nonnull(sim_wait(model, "chat-system", "Charged $2.00 — minute 1", NULL, 5));
  ppm_test_server_kill(lab->server);
  g_assert_nonnull(
      sim_wait(model, "chat-system", "Not charging: the billing plugin was unloaded", NULL, 15));
  guint charged = sim_count(model, "chat-system", "Charged ");
  sim_stop(model);
  sim_free(model);

  g_autoptr(GError) error = NULL;
  g_assert_true(ppm_test_server_restart(lab->server, &error));
  g_assert_no_error(error);
  g_autoptr(SimProc) again = model_start(lab, NULL);
  GPtrArray *sessions = NULL;
  LabSession *session = closed_session(lab, &sessions, 20);
  g_assert_cmpstr(session->reason, ==, "plugin_unloaded");
  g_assert_cmpint(session->periods_charged, ==, charged);
  g_ptr_array_unref(sessions);
  assert_ledger_balanced(lab);
}

/* The opening of both outage scenarios: a member (who hangs up
 * `hangup_after` s after connecting) calls the model, the first charge goes
 * through, and half a second later the platform is killed (kill -9).
 * Returns the model's "connected". */
static const SimEvent *
start_call_then_kill_platform(CallLab *lab, SimProc **model, SimProc **member, double hangup_after)
{
  *model = model_start(lab, NULL);
  g_autofree char *hangup = g_strdup_printf("--hangup-after=%g", hangup_after);
  const char *const member_args[] = { hangup, NULL };
  *member = call_lab_member(lab, "member", "model", member_args);

  const SimEvent *connected = sim_wait(*model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  g_assert_nonnull(sim_wait(*model, "chat-system", "Charged $2.00 — minute 1", NULL, 5));
  call_lab_run(0.5);
  ppm_test_server_kill(lab->server);
  return connected;
}

/* (3a) The platform is killed mid-call and back after about one period:
 * "Not charging", then "Charging resumed" and catch-up, each period once. */
static void
test_platform_outage_recovered(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  g_autoptr(SimProc) model = NULL;
  g_autoptr(SimProc) member = NULL;
  const SimEvent *connected = start_call_then_kill_platform(lab, &model, &member, 12);
  g_assert_nonnull(sim_wait(model, "chat-system", "Not charging", NULL, 5));
  call_lab_run(connected->t + 1.5 + 2 * PERIOD_S - call_lab_now());
  g_autoptr(GError) error = NULL;
  g_assert_true(ppm_test_server_restart(lab->server, &error));
  g_assert_no_error(error);
  g_assert_nonnull(sim_wait(model, "chat-system", "Charging resumed", NULL, 20));

  const SimEvent *ended = sim_wait(model, "ended", NULL, NULL, 20);
  g_assert_nonnull(ended);
  g_assert_nonnull(sim_wait(model, "chat-system", "Call summary", NULL, 20));
  guint due = charges_due(ended->t - connected->t);
  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, due);
  for (guint k = 1; k <= due; k++)
    {
      g_autofree char *line = g_strdup_printf("Charged $2.00 — minute %u,", k);
      g_assert_cmpuint(sim_count(model, "chat-system", line), ==, 1);
    }
  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = only_session(lab, "model", &sessions);
  g_assert_cmpint(session->periods_charged, ==, due);
  g_autofree char *left = balance(lab, "member");
  g_autofree char *want = g_strdup_printf("%d.00 USD", 20 - 2 * (int)due);
  g_assert_cmpstr(left, ==, want);
  assert_ledger_balanced(lab);
}

/* (3b) The platform stays down longer than the hold secures: the call ends
 * unbilled_too_long within 1 s after the first unsecured charge falls due. */
static void
test_platform_outage_too_long(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  g_autoptr(SimProc) model = NULL;
  g_autoptr(SimProc) member = NULL;
  const SimEvent *connected = start_call_then_kill_platform(lab, &model, &member, 60);
  /* The hold secured 2 periods (seq 1 and 2); seq 3 is the first unsecured. */
  const SimEvent *why = sim_wait(
      model, "chat-system", "Call ended: the platform could not secure the next minute", NULL, 15);
  g_assert_nonnull(why);
  double due3 = connected->t + OFFSET_S + 3 * PERIOD_S;
  g_assert_cmpfloat(why->t, >=, due3 - 0.1);
  /* docs/billing-rules.md#insufficient-funds: 1 s; 0.1 s more for the line to reach the test. */
  g_assert_cmpfloat(why->t, <=, due3 + 1.1);
  const SimEvent *member_end = sim_wait(member, "ended", NULL, NULL, 5);
  g_assert_nonnull(member_end);
  g_assert_cmpstr(sim_event_get(member_end, "who"), ==, "remote");

  g_autoptr(GError) error = NULL;
  g_assert_true(ppm_test_server_restart(lab->server, &error));
  g_assert_no_error(error);
  g_assert_nonnull(sim_wait(model, "chat-system", "Call summary", NULL, 30));
  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = only_session(lab, "model", &sessions);
  g_assert_cmpstr(session->reason, ==, "unbilled_too_long");
  assert_ledger_balanced(lab);
}

/* (4) The member's process is killed: the call ends within 2 s of its
 * offline presence, and nothing is charged after its last RTP. */
static void
test_member_killed(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  g_autoptr(SimProc) model = model_start(lab, NULL);
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", NULL);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  run_until(connected->t, 4.0);
  double killed = call_lab_now();
  sim_signal(member, SIGKILL);
  const SimEvent *offline = sim_wait(model, "buddy-signed-off", NULL, NULL, 10);
  g_assert_nonnull(offline);
  const SimEvent *why
      = sim_wait(model, "chat-system", "Call ended: the member went offline", NULL, 10);
  g_assert_nonnull(why);
  g_assert_cmpfloat(why->t - offline->t, <, 2.0);

  GPtrArray *sessions = NULL;
  LabSession *session = closed_session(lab, &sessions, 15);
  g_assert_cmpstr(session->reason, ==, "peer_offline");
  guint due = charges_due(killed - connected->t);
  g_assert_cmpint(session->periods_charged, ==, due);
  g_autofree char *left = balance(lab, "member");
  g_autofree char *want = g_strdup_printf("%d.00 USD", 20 - 2 * (int)due);
  g_assert_cmpstr(left, ==, want);
  g_ptr_array_unref(sessions);
  assert_ledger_balanced(lab);
}

static const char *const hold_server_args[]
    = { "--period-seconds", "2", "--hold-periods", "10", NULL };

/* (5) The member freezes (SIGSTOP): no RTP, no answer to pings; the call
 * ends no_media and what fell due after the last RTP is not kept. */
static void
test_member_frozen(void)
{
  g_autoptr(CallLab) lab = lab_start(hold_server_args, "40.00");
  g_autoptr(SimProc) model = model_start(lab, NULL);
  const char *const member_args[] = { "--freeze-after=4", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  const SimEvent *frozen = sim_wait(member, "frozen", NULL, NULL, 10);
  g_assert_nonnull(frozen);
  const SimEvent *why = sim_wait(
      model, "chat-system", "Call ended: no sound or video from the member any more", NULL, 30);
  g_assert_nonnull(why);
  /* 2 s without RTP before the first ping, which then has no answer for 10 s. */
  g_assert_cmpfloat(why->t - frozen->t, >=, 11.5);
  g_assert_cmpfloat(why->t - frozen->t, <, 14.0);

  GPtrArray *sessions = NULL;
  LabSession *session = closed_session(lab, &sessions, 15);
  g_assert_cmpstr(session->reason, ==, "no_media");
  guint due = charges_due(frozen->t - connected->t);
  g_autofree char *left = balance(lab, "member");
  g_autofree char *want = g_strdup_printf("%d.00 USD", 40 - 2 * (int)due);
  g_assert_cmpstr(left, ==, want);
  g_ptr_array_unref(sessions);
  assert_ledger_balanced(lab);
}

/* (5) A muted member who puts the call on hold is billed as usual and the
 * call is not ended: RTCP and ping answers go on. */
static void
test_member_muted_on_hold(void)
{
  g_autoptr(CallLab) lab = lab_start(hold_server_args, "40.00");
  g_autoptr(SimProc) model = model_start(lab, NULL);
  const char *const member_args[]
      = { "--silence", "--hold-after=2.5", "--hold-for=9", "--hangup-after=14.5", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  g_assert_nonnull(sim_wait(member, "held", NULL, NULL, 10));
  const SimEvent *ended = sim_wait(model, "ended", NULL, NULL, 30);
  g_assert_nonnull(ended);
  g_assert_cmpstr(sim_event_get(ended, "who"), ==, "remote");
  g_assert_cmpuint(sim_count(model, "chat-system", "Call ended"), ==, 0);

  GPtrArray *sessions = NULL;
  LabSession *session = closed_session(lab, &sessions, 15);
  g_assert_cmpstr(session->reason, ==, "remote_hangup");
  guint due = charges_due(ended->t - connected->t);
  g_assert_cmpint(session->periods_charged, ==, due);
  g_assert_cmpuint(sim_count(model, "chat-system", "Charged "), ==, due);
  g_ptr_array_unref(sessions);
  assert_ledger_balanced(lab);
}

/* (6) The model's process is killed mid-call and started again: the session
 * is closed client_restart and nothing more is charged. */
static void
test_model_restarted(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  SimProc *model = model_start(lab, NULL);
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", NULL);

  const SimEvent *connected = sim_wait(model, "connected", NULL, NULL, 30);
  g_assert_nonnull(connected);
  run_until(connected->t, 4.0);
  guint charged = sim_count(model, "chat-system", "Charged ");
  g_assert_cmpuint(charged, ==, 2);
  sim_signal(model, SIGKILL);
  sim_free(model);

  g_autoptr(SimProc) again = model_start(lab, NULL);
  GPtrArray *sessions = NULL;
  LabSession *session = closed_session(lab, &sessions, 20);
  g_assert_cmpstr(session->reason, ==, "client_restart");
  g_assert_cmpint(session->periods_charged, ==, charged);
  /* Nothing is posted for that call any more. */
  call_lab_run(2 * PERIOD_S);
  g_autofree char *left = balance(lab, "member");
  g_autofree char *want = g_strdup_printf("%d.00 USD", 20 - 2 * (int)charged);
  g_assert_cmpstr(left, ==, want);
  g_ptr_array_unref(sessions);
  assert_ledger_balanced(lab);
}

/* (9) Two members call the model at once: each call is billed on its own
 * session, with its charges in its own conversation; the first member hangs
 * up and the other call goes on billed. */
static void
test_two_members_one_model(void)
{
  g_autoptr(CallLab) lab = lab_start(server_args, "20.00");
  call_lab_add_member(lab, "member2", "20.00");
  const char *const model_args[] = { "--max-calls=2", "--peer=member2@localhost/c",
                                     "--pref=/plugins/core/ppm/notify_member=true", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  /* The first member hangs up by a per-peer script, the second by the
   * script of every call. */
  const char *const first_args[] = { "--peer-script=model@localhost:hangup-after=8.5", NULL };
  const char *const second_args[] = { "--hangup-after=16.5", NULL };
  g_autoptr(SimProc) first = call_lab_member(lab, "member", "model", first_args);
  g_autoptr(SimProc) second = call_lab_member(lab, "member2", "model", second_args);
  static const char *const users[] = { "member", "member2" };
  static const char *const handles[] = { "member@localhost", "member2@localhost" };
  SimProc *members[] = { first, second };

  const SimEvent *connected[2], *ended[2];
  for (int i = 0; i < 2; i++)
    {
      connected[i] = sim_wait_for(model, "connected", handles[i], NULL, NULL, 30);
      g_assert_nonnull(connected[i]);
    }
  for (int i = 0; i < 2; i++)
    {
      ended[i] = sim_wait_for(model, "ended", handles[i], NULL, NULL, 30);
      g_assert_nonnull(ended[i]);
      g_assert_cmpstr(sim_event_get(ended[i], "who"), ==, "remote");
      g_assert_nonnull(sim_wait_for(model, "chat-system", handles[i], "Call summary", NULL, 10));
    }
  /* Two calls of the model, both up at once, the first member's over first. */
  g_assert_cmpstr(sim_event_get(connected[0], "call"), !=, sim_event_get(connected[1], "call"));
  g_assert_cmpfloat(connected[1]->t, <, ended[0]->t);
  g_assert_cmpfloat(connected[0]->t, <, ended[1]->t);
  g_assert_cmpfloat(ended[0]->t, <, ended[1]->t);

  for (int i = 0; i < 2; i++)
    {
      guint due = charges_due(ended[i]->t - connected[i]->t);
      g_assert_cmpuint(due, >=, 3);
      g_assert_cmpuint(sim_count_for(model, "chat-system", handles[i], "Charged ", -G_MAXDOUBLE),
                       ==, due);
      g_autoptr(GPtrArray) sessions = NULL;
      LabSession *session = only_session(lab, users[i], &sessions);
      g_assert_cmpstr(session->reason, ==, "remote_hangup");
      g_assert_cmpint(session->periods_charged, ==, due);
      g_autofree char *left = balance(lab, users[i]);
      g_autofree char *want = g_strdup_printf("%d.00 USD", 20 - 2 * (int)due);
      g_assert_cmpstr(left, ==, want);
      /* notify_member: each member hears of their own charges only. */
      g_assert_cmpuint(sim_count(members[i], "chat-received", "Charged $2.00 for minute "), ==,
                       due);
    }
  /* The second call went on billed after the first ended; a charge due just
   * before that end may be written just after it. */
  guint due_after
      = charges_due(ended[1]->t - connected[1]->t) - charges_due(ended[0]->t - connected[1]->t);
  guint charged_after = sim_count_for(model, "chat-system", handles[1], "Charged ", ended[0]->t);
  g_assert_cmpuint(due_after, >=, 2);
  g_assert_cmpuint(charged_after, >=, due_after);
  g_assert_cmpuint(charged_after, <=, due_after + 1);
  g_autoptr(GPtrArray) model_sessions = call_lab_sessions(lab, "model");
  g_assert_cmpuint(model_sessions->len, ==, 2);
  assert_ledger_balanced(lab);
}

/* (9) One member in two calls at once, to two models, funded for a few
 * periods in all: the holds keep the two calls together within the
 * balance, and each call ends when its next charge finds no funds. */
static void
test_one_member_two_models(void)
{
  const int periods_funded = 5;
  g_autofree char *funds = g_strdup_printf("%d.00", 2 * periods_funded);
  g_autoptr(CallLab) lab = lab_start(server_args, funds);
  call_lab_add_model(lab, "model2", "2.00");
  g_autoptr(SimProc) model = model_start(lab, NULL);
  g_autoptr(SimProc) model2 = model_start_as(lab, "model2", NULL);
  /* One client calling both models, as a member in Pidgin would. */
  const char *const member_args[] = { "--peer=model2@localhost/m", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);
  static const char *const users[] = { "model", "model2" };
  static const char *const handles[] = { "model@localhost", "model2@localhost" };
  SimProc *models[] = { model, model2 };
  const char *no_funds = "Call ended: the member no longer has enough funds";

  const SimEvent *connected[2];
  for (int i = 0; i < 2; i++)
    {
      connected[i] = sim_wait(models[i], "connected", NULL, NULL, 30);
      g_assert_nonnull(connected[i]);
    }
  /* Until both calls are over, the balance never goes below zero. */
  const SimEvent *why[2] = { NULL, NULL };
  double deadline = call_lab_now() + 60;
  while (why[0] == NULL || why[1] == NULL)
    {
      g_assert_cmpfloat(call_lab_now(), <, deadline);
      g_autofree char *left = balance(lab, "member");
      g_assert_false(g_str_has_prefix(left, "-"));
      for (int i = 0; i < 2; i++)
        if (why[i] == NULL)
          why[i] = sim_wait(models[i], "chat-system", no_funds, NULL, 0.5);
    }

  int charged_total = 0;
  guint opened = 0;
  for (int i = 0; i < 2; i++)
    {
      const SimEvent *member_end = sim_wait_for(member, "ended", handles[i], NULL, NULL, 5);
      g_assert_nonnull(member_end);
      g_assert_cmpstr(sim_event_get(member_end, "who"), ==, "remote");
      guint charged = sim_count(models[i], "chat-system", "Charged ");
      charged_total += charged;
      if (charged == 0)
        {
          /* The open found no funds left for a hold: refused, call ended. */
          g_assert_cmpfloat(why[i]->t - connected[i]->t, <, 1.0);
          g_autoptr(GPtrArray) none = call_lab_sessions(lab, users[i]);
          g_assert_cmpuint(none->len, ==, 0);
          continue;
        }
      opened++;
      /* Refused at the due time of the seq after the last charge. */
      double due = connected[i]->t + OFFSET_S + charged * PERIOD_S;
      g_assert_cmpfloat(why[i]->t, >=, due - 0.1);
      g_assert_cmpfloat(why[i]->t, <, due + 1.0);
      g_assert_nonnull(sim_wait(models[i], "chat-system", "Call summary", NULL, 10));
      g_autoptr(GPtrArray) sessions = NULL;
      LabSession *session = only_session(lab, users[i], &sessions);
      g_assert_cmpstr(session->reason, ==, "insufficient_funds");
      g_assert_cmpint(session->periods_charged, ==, charged);
    }
  g_assert_cmpuint(opened, >=, 1);
  /* Both calls were up at once. */
  g_assert_cmpfloat(MAX(connected[0]->t, connected[1]->t), <, MIN(why[0]->t, why[1]->t));
  g_assert_cmpint(charged_total, ==, periods_funded);
  g_autofree char *left = balance(lab, "member");
  g_assert_cmpstr(left, ==, "0.00 USD");
  assert_ledger_balanced(lab);
}

#define NOT_LINKED "Account model@localhost is online but not linked to your platform account"

/* Waits for the Status dialog that offers "Link" for the unlinked account. */
static void
assert_status_offers_link(SimProc *model, guint *from)
{
  const SimEvent *status = sim_wait(model, "request", "Not connected / ", from, 20);
  g_assert_nonnull(status);
  g_assert_cmpstr(sim_event_get(status, "kind"), ==, "action");
  g_assert_nonnull(strstr(sim_event_get(status, "text"), NOT_LINKED));
}

/* (User journey, step 4) The model's XMPP account is not linked on the platform: the status
 * says so, the model links it from the plugin, the status turns Connected
 * without a restart, and a funded member's call is billed. */
static void
test_link_im_account(void)
{
  g_autoptr(CallLab) lab = lab_start_linked(server_args, NULL, "20.00");
  const char *const model_args[]
      = { "--plugin-action=Status@2", "--plugin-action=Link IM account…@3:Link",
          "--plugin-action=Status@6", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  guint from = 0;
  assert_status_offers_link(model, &from);

  const SimEvent *ask = sim_wait(
      model, "request", "Link model@localhost (XMPP) to your platform account?", &from, 10);
  g_assert_nonnull(ask);
  g_assert_cmpstr(sim_event_get(ask, "answer"), ==, "Link");
  g_assert_nonnull(sim_wait(model, "notify",
                            "Account linked / model@localhost (XMPP) is now linked", &from, 10));
  g_autofree char *handles = call_lab_handles(lab, "model");
  g_assert_cmpstr(handles, ==, "prpl-jabber model@localhost");
  /* Connected now: a plain notice, no Link to offer. */
  const SimEvent *status
      = sim_wait(model, "notify", "Connected / Connected: model@localhost", &from, 10);
  g_assert_nonnull(status);
  g_assert_null(strstr(sim_event_get(status, "text"), NOT_LINKED));

  const char *const member_args[] = { "--hangup-after=4.5", NULL };
  g_autoptr(SimProc) member = call_lab_member(lab, "member", "model", member_args);
  g_assert_nonnull(sim_wait(model, "connected", NULL, NULL, 30));
  g_assert_nonnull(sim_wait(model, "ended", NULL, NULL, 30));
  g_assert_nonnull(sim_wait(model, "chat-system", "Call summary", NULL, 10));
  guint charged = sim_count(model, "chat-system", "Charged ");
  g_assert_cmpuint(charged, >=, 1);
  g_autoptr(GPtrArray) sessions = NULL;
  LabSession *session = only_session(lab, "model", &sessions);
  g_assert_cmpstr(session->reason, ==, "remote_hangup");
  g_assert_cmpint(session->periods_charged, ==, charged);
  assert_ledger_balanced(lab);
}

/* (Step 4, refused) Another platform account holds the handle: linking from
 * the Status dialog's "Link" says so in words, and nothing changes.  Then,
 * with the platform down, "Link IM account…" says it is unreachable. */
static void
test_link_refused(void)
{
  g_autoptr(CallLab) lab = lab_start_linked(server_args, NULL, NULL);
  call_lab_add_model_linked(lab, "model2", "3.00", "model@localhost");
  const char *const model_args[] = { "--plugin-action=Status@2:Link", "--plugin-action=Status@5",
                                     "--plugin-action=Link IM account…@10:Link", NULL };
  g_autoptr(SimProc) model = model_start(lab, model_args);
  guint from = 0;
  const SimEvent *offer = sim_wait(model, "request", "Not connected / ", &from, 20);
  g_assert_nonnull(offer);
  g_assert_cmpstr(sim_event_get(offer, "answer"), ==, "Link");
  g_assert_nonnull(sim_wait(model, "notify",
                            "The account was not linked. / model@localhost (XMPP) is already "
                            "linked to another platform account.",
                            &from, 10));
  assert_status_offers_link(model, &from);
  g_autofree char *mine = call_lab_handles(lab, "model");
  g_assert_cmpstr(mine, ==, "");
  g_autofree char *theirs = call_lab_handles(lab, "model2");
  g_assert_cmpstr(theirs, ==, "prpl-jabber model@localhost");

  ppm_test_server_kill(lab->server);
  g_assert_nonnull(sim_wait(model, "request", "Link model@localhost (XMPP)", &from, 20));
  g_assert_nonnull(sim_wait(
      model, "notify", "The account was not linked. / The platform is unreachable", &from, 30));
  g_assert_cmpuint(sim_count(model, "notify", "Account linked"), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_autoptr(GError) error = NULL;
  if (!call_lab_enter_netns(&error))
    {
      g_test_skip_printf("%s", error->message);
      return g_test_run();
    }
  g_test_add_func("/plugin/call/funded-call", test_funded_call);
  g_test_add_func("/plugin/call/funded-video-call", test_funded_video_call);
  g_test_add_func("/plugin/call/funds-run-out", test_funds_run_out);
  g_test_add_func("/plugin/call/non-member-declined", test_non_member_declined);
  g_test_add_func("/plugin/call/unfunded-caller-told", test_unfunded_caller_told);
  g_test_add_func("/plugin/call/signed-in-while-ringing", test_signed_in_while_ringing);
  g_test_add_func("/plugin/call/ring-timeout", test_ring_timeout);
  g_test_add_func("/plugin/call/unloaded-mid-call", test_unloaded_mid_call);
  g_test_add_func("/plugin/call/unload-close-resent", test_unload_close_resent);
  g_test_add_func("/plugin/call/platform-outage-recovered", test_platform_outage_recovered);
  g_test_add_func("/plugin/call/platform-outage-too-long", test_platform_outage_too_long);
  g_test_add_func("/plugin/call/member-killed", test_member_killed);
  g_test_add_func("/plugin/call/model-connection-dropped", test_model_connection_dropped);
  g_test_add_func("/plugin/call/member-frozen", test_member_frozen);
  g_test_add_func("/plugin/call/member-muted-on-hold", test_member_muted_on_hold);
  g_test_add_func("/plugin/call/model-restarted", test_model_restarted);
  g_test_add_func("/plugin/call/two-members-one-model", test_two_members_one_model);
  g_test_add_func("/plugin/call/one-member-two-models", test_one_member_two_models);
  g_test_add_func("/plugin/call/link-im-account", test_link_im_account);
  g_test_add_func("/plugin/call/link-refused", test_link_refused);
  return g_test_run();
}
