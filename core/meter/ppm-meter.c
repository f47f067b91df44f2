/* The billing meter (see ppm-meter.h for the rules it keeps).
 *
 * Everything the meter does happens in meter_step(): after every input, answer
 * and timer it looks at the state, posts at most one request, raises the
 * events that are due and arms one timer for the next instant at which
 * something can change.  Handlers may re-enter the meter (end it, free it):
 * meter_step() then runs again once the handler returns, and a reference
 * keeps the meter alive until the outermost call is done.
 */
#include "ppm-meter.h"
#include "ppm-schedule.h"

#include "ppm-log.h"

GQuark
ppm_meter_error_quark(void)
{
  return g_quark_from_static_string("ppm-meter-error-quark");
}

#define ONE_SECOND G_USEC_PER_SEC
/* docs/billing-rules.md#deferred-charges: a charge falling due after this long without RTP
 * (or a ping answer) waits. */
#define MEDIA_GAP_US (5 * G_USEC_PER_SEC)
#define NO_SEQ G_MAXINT64

/* Raises event `name` unless the meter was freed by an earlier handler. */
#define EMIT(self, name, ...)                                                                      \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (!(self)->freed && (self)->events.name != NULL)                                             \
      (self)->events.name((self), __VA_ARGS__, (self)->user_data);                                 \
  }                                                                                                \
  G_STMT_END

typedef enum
{
  REQUEST_NONE,
  REQUEST_OPEN,
  REQUEST_CHARGE,
  REQUEST_CLOSE,
} RequestKind;

struct _PpmMeter
{
  int ref_count;
  gboolean freed;
  gboolean in_step;
  gboolean step_again;

  PpmClock *clock;
  PpmPort port;
  PpmMeterEvents events;
  gpointer user_data;
  char *client_session_id;
  char *protocol;
  char *model_handle;
  char *member_handle;
  gint64 max_unbilled_us;
  double (*random)(gpointer random_data);
  gpointer random_data;

  PpmMeterState state;
  PpmSchedule schedule; /* offset and period from the open answer */
  char *session_id;     /* NULL until the open is confirmed */
  gint64 rate_minor;
  char *currency;
  int secured_periods;
  gint64 total_minor;
  gint64 confirmed; /* charges 0 .. confirmed-1 are confirmed */
  gint64 due_seen;  /* charges 0 .. due_seen-1 were looked at when they fell due */

  /* The one request in flight, and the next post of the head request (the
   * open, then charge `confirmed`, then the close). */
  RequestKind in_flight;
  gint64 in_flight_seq;
  gint64 in_flight_since;
  GCancellable *cancellable;
  gboolean head_failed; /* a post of the head request was not confirmed */
  int failures;         /* consecutive unconfirmed posts, for the backoff */
  gint64 retry_at;      /* no post before this (backoff, Retry-After) */

  gint64 last_rtp;
  gint64 last_alive;
  gint64 deferred_from; /* charges from this seq on wait for media; NO_SEQ: none */

  gboolean started;
  gboolean open_journaled;
  gboolean hangup_sent;
  gboolean last_warned;
  gboolean stopped;        /* billing stopped by a final error */
  gboolean given_up;       /* no further charge will be posted */
  gboolean journal_broken; /* the journal failed: write nothing more */
  gboolean ended;
  gint64 end_us;
  gint64 owed_cap;    /* after the end: charges from this seq on are dropped */
  char *close_reason; /* set once the session must be closed */
  gint64 close_elapsed_ms;
  gboolean close_journaled;
  gboolean closed_sent; /* the closed event was raised */

  guint timer;
  gint64 timer_at;
  guint late_answers;
};

static void meter_step(PpmMeter *self);

static PpmMeter *
meter_ref(PpmMeter *self)
{
  self->ref_count++;
  return self;
}

static void
meter_unref(PpmMeter *self)
{
  if (--self->ref_count > 0)
    return;
  ppm_clock_unref(self->clock);
  g_free(self->client_session_id);
  g_free(self->protocol);
  g_free(self->model_handle);
  g_free(self->member_handle);
  g_free(self->session_id);
  g_free(self->currency);
  g_free(self->close_reason);
  g_free(self);
}

