/* The billing meter: one per billed call.
 *
 * It decides when to open the session, when to post each charge, when to
 * close, and when the call must be hung up, exactly as docs/billing-rules.md's
 * "Timeline", "Outcomes of a charge", "Opening", "Ending" and "Dead calls"
 * say.  It reaches the platform through a PpmPort and keeps time with a
 * PpmClock; it never talks to libpurple.  The caller (the plugin) turns its
 * events into chat lines, tracker updates and hang-ups, and tells it when the
 * call ends.
 *
 * Rules it keeps:
 * - charge seq k is due at t0 + offset + k·period, every due time computed
 *   from t0; at most one request is in flight at a time; charges are posted
 *   in seq order;
 * - a charge that is not confirmed is posted again with backoff (1 s doubling
 *   up to min(15 s, period), with jitter), then every charge due meanwhile is
 *   posted in order; 425 waits its Retry-After;
 * - a charge due while no RTP arrived for 5 s or more (and the peer did not
 *   answer a ping meanwhile) is deferred until RTP or a ping answer comes;
 * - after ppm_meter_end() no charge due after the end is posted; the close is
 *   posted once every owed charge is confirmed, refused or given up.
 */
#pragma once

#include "ppm-clock.h"
#include "ppm-port.h"

G_BEGIN_DECLS

typedef struct _PpmMeter PpmMeter;

#define PPM_METER_ERROR (ppm_meter_error_quark())
GQuark ppm_meter_error_quark(void);

typedef enum
{
  PPM_METER_ERROR_JOURNAL, /* for journal hooks: the record could not be written */
} PpmMeterError;

/* docs/billing-rules.md#end-reasons: why a call or a session ended. */
typedef enum
{
  PPM_END_LOCAL_HANGUP,
  PPM_END_REMOTE_HANGUP,
  PPM_END_INSUFFICIENT_FUNDS,
  PPM_END_UNBILLED_TOO_LONG,
  PPM_END_SESSION_GONE,
  PPM_END_PEER_OFFLINE,
  PPM_END_NO_MEDIA,
  PPM_END_RING_TIMEOUT,
  PPM_END_LOCAL_DISCONNECT,
  PPM_END_SIGNED_OUT,
  PPM_END_JOURNAL_ERROR,
  PPM_END_CLIENT_RESTART,
  PPM_END_PLUGIN_UNLOADED,
  PPM_END_SUPERSEDED, /* set by the platform */
  PPM_END_EXPIRED,    /* set by the platform */
} PpmEndReason;

/* The wire string ("local_hangup", ...); never NULL for a valid reason. */
const char *ppm_end_reason_to_string(PpmEndReason reason);
/* The reverse; FALSE for an unknown string. */
gboolean ppm_end_reason_from_string(const char *text, PpmEndReason *reason);

typedef enum
{
  PPM_METER_STATE_IDLE,            /* created, not started */
  PPM_METER_STATE_OPENING,         /* the open is posted, not yet confirmed */
  PPM_METER_STATE_CHARGING,        /* open confirmed, charges confirmed as they fall due */
  PPM_METER_STATE_NOT_CHARGING,    /* the platform does not confirm: retrying */
  PPM_METER_STATE_BILLING_STOPPED, /* a final error: the call goes on unbilled */
  PPM_METER_STATE_CLOSING,         /* the call ended: owed charges, then the close */
  PPM_METER_STATE_CLOSED,          /* nothing more will be posted */
} PpmMeterState;

typedef struct
{
  const char *client_session_id; /* NULL: a fresh UUID is generated */
  const char *protocol;          /* libpurple protocol id */
  const char *model_handle;
  const char *member_handle;
  gint64 t0_us;                /* the call's CONNECTED, on the meter's clock */
  gint64 max_unbilled_seconds; /* 0: no time limit */
  /* For tests: a uniform random number in [0, 1) for backoff jitter.  NULL:
   * g_random_double(). */
  double (*random)(gpointer random_data);
  gpointer random_data;
} PpmMeterConfig;

/* What the journal hook is asked to record before the meter acts on it. */
typedef enum
{
  PPM_JOURNAL_OPEN_REQUESTED,   /* client_session_id, protocol, handles */
  PPM_JOURNAL_OPENED,           /* + session_id */
  PPM_JOURNAL_CHARGE_CONFIRMED, /* + seq, total_minor, currency */
  PPM_JOURNAL_CLOSE_REQUESTED,  /* + reason, elapsed_ms */
  PPM_JOURNAL_CLOSED,           /* + periods_charged, total_minor, currency */
} PpmJournalKind;

typedef struct
{
  PpmJournalKind kind;
  const char *client_session_id;
  const char *protocol;
  const char *model_handle;
  const char *member_handle;
  const char *session_id; /* NULL before OPENED */
  gint64 seq;             /* CHARGE_CONFIRMED; -1 otherwise */
  const char *reason;     /* CLOSE_REQUESTED: ppm_end_reason_to_string(); NULL otherwise */
  gint64 elapsed_ms;      /* CLOSE_REQUESTED: e - t0; otherwise now - t0 */
  gint64 periods_charged; /* CHARGE_CONFIRMED: seq + 1; CLOSED: from the answer */
  gint64 total_minor;     /* CHARGE_CONFIRMED, CLOSED */
  const char *currency;   /* CHARGE_CONFIRMED, CLOSED; NULL otherwise */
} PpmJournalRecord;