static gint64
meter_now(PpmMeter *self)
{
  return ppm_clock_now_monotonic(self->clock);
}

static gint64
elapsed_ms(PpmMeter *self, gint64 at_us)
{
  return (at_us - self->schedule.t0_us) / 1000;
}

static double
meter_random(PpmMeter *self)
{
  return self->random != NULL ? self->random(self->random_data) : g_random_double();
}

static void
set_state(PpmMeter *self, PpmMeterState state)
{
  if (self->state == state || self->freed)
    return;
  self->state = state;
  EMIT(self, state_changed, state);
}

/* Records `record` through the journal hook.  FALSE once the journal failed
 * (now or before): the caller must not act on the result. */
static gboolean journal_write(PpmMeter *self, PpmJournalRecord *record);

static void
journal_record_init(PpmMeter *self, PpmJournalRecord *record, PpmJournalKind kind)
{
  *record = (PpmJournalRecord){
    .kind = kind,
    .client_session_id = self->client_session_id,
    .protocol = self->protocol,
    .model_handle = self->model_handle,
    .member_handle = self->member_handle,
    .session_id = self->session_id,
    .seq = -1,
    .elapsed_ms = elapsed_ms(self, meter_now(self)),
  };
}

/* The session must be closed with `reason` and `elapsed`; the close goes out
 * once nothing owed remains to post. */
static void
want_close(PpmMeter *self, const char *reason, gint64 elapsed)
{
  if (self->close_reason != NULL)
    return;
  self->close_reason = g_strdup(reason);
  self->close_elapsed_ms = elapsed;
}

/* Raises `closed` once; the meter is CLOSED when the call also ended. */
static void
emit_closed(PpmMeter *self, const PpmOutcome *outcome, const PpmCloseAnswer *answer)
{
  if (self->closed_sent)
    return;
  self->closed_sent = TRUE;
  if (self->ended)
    set_state(self, PPM_METER_STATE_CLOSED);
  EMIT(self, closed, outcome, answer);
}

/* A final error (`outcome`) or a journal failure (NULL): billing stops, the
 * call goes on, an open session is closed with `close_reason`. */
static void
stop_billing(PpmMeter *self, const PpmOutcome *outcome, const char *message,
             PpmEndReason close_reason)
{
  if (self->stopped)
    return;
  self->stopped = TRUE;
  self->given_up = TRUE;
  self->deferred_from = NO_SEQ;
  if (self->session_id != NULL)
    want_close(self, ppm_end_reason_to_string(close_reason),
               elapsed_ms(self, self->ended ? self->end_us : meter_now(self)));
  if (!self->ended)
    set_state(self, PPM_METER_STATE_BILLING_STOPPED);
  EMIT(self, billing_stopped, outcome, message);
}

static gboolean
journal_write(PpmMeter *self, PpmJournalRecord *record)
{
  g_autoptr(GError) error = NULL;

  if (self->journal_broken)
    return FALSE;
  if (self->events.journal == NULL || self->events.journal(self, record, self->user_data, &error))
    return TRUE;
  self->journal_broken = TRUE;
  stop_billing(self, NULL, error != NULL ? error->message : NULL, PPM_END_JOURNAL_ERROR);
  return FALSE;
}

static void
want_hangup(PpmMeter *self, PpmEndReason reason)
{
  if (self->hangup_sent || self->ended)
    return;
  self->hangup_sent = TRUE;
  EMIT(self, hangup_wanted, reason);
}

/* The head request was not confirmed: the same request goes out again after
 * the backoff (or the server's Retry-After, whichever is longer). */
static void
retry_later(PpmMeter *self, const PpmOutcome *outcome)
{
  gint64 cap = PPM_BACKOFF_MAX_US;
  gint64 pause;

  if (self->session_id != NULL)
    cap = MIN(cap, self->schedule.period_us);
  self->head_failed = TRUE;
  self->failures++;
  pause = ppm_schedule_backoff(self->failures, cap, meter_random(self));
  pause = MAX(pause, outcome->retry_after_ms * 1000);
  self->retry_at = meter_now(self) + pause;
}

/* 425: the same request again after Retry-After; not a failure. */
static void
retry_too_early(PpmMeter *self, const PpmOutcome *outcome)
{
  self->retry_at = meter_now(self)
                   + (outcome->retry_after_ms > 0 ? outcome->retry_after_ms * 1000 : ONE_SECOND);
}

static void
confirmed_again(PpmMeter *self)
{
  self->head_failed = FALSE;
  self->failures = 0;
  self->retry_at = 0;
  if (self->state != PPM_METER_STATE_NOT_CHARGING)
    return;
  set_state(self, PPM_METER_STATE_CHARGING);
  if (!self->freed && self->events.charging_resumed != NULL)
    self->events.charging_resumed(self, self->user_data);
}

/* The request in flight has answered. */
static void
request_finish(PpmMeter *self)
{
  self->in_flight = REQUEST_NONE;
  g_clear_object(&self->cancellable);
}

static void
on_open_done(const PpmOutcome *outcome, const PpmOpenAnswer *answer, gpointer user_data)
{
  PpmMeter *self = meter_ref(user_data);

  request_finish(self);
  switch (outcome->kind)
    {
      case PPM_OUTCOME_OK:
        {
          PpmJournalRecord record;

          self->session_id = g_strdup(answer->session_id);
          self->rate_minor = answer->rate_minor;
          self->currency = g_strdup(answer->currency);
          self->schedule.period_us = MAX(answer->period_ms, 1) * 1000;
          self->schedule.offset_us = answer->offset_ms * 1000;
          self->secured_periods = answer->secured_periods;
          journal_record_init(self, &record, PPM_JOURNAL_OPENED);
          if (!journal_write(self, &record))
            break;
          if (self->state == PPM_METER_STATE_OPENING)
            set_state(self, PPM_METER_STATE_CHARGING);
          confirmed_again(self);
          EMIT(self, opened, answer);
          break;
        }
      case PPM_OUTCOME_RETRYABLE:
        retry_later(self, outcome);
        break;
      case PPM_OUTCOME_TOO_EARLY:
        retry_too_early(self, outcome);
        break;
      case PPM_OUTCOME_UNAUTHORIZED:
        stop_billing(self, outcome, outcome->message, PPM_END_SESSION_GONE);
        break;
      case PPM_OUTCOME_FINAL:
        self->given_up = TRUE;
        if (outcome->code == PPM_ERROR_CODE_INSUFFICIENT_FUNDS)
          want_hangup(self, PPM_END_INSUFFICIENT_FUNDS);
        else
          stop_billing(self, outcome, outcome->message, PPM_END_SESSION_GONE);
        break;
    }
  meter_step(self);
  meter_unref(self);
}

/* A charge answer that no longer matters: its charge fell due after the end. */
static gboolean
charge_is_late(PpmMeter *self, gint64 seq)
{
  if (!self->ended || ppm_schedule_due(&self->schedule, seq) <= self->end_us)
    return FALSE;
  self->late_answers++;
  ppm_log_info("Ignoring the answer for charge %" G_GINT64_FORMAT " of session %s: the call ended "
               "before it fell due",
               seq, self->session_id);
  return TRUE;
}

static void
charge_confirmed(PpmMeter *self, const PpmChargeAnswer *answer, gint64 seq)
{
  PpmJournalRecord record;

  journal_record_init(self, &record, PPM_JOURNAL_CHARGE_CONFIRMED);
  record.seq = seq;
  record.periods_charged = seq + 1;
  record.total_minor = answer->total_minor;
  record.currency = answer->currency;
  if (!journal_write(self, &record))
    return;
  self->confirmed = seq + 1;
  self->total_minor = answer->total_minor;
  self->secured_periods = answer->secured_periods;
  confirmed_again(self);
  EMIT(self, charged, answer, seq);
  if (!self->freed && answer->member_balance_periods == 0 && !self->last_warned)
    {
      self->last_warned = TRUE;
      EMIT(self, last_paid_minute, seq);
    }
}