/* Every member may be NULL.  Handlers may call ppm_meter_end() and (from
 * hangup_wanted, billing_stopped and closed) ppm_meter_free(); the meter does
 * nothing more after being freed. */
typedef struct
{
  void (*state_changed)(PpmMeter *meter, PpmMeterState state, gpointer user_data);
  /* The open was confirmed (after the OPENED journal record). */
  void (*opened)(PpmMeter *meter, const PpmOpenAnswer *answer, gpointer user_data);
  /* Charge `seq` was confirmed: one chat line ("Charged ... minute seq+1"). */
  void (*charged)(PpmMeter *meter, const PpmChargeAnswer *answer, gint64 seq, gpointer user_data);
  /* Once per meter, when a charge answer says member_balance_periods == 0. */
  void (*last_paid_minute)(PpmMeter *meter, gint64 seq, gpointer user_data);
  /* A post was not confirmed: billing is interrupted since `since_us` (the due
   * time of the oldest unconfirmed request; t0 for the open) and at most
   * `secured_periods` owed charges are covered by the hold. */
  void (*not_charging)(PpmMeter *meter, gint64 since_us, int secured_periods, gpointer user_data);
  /* The platform confirmed again after not_charging. */
  void (*charging_resumed)(PpmMeter *meter, gpointer user_data);
  /* The call must be hung up (PPM_END_INSUFFICIENT_FUNDS,
   * PPM_END_UNBILLED_TOO_LONG or PPM_END_SESSION_GONE); the caller hangs up
   * and then calls ppm_meter_end() with that reason.  At most once. */
  void (*hangup_wanted)(PpmMeter *meter, PpmEndReason reason, gpointer user_data);
  /* A final error: billing stopped, the call goes on.  `outcome` is the
   * platform's refusal (PPM_OUTCOME_FINAL or PPM_OUTCOME_UNAUTHORIZED), NULL
   * when the journal could not be written; `message` may be NULL.  At most
   * once. */
  void (*billing_stopped)(PpmMeter *meter, const PpmOutcome *outcome, const char *message,
                          gpointer user_data);
  /* The close was answered (or given up).  `outcome` is NULL when no session
   * was ever opened, so nothing had to be closed; `answer` is non-NULL
   * exactly when outcome->kind is PPM_OUTCOME_OK.  Exactly once per meter
   * that was ended or whose billing stopped with an open session. */
  void (*closed)(PpmMeter *meter, const PpmOutcome *outcome, const PpmCloseAnswer *answer,
                 gpointer user_data);
  /* Called before the meter acts on a request or a result; returning FALSE
   * (with `error` set) stops billing at once with reason journal_error.
   * NULL: nothing is journaled. */
  gboolean (*journal)(PpmMeter *meter, const PpmJournalRecord *record, gpointer user_data,
                      GError **error);
} PpmMeterEvents;

/* Creates a meter; nothing is posted before ppm_meter_start().  `clock` is
 * referenced; `port`, `events` and `config` (with its strings) are copied;
 * the port's ops table and object must outlive the meter. */
PpmMeter *ppm_meter_new(PpmClock *clock, const PpmPort *port, const PpmMeterConfig *config,
                        const PpmMeterEvents *events, gpointer user_data);

/* Journals and posts the open, then charges as they fall due. */
void ppm_meter_start(PpmMeter *meter);

/* The caller's RTP last arrived at `at_us` (any session of the call).
 * Cheap: may be called for every packet. */
void ppm_meter_note_rtp(PpmMeter *meter, gint64 at_us);

/* The caller answered a ping: charges deferred by a media gap are posted. */
void ppm_meter_note_peer_alive(PpmMeter *meter);

/* The call ended at `end_us` (for PPM_END_PEER_OFFLINE and PPM_END_NO_MEDIA:
 * when the caller's RTP last arrived).  Owed charges (due at or before
 * `end_us`) are still posted, deferred ones are dropped for those two
 * reasons, then the session is closed with elapsed_ms = end_us - t0.
 * Calling it again is ignored. */
void ppm_meter_end(PpmMeter *meter, PpmEndReason reason, gint64 end_us);

/* Cancels whatever is in flight and frees the meter.  NULL is ignored. */
void ppm_meter_free(PpmMeter *meter);

/* Accessors for the tracker. */
PpmMeterState ppm_meter_get_state(PpmMeter *meter);
const char *ppm_meter_get_client_session_id(PpmMeter *meter);
const char *ppm_meter_get_session_id(PpmMeter *meter); /* NULL before the open is confirmed */
gint64 ppm_meter_get_periods_charged(PpmMeter *meter); /* confirmed charges */
gint64 ppm_meter_get_total_minor(PpmMeter *meter);     /* from the last confirmed answer */
gint64 ppm_meter_get_rate_minor(PpmMeter *meter);      /* 0 before the open is confirmed */
const char *ppm_meter_get_currency(PpmMeter *meter);   /* NULL before the open is confirmed */
int ppm_meter_get_secured_periods(PpmMeter *meter);
gint64 ppm_meter_get_period_ms(PpmMeter *meter); /* 0 before the open is confirmed */
gint64 ppm_meter_get_t0(PpmMeter *meter);
/* Now - t0, or end - t0 once the call ended, in ms. */
gint64 ppm_meter_get_elapsed_ms(PpmMeter *meter);
/* Answers that came after they could matter (ignored, counted, logged). */
guint ppm_meter_get_late_answers(PpmMeter *meter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmMeter, ppm_meter_free)

G_END_DECLS