static void
on_charge_done(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  PpmMeter *self = meter_ref(user_data);
  gint64 seq = self->in_flight_seq;

  request_finish(self);
  if (charge_is_late(self, seq))
    ;
  else if (outcome->kind == PPM_OUTCOME_OK)
    charge_confirmed(self, answer, seq);
  else if (outcome->kind == PPM_OUTCOME_RETRYABLE)
    retry_later(self, outcome);
  else if (outcome->kind == PPM_OUTCOME_TOO_EARLY)
    retry_too_early(self, outcome);
  else if (outcome->kind == PPM_OUTCOME_UNAUTHORIZED)
    stop_billing(self, outcome, outcome->message, PPM_END_SESSION_GONE);
  else if (outcome->code == PPM_ERROR_CODE_INSUFFICIENT_FUNDS)
    {
      /* Refused: this charge and every later one will never be taken. */
      self->given_up = TRUE;
      want_hangup(self, PPM_END_INSUFFICIENT_FUNDS);
    }
  else if (ppm_outcome_session_gone(outcome))
    {
      self->given_up = TRUE;
      want_hangup(self, PPM_END_SESSION_GONE);
    }
  else
    stop_billing(self, outcome, outcome->message, PPM_END_SESSION_GONE);
  meter_step(self);
  meter_unref(self);
}

static void
on_close_done(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer user_data)
{
  PpmMeter *self = meter_ref(user_data);

  request_finish(self);
  if (outcome->kind == PPM_OUTCOME_RETRYABLE)
    retry_later(self, outcome);
  else if (outcome->kind == PPM_OUTCOME_TOO_EARLY)
    retry_too_early(self, outcome);
  else
    {
      if (answer != NULL)
        {
          PpmJournalRecord record;

          journal_record_init(self, &record, PPM_JOURNAL_CLOSED);
          record.periods_charged = answer->periods_charged;
          record.total_minor = answer->total_minor;
          record.currency = answer->currency;
          /* Billing is over: a failure here only loses the summary. */
          if (!self->journal_broken && self->events.journal != NULL)
            {
              g_autoptr(GError) error = NULL;

              if (!self->events.journal(self, &record, self->user_data, &error))
                ppm_log_message("Billing journal failed at close: %s",
                                error != NULL ? error->message : "no reason given");
            }
        }
      self->failures = 0;
      emit_closed(self, outcome, answer);
    }
  meter_step(self);
  meter_unref(self);
}

static void
post_open(PpmMeter *self, gint64 now)
{
  PpmOpenRequest request = {
    .client_session_id = self->client_session_id,
    .protocol = self->protocol,
    .model_handle = self->model_handle,
    .member_handle = self->member_handle,
    .elapsed_ms = elapsed_ms(self, now),
  };

  self->in_flight = REQUEST_OPEN;
  self->in_flight_since = now;
  self->cancellable = g_cancellable_new();
  self->port.ops->open(self->port.self, &request, self->cancellable, on_open_done, self);
}

static void
post_charge(PpmMeter *self, gint64 seq, gint64 now)
{
  self->in_flight = REQUEST_CHARGE;
  self->in_flight_seq = seq;
  self->in_flight_since = now;
  self->cancellable = g_cancellable_new();
  self->port.ops->charge(self->port.self, self->session_id, seq, elapsed_ms(self, now),
                         self->cancellable, on_charge_done, self);
}

static void
post_close(PpmMeter *self, gint64 now)
{
  self->in_flight = REQUEST_CLOSE;
  self->in_flight_since = now;
  self->cancellable = g_cancellable_new();
  self->port.ops->close(self->port.self, self->session_id, self->close_reason,
                        self->close_elapsed_ms, self->cancellable, on_close_done, self);
}

/* How many charges are owed now: those due so far, but none due after the
 * end, and none from the first deferred one when the end dropped them. */
static gint64
owed_count(PpmMeter *self, gint64 now)
{
  gint64 n = ppm_schedule_due_count(&self->schedule, self->ended ? self->end_us : now);

  return MIN(n, self->owed_cap);
}

/* The first charge that may not be posted yet: deferred, or not owed. */
static gint64
postable_limit(PpmMeter *self, gint64 now)
{
  return MIN(owed_count(self, now), self->deferred_from);
}

/* Looks at each charge as it falls due: one due after 5 s without RTP (or a
 * ping answer) waits for the media question to be settled, and so does every
 * later one. */
static void
note_new_dues(PpmMeter *self, gint64 now)
{
  gint64 due_now = ppm_schedule_due_count(&self->schedule, now);

  if (self->ended)
    return;
  for (; self->due_seen < due_now && self->deferred_from == NO_SEQ; self->due_seen++)
    {
      gint64 due = ppm_schedule_due(&self->schedule, self->due_seen);

      if (due - MAX(self->last_rtp, self->last_alive) >= MEDIA_GAP_US)
        self->deferred_from = self->due_seen;
    }
  self->due_seen = MAX(self->due_seen, due_now);
}

/* docs/billing-rules.md#unsecured.  Counts the owed, unconfirmed, non-deferred
 * charges that have failed once or stayed unconfirmed for 1 s past their due
 * time, and the time since the oldest unconfirmed one fell due.  Before the
 * open is confirmed only seq 0 (due at t0 + 1 s) can be owed. */
static gboolean
is_unsecured(PpmMeter *self, gint64 now)
{
  gint64 first = self->confirmed;
  gint64 limit, counted, oldest;

  if (self->session_id == NULL)
    {
      counted = now >= self->schedule.t0_us + PPM_DEFAULT_OFFSET_US + ONE_SECOND ? 1 : 0;
      oldest = self->schedule.t0_us;
    }
  else
    {
      limit = MIN(ppm_schedule_due_count(&self->schedule, now), self->deferred_from);
      if (limit <= first)
        return FALSE;
      counted
          = CLAMP(ppm_schedule_due_count(&self->schedule, now - ONE_SECOND), first, limit) - first;
      if (self->head_failed && counted == 0)
        counted = 1;
      oldest = ppm_schedule_due(&self->schedule, first);
    }
  if (counted > self->secured_periods)
    return TRUE;
  return self->max_unbilled_us > 0 && now - oldest >= self->max_unbilled_us;
}

/* Billing is interrupted: a post failed, or has had no answer for 1 s. */
static gboolean
is_in_trouble(PpmMeter *self, gint64 now)
{
  return self->head_failed
         || (self->in_flight != REQUEST_NONE && now - self->in_flight_since >= ONE_SECOND);
}

static void
check_trouble(PpmMeter *self, gint64 now)
{
  if (self->ended || self->stopped || self->hangup_sent)
    return;
  if (is_unsecured(self, now))
    {
      want_hangup(self, PPM_END_UNBILLED_TOO_LONG);
      return;
    }
  if (is_in_trouble(self, now)
      && (self->state == PPM_METER_STATE_OPENING || self->state == PPM_METER_STATE_CHARGING))
    {
      gint64 since = self->session_id == NULL ? self->schedule.t0_us
                                              : ppm_schedule_due(&self->schedule, self->confirmed);

      set_state(self, PPM_METER_STATE_NOT_CHARGING);
      EMIT(self, not_charging, MIN(since, now), self->secured_periods);
    }
}

/* Posts the head request if one may go out now. */
static void
post_next(PpmMeter *self, gint64 now)
{
  if (self->in_flight != REQUEST_NONE || now < self->retry_at || self->closed_sent)
    return;
  if (self->session_id == NULL)
    {
      if (!self->given_up && !self->stopped)
        post_open(self, now);
      return;
    }
  if (!self->given_up && self->confirmed < postable_limit(self, now))
    {
      post_charge(self, self->confirmed, now);
      return;
    }
  if (self->close_reason == NULL)
    return;
  if (!self->close_journaled)
    {
      PpmJournalRecord record;

      /* The close is the head request now: its retries start afresh. */
      self->head_failed = FALSE;
      self->failures = 0;
      self->close_journaled = TRUE;
      journal_record_init(self, &record, PPM_JOURNAL_CLOSE_REQUESTED);
      record.reason = self->close_reason;
      record.elapsed_ms = self->close_elapsed_ms;
      /* A failing journal stops billing, but the close still goes out. */
      journal_write(self, &record);
      if (self->freed || self->in_flight != REQUEST_NONE)
        return;
    }
  post_close(self, now);
}

/* The next instant at which meter_step() has something to do. */
static gint64
next_wakeup(PpmMeter *self, gint64 now)
{
  gint64 next = G_MAXINT64;

  if (self->closed_sent)
    return next;
  if (self->in_flight == REQUEST_NONE && self->retry_at > now)
    next = self->retry_at;
  if (self->session_id != NULL && !self->ended && !self->given_up)
    {
      gint64 due_now = ppm_schedule_due_count(&self->schedule, now);

      /* The next due time, and the one after the head's for the 1 s rule. */
      next = MIN(next, ppm_schedule_due(&self->schedule, due_now));
      if (self->confirmed < due_now)
        next = MIN(next, ppm_schedule_due(&self->schedule,
                                          ppm_schedule_due_count(&self->schedule, now - ONE_SECOND))
                             + ONE_SECOND);
      if (self->max_unbilled_us > 0 && self->confirmed < due_now)
        next
            = MIN(next, ppm_schedule_due(&self->schedule, self->confirmed) + self->max_unbilled_us);
    }
  else if (self->session_id == NULL && !self->ended && !self->given_up)
    {
      next = MIN(next, self->schedule.t0_us + PPM_DEFAULT_OFFSET_US + ONE_SECOND);
      if (self->max_unbilled_us > 0)
        next = MIN(next, self->schedule.t0_us + self->max_unbilled_us);
    }
  if (self->in_flight != REQUEST_NONE)
    next = MIN(next, self->in_flight_since + ONE_SECOND);
  return next > now ? next : G_MAXINT64;
}

static void
on_timer(gpointer user_data)
{
  PpmMeter *self = user_data;

  self->timer = 0;
  self->timer_at = 0;
  meter_step(self);
}

static void
arm_timer(PpmMeter *self, gint64 now)
{
  gint64 at = next_wakeup(self, now);

  if (self->timer != 0 && self->timer_at == at)
    return;
  ppm_clock_clear_timeout(self->clock, &self->timer);
  self->timer_at = 0;
  if (at == G_MAXINT64)
    return;
  self->timer_at = at;
  self->timer = ppm_clock_add_timeout(self->clock, at, on_timer, self);
}

static void
step_once(PpmMeter *self)
{
  gint64 now = meter_now(self);

  if (self->session_id != NULL)
    note_new_dues(self, now);
  check_trouble(self, now);
  if (self->freed || self->step_again)
    return;
  post_next(self, now);
  if (self->freed || self->step_again)
    return;
  arm_timer(self, now);
}

static void
meter_step(PpmMeter *self)
{
  if (!self->started || self->freed)
    return;
  if (self->in_step)
    {
      self->step_again = TRUE;
      return;
    }
  meter_ref(self);
  self->in_step = TRUE;
  do
    {
      self->step_again = FALSE;
      step_once(self);
    }
  while (self->step_again && !self->freed);
  self->in_step = FALSE;
  meter_unref(self);
}

PpmMeter *
ppm_meter_new(PpmClock *clock, const PpmPort *port, const PpmMeterConfig *config,
              const PpmMeterEvents *events, gpointer user_data)
{
  g_return_val_if_fail(port != NULL && port->ops != NULL && config != NULL, NULL);

  PpmMeter *self = g_new0(PpmMeter, 1);
  self->ref_count = 1;
  self->clock = ppm_clock_ref(clock);
  self->port = *port;
  if (events != NULL)
    self->events = *events;
  self->user_data = user_data;
  self->client_session_id = config->client_session_id != NULL ? g_strdup(config->client_session_id)
                                                              : g_uuid_string_random();
  self->protocol = g_strdup(config->protocol);
  self->model_handle = g_strdup(config->model_handle);
  self->member_handle = g_strdup(config->member_handle);
  self->max_unbilled_us = MAX(config->max_unbilled_seconds, 0) * G_USEC_PER_SEC;
  self->random = config->random;
  self->random_data = config->random_data;
  self->schedule = (PpmSchedule){ config->t0_us, PPM_DEFAULT_OFFSET_US, 0 };
  self->last_rtp = config->t0_us;
  self->last_alive = config->t0_us;
  self->deferred_from = NO_SEQ;
  self->owed_cap = NO_SEQ;
  self->state = PPM_METER_STATE_IDLE;
  return self;
}

void
ppm_meter_start(PpmMeter *self)
{
  PpmJournalRecord record;

  g_return_if_fail(!self->started);
  self->started = TRUE;
  meter_ref(self);
  set_state(self, PPM_METER_STATE_OPENING);
  journal_record_init(self, &record, PPM_JOURNAL_OPEN_REQUESTED);
  /* Without a journaled id there is no open: billing stopped already. */
  if (!self->freed && journal_write(self, &record))
    self->open_journaled = TRUE;
  else
    self->given_up = TRUE;
  meter_step(self);
  meter_unref(self);
}

/* The media question is settled: deferred charges are posted as catch-up. */
static void
media_settled(PpmMeter *self)
{
  if (self->deferred_from == NO_SEQ || self->ended)
    return;
  self->deferred_from = NO_SEQ;
  meter_step(self);
}

void
ppm_meter_note_rtp(PpmMeter *self, gint64 at_us)
{
  self->last_rtp = MAX(self->last_rtp, at_us);
  media_settled(self);
}

void
ppm_meter_note_peer_alive(PpmMeter *self)
{
  self->last_alive = MAX(self->last_alive, meter_now(self));
  media_settled(self);
}

void
ppm_meter_end(PpmMeter *self, PpmEndReason reason, gint64 end_us)
{
  if (self->ended)
    return;
  meter_ref(self);
  self->ended = TRUE;
  self->end_us = end_us;
  if (self->deferred_from != NO_SEQ)
    {
      /* A dead peer does not pay for minutes that began while it was silent;
       * any other end owes them. */
      if (reason == PPM_END_PEER_OFFLINE || reason == PPM_END_NO_MEDIA)
        self->owed_cap = self->deferred_from;
      self->deferred_from = NO_SEQ;
    }
  if (self->session_id != NULL || (self->open_journaled && !self->given_up && !self->stopped))
    want_close(self, ppm_end_reason_to_string(reason), elapsed_ms(self, end_us));
  if (self->closed_sent || self->close_reason == NULL)
    {
      /* Nothing (more) to close. */
      set_state(self, PPM_METER_STATE_CLOSED);
      if (!self->closed_sent)
        emit_closed(self, NULL, NULL);
    }
  else
    set_state(self, PPM_METER_STATE_CLOSING);
  meter_step(self);
  meter_unref(self);
}

void
ppm_meter_free(PpmMeter *self)
{
  if (self == NULL)
    return;
  g_return_if_fail(!self->freed);
  self->freed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  ppm_clock_clear_timeout(self->clock, &self->timer);
  meter_unref(self);
}

PpmMeterState
ppm_meter_get_state(PpmMeter *self)
{
  return self->state;
}

const char *
ppm_meter_get_client_session_id(PpmMeter *self)
{
  return self->client_session_id;
}

const char *
ppm_meter_get_session_id(PpmMeter *self)
{
  return self->session_id;
}

gint64
ppm_meter_get_periods_charged(PpmMeter *self)
{
  return self->confirmed;
}

gint64
ppm_meter_get_total_minor(PpmMeter *self)
{
  return self->total_minor;
}

gint64
ppm_meter_get_rate_minor(PpmMeter *self)
{
  return self->rate_minor;
}

const char *
ppm_meter_get_currency(PpmMeter *self)
{
  return self->currency;
}

int
ppm_meter_get_secured_periods(PpmMeter *self)
{
  return self->secured_periods;
}

gint64
ppm_meter_get_period_ms(PpmMeter *self)
{
  return self->schedule.period_us / 1000;
}

gint64
ppm_meter_get_t0(PpmMeter *self)
{
  return self->schedule.t0_us;
}

gint64
ppm_meter_get_elapsed_ms(PpmMeter *self)
{
  return elapsed_ms(self, self->ended ? self->end_us : meter_now(self));
}

guint
ppm_meter_get_late_answers(PpmMeter *self)
{
  return self->late_answers;
}
