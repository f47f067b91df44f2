#include "ppm-call.h"

#include "ppm-chat.h"
#include "ppm-i18n.h"
#include "ppm-journal-hook.h"
#include "ppm-liveness.h"
#include "ppm-meter.h"
#include "ppm-money.h"
#include "ppm-ping.h"
#include "ppm-platform.h"
#include "ppm-prefs.h"
#include "ppm-rtp-watch.h"
#include "ppm-text.h"
#include "ppm-ui.h"

/* How often the main loop reads the RTP arrival times the probes store. */
#define RTP_POLL_MS 100
/* How long an unloading plugin waits for its close to be confirmed. */
#define UNLOAD_CLOSE_WAIT_MS 2000

struct _PpmCall
{
  PurpleMedia *media; /* NULL once the call ended */
  PurpleAccount *account;
  char *peer;   /* as init-media named the caller */
  char *handle; /* normalized, without a resource */
  char *protocol;
  char *model_handle;
  char *call_id;
  gulong state_handler;
  gulong info_handler;

  PpmCallerKind kind;
  char *display_name;
  GCancellable *lookup_cancel;
  guint ring_timer;
  gboolean answered;
  gboolean local_hangup_seen;
  gboolean hangup_sent;

  PpmClock *clock;
  PpmMeter *meter; /* from t0 until the close is answered */
  int fee_bps;
  gint64 rate_minor;
  gboolean ended; /* billing was told the call ended */
  PpmEndReason end_reason;
  PpmLiveness *liveness;
  PpmRtpWatch *rtp;
  guint rtp_poll;
  gint64 seen_rtp;
  gint64 seen_rtcp;

  PpmCallFinished finished;
  gpointer finished_data;
};

static void call_maybe_finished(PpmCall *call);

PurpleAccount *
ppm_call_get_account(PpmCall *call)
{
  return call->account;
}

const char *
ppm_call_get_peer(PpmCall *call)
{
  return call->peer;
}

const char *
ppm_call_get_handle(PpmCall *call)
{
  return call->handle;
}

gboolean
ppm_call_is_billing(PpmCall *call)
{
  return call->meter != NULL;
}

static char *
call_money(PpmCall *call, gint64 minor)
{
  const char *currency = NULL;
  if (call->meter != NULL)
    currency = ppm_meter_get_currency(call->meter);
  if (currency == NULL)
    currency = ppm_platform_currency();
  return ppm_text_money(minor, currency);
}

static void
call_say(PpmCall *call, char *text /* owned */)
{
  ppm_chat_write(call->account, call->handle, text);
  g_free(text);
}

static void
call_tell_member(PpmCall *call, char *text /* owned */)
{
  ppm_chat_send(call->account, call->handle, text);
  g_free(text);
}

/* The model's share of `periods` charges: every charge is the rate, and
 * each one's fee is rounded on its own. */
static gint64
call_earnings_minor(PpmCall *call, gint64 periods)
{
  return periods * (call->rate_minor - ppm_money_fee(call->rate_minor, call->fee_bps));
}

/* Sends the tracker what the meter knows; `minutes` and `total_minor` are
 * the meter's unless the close answered them (minutes >= 0). */
static void
call_tracker_send(PpmCall *call, void (*send)(const PpmTrackerInfo *info), PpmTrackerState state,
                  const char *line, const char *reason, gint64 minutes, gint64 total_minor)
{
  if (minutes < 0)
    {
      minutes = ppm_meter_get_periods_charged(call->meter);
      total_minor = ppm_meter_get_total_minor(call->meter);
    }
  /* Money is known once the open fixed the session's currency and rate. */
  gboolean opened = ppm_meter_get_currency(call->meter) != NULL;
  g_autofree char *total = opened ? call_money(call, total_minor) : NULL;
  g_autofree char *rate = opened ? call_money(call, call->rate_minor) : NULL;
  g_autofree char *earnings = opened ? call_money(call, call_earnings_minor(call, minutes)) : NULL;
  PpmTrackerInfo info = {
    .call_id = call->call_id,
    .member = call->display_name != NULL ? call->display_name : call->handle,
    .state = state,
    .minutes = minutes,
    .total = total,
    .secured = ppm_meter_get_secured_periods(call->meter),
    .line = line,
    .elapsed_ms = ppm_meter_get_elapsed_ms(call->meter),
    .rate = rate,
    .earnings = earnings,
    .caller_status = ppm_text_caller_status(call->kind),
    .reason = reason,
  };
  send(&info);
}

static void
call_tracker(PpmCall *call, PpmTrackerState state, const char *line, const char *reason)
{
  call_tracker_send(call, ppm_ui_tracker_update, state, line, reason, -1, 0);
}

/* Hangs up so that the caller knows (Jingle session-terminate); never
 * purple_media_end(), which leaves the caller connected. */
static void
call_hang_up(PpmCall *call, PurpleMediaInfoType how)
{
  if (call->media == NULL || call->hangup_sent)
    return;
  call->hangup_sent = TRUE;
  purple_media_stream_info(call->media, how, NULL, NULL, TRUE);
}

static void
call_stop_watching(PpmCall *call)
{
  g_clear_handle_id(&call->rtp_poll, g_source_remove);
  g_clear_pointer(&call->rtp, ppm_rtp_watch_free);
  g_clear_pointer(&call->liveness, ppm_liveness_free);
  ppm_ping_forget(call);
}

/* Ends billing at `end_us` for `reason`; the meter then posts what is owed
 * and closes. */
static void
call_end_billing(PpmCall *call, PpmEndReason reason, gint64 end_us)
{
  call_stop_watching(call);
  if (call->meter != NULL && !call->ended)
    {
      call->ended = TRUE;
      call->end_reason = reason;
      ppm_meter_end(call->meter, reason, end_us);
    }
}

/* Ended for lack of funds before the first minute was paid: the member
 * never had enough, rather than "no longer". */
static gboolean
call_never_funded(PpmCall *call, PpmEndReason reason)
{
  return reason == PPM_END_INSUFFICIENT_FUNDS
         && (call->meter == NULL || ppm_meter_get_periods_charged(call->meter) == 0);
}

/* Why the call ended, in words. */
static const char *
call_end_words(PpmCall *call, PpmEndReason reason)
{
  if (call_never_funded(call, reason))
    return ppm_text_unfunded_words();
  return ppm_text_reason_words(ppm_end_reason_to_string(reason));
}

/* The plugin ends the call: a chat line saying why, the hang-up, the meter. */
static void
call_end_here(PpmCall *call, PpmEndReason reason, gint64 end_us)
{
  call_say(call, ppm_text_call_ended_words(call_end_words(call, reason)));
  /* Billing first: the hang-up may emit END at once, which would end it as
   * local_hangup. */
  call_end_billing(call, reason, end_us);
  call_hang_up(call, PURPLE_MEDIA_INFO_HANGUP);
}

/* ---- the meter's events ---- */

static void
on_opened(PpmMeter *meter, const PpmOpenAnswer *answer, gpointer user_data)
{
  PpmCall *call = user_data;
  call->fee_bps = answer->fee_bps;
  call->rate_minor = answer->rate_minor;
  if (answer->member_display_name != NULL && call->display_name == NULL)
    call->display_name = g_strdup(answer->member_display_name);
  /* The rate fixed on the session, before its first charge is posted. */
  g_autofree char *price = ppm_text_money(answer->rate_minor, answer->currency);
  call_tell_member(call, ppm_text_member_rate(price));
  call_tracker(call, PPM_TRACKER_CHARGING, NULL, NULL);
}

static void
on_charged(PpmMeter *meter, const PpmChargeAnswer *answer, gint64 seq, gpointer user_data)
{
  PpmCall *call = user_data;
  g_autofree char *charged = call_money(call, answer->charged_minor);
  g_autofree char *total = call_money(call, answer->total_minor);
  g_autofree char *line = ppm_text_charged(charged, seq, total);
  ppm_chat_write(call->account, call->handle, line);
  if (purple_prefs_get_bool(PPM_PREF_NOTIFY_MEMBER))
    call_tell_member(call, ppm_text_member_charge(charged, seq, total));
  call_tracker(call, PPM_TRACKER_CHARGING, line, NULL);
}

static void
on_last_paid_minute(PpmMeter *meter, gint64 seq, gpointer user_data)
{
  PpmCall *call = user_data;
  if (purple_prefs_get_bool(PPM_PREF_LAST_MINUTE_WARNING))
    call_say(call,
             ppm_text_last_minute(call->display_name != NULL ? call->display_name : call->handle));
}

static void
on_not_charging(PpmMeter *meter, gint64 since_us, int secured_periods, gpointer user_data)
{
  PpmCall *call = user_data;
  g_autofree char *line = ppm_text_not_charging_secured(secured_periods);
  ppm_chat_write(call->account, call->handle, line);
  call_tracker(call, PPM_TRACKER_NOT_CHARGING, line, NULL);
}

static void
on_charging_resumed(PpmMeter *meter, gpointer user_data)
{
  PpmCall *call = user_data;
  g_autofree char *line = ppm_text_charging_resumed();
  ppm_chat_write(call->account, call->handle, line);
  call_tracker(call, PPM_TRACKER_CHARGING, line, NULL);
}

static void
on_hangup_wanted(PpmMeter *meter, PpmEndReason reason, gpointer user_data)
{
  PpmCall *call = user_data;
  /* The member learns why a call ends right after it was accepted. */
  if (call_never_funded(call, reason))
    call_tell_member(call, ppm_text_member_unfunded());
  call_end_here(call, reason, ppm_clock_now_monotonic(call->clock));
}

static void
on_billing_stopped(PpmMeter *meter, const PpmOutcome *outcome, const char *message,
                   gpointer user_data)
{
  PpmCall *call = user_data;
  const char *words = ppm_text_billing_stopped_words(outcome);
  g_autofree char *line = ppm_text_not_charging_reason(words);
  ppm_chat_write(call->account, call->handle, line);
  call_tracker(call, PPM_TRACKER_UNBILLED, line, words);
  call_stop_watching(call);
}

static void
rating_done(int stars, const char *comment, gpointer user_data)
{
  g_autofree char *session_id = user_data;
  if (stars >= 1 && stars <= 5)
    ppm_platform_rate_app(stars, comment, session_id);
}

/* The session is closed: the summary in the chat, the total and the link
 * to rate the show to the member, and (unless unloading) the app rating. */
static void
call_report_close(PpmCall *call, const PpmCloseAnswer *answer, gboolean ask_rating)
{
  g_autofree char *total = call_money(call, answer->total_minor);
  g_autofree char *earnings = call_money(call, call_earnings_minor(call, answer->periods_charged));
  call_say(call, ppm_text_summary(answer->duration_ms, answer->periods_charged, total, earnings));
  /* A call with no paid minute has no show to rate (the platform refuses it). */
  call_tell_member(call,
                   ppm_text_member_total(answer->duration_ms, total,
                                         answer->periods_charged > 0 ? answer->rate_url : NULL));
  if (!ask_rating)
    return;
  g_autofree char *title
      = g_strdup_printf(_("How did the call with %s go?"),
                        call->display_name != NULL ? call->display_name : call->handle);
  ppm_ui_rating_request(title, rating_done, g_strdup(answer->session_id));
}

static void
on_closed(PpmMeter *meter, const PpmOutcome *outcome, const PpmCloseAnswer *answer,
          gpointer user_data)
{
  PpmCall *call = user_data;
  if (answer != NULL)
    call_report_close(call, answer, TRUE);
  /* "Ended: why" with what the call came to, before the tracker goes. */
  if (call->ended)
    {
      const char *reason = call_end_words(call, call->end_reason);
      g_autofree char *line = ppm_text_call_ended_words(reason);
      call_tracker_send(call, ppm_ui_tracker_update, PPM_TRACKER_ENDED, line, reason,
                        answer != NULL ? answer->periods_charged : -1,
                        answer != NULL ? answer->total_minor : 0);
    }
  ppm_ui_tracker_hide(call->call_id);
  g_clear_pointer(&call->meter, ppm_meter_free);
  call_maybe_finished(call);
}

static gboolean
on_journal(PpmMeter *meter, const PpmJournalRecord *record, gpointer user_data, GError **error)
{
  return ppm_journal_hook_record(record, error);
}

static const PpmMeterEvents meter_events = {
  .opened = on_opened,
  .charged = on_charged,
  .last_paid_minute = on_last_paid_minute,
  .not_charging = on_not_charging,
  .charging_resumed = on_charging_resumed,
  .hangup_wanted = on_hangup_wanted,
  .billing_stopped = on_billing_stopped,
  .closed = on_closed,
  .journal = on_journal,
};

/* ---- dead calls ---- */

static void
on_ping_done(gboolean answered, gpointer user_data)
{
  PpmCall *call = user_data;
  if (call->liveness == NULL)
    return;
  if (answered)
    {
      ppm_liveness_ping_answered(call->liveness);
      if (call->meter != NULL)
        ppm_meter_note_peer_alive(call->meter);
    }
  else
    ppm_liveness_ping_error(call->liveness);
}

static void
on_want_ping(PpmLiveness *liveness, gpointer user_data)
{
  PpmCall *call = user_data;
  if (!ppm_ping_send(call->account, call->peer, on_ping_done, call))
    purple_debug_warning("ppm", "could not ping %s\n", call->peer);
}

static void
on_dead(PpmLiveness *liveness, PpmEndReason reason, gint64 end_us, gpointer user_data)
{
  call_end_here(user_data, reason, end_us);
}

static const PpmLivenessEvents liveness_events = {
  .want_ping = on_want_ping,
  .dead = on_dead,
};

static gboolean
poll_rtp(gpointer user_data)
{
  PpmCall *call = user_data;
  if (call->media != NULL)
    ppm_rtp_watch_attach(call->rtp, call->media);
  gint64 rtp = ppm_rtp_watch_last_rtp(call->rtp);
  gint64 rtcp = ppm_rtp_watch_last_rtcp(call->rtp);
  if (rtp > call->seen_rtp)
    {
      call->seen_rtp = rtp;
      ppm_liveness_rtp_seen(call->liveness, rtp);
      if (call->meter != NULL)
        ppm_meter_note_rtp(call->meter, rtp);
    }
  /* The handlers above may have ended the call and dropped the watchdog. */
  if (call->liveness != NULL && rtcp > call->seen_rtcp)
    {
      call->seen_rtcp = rtcp;
      ppm_liveness_rtcp_seen(call->liveness, rtcp);
    }
  return G_SOURCE_CONTINUE;
}

static void
call_watch_peer(PpmCall *call, gint64 t0)
{
  PpmLivenessConfig config;
  ppm_liveness_config_init(&config, t0);
  config.no_media_seconds = purple_prefs_get_int(PPM_PREF_NO_MEDIA_SECONDS);
  config.can_ping = ppm_ping_possible(call->account) && strchr(call->peer, '/') != NULL;
  call->liveness = ppm_liveness_new(call->clock, &config, &liveness_events, call);
  call->rtp = ppm_rtp_watch_new();
  ppm_rtp_watch_attach(call->rtp, call->media);
  call->rtp_poll = g_timeout_add(RTP_POLL_MS, poll_rtp, call);
}

/* ---- the media's signals ---- */

static void
call_start_billing(PpmCall *call)
{
  gint64 t0 = ppm_clock_now_monotonic(call->clock);
  const PpmPort *port = ppm_platform_port();
  if (port == NULL)
    {
      call_say(call, ppm_text_not_charging_reason(_("you are not signed in to the platform")));
      return;
    }
  if (call->kind == PPM_CALLER_NOT_MEMBER)
    {
      call_say(call, ppm_text_not_charging_reason(_("the caller is not a member")));
      return;
    }

  PpmMeterConfig config = {
    .protocol = call->protocol,
    .model_handle = call->model_handle,
    .member_handle = call->handle,
    .t0_us = t0,
    .max_unbilled_seconds = purple_prefs_get_int(PPM_PREF_MAX_UNBILLED_SECONDS),
  };
  call->meter = ppm_meter_new(call->clock, port, &config, &meter_events, call);
  call_tracker_send(call, ppm_ui_tracker_show, PPM_TRACKER_OPENING, NULL, NULL, -1, 0);
  call_watch_peer(call, t0);
  ppm_meter_start(call->meter);
}

static void
call_media_gone(PpmCall *call)
{
  g_clear_handle_id(&call->ring_timer, g_source_remove);
  g_cancellable_cancel(call->lookup_cancel);
  g_clear_signal_handler(&call->state_handler, call->media);
  g_clear_signal_handler(&call->info_handler, call->media);
  g_clear_object(&call->media);
  ppm_ui_incoming_call_done(call->handle);
}

static void
on_state_changed(PurpleMedia *media, PurpleMediaState state, const char *sid,
                 const char *participant, gpointer user_data)
{
  PpmCall *call = user_data;
  if (state == PURPLE_MEDIA_STATE_CONNECTED && sid != NULL && participant != NULL
      && call->clock == NULL)
    {
      /* t0: the first CONNECTED with both names (docs/billing-rules.md#timeline). */
      g_clear_handle_id(&call->ring_timer, g_source_remove);
      call->answered = TRUE;
      ppm_ui_incoming_call_done(call->handle);
      call->clock = ppm_clock_system_new(NULL);
      call_start_billing(call);
    }
  else if (state == PURPLE_MEDIA_STATE_END && sid == NULL && participant == NULL)
    {
      if (call->meter != NULL && call->clock != NULL)
        call_end_billing(call,
                         call->local_hangup_seen ? PPM_END_LOCAL_HANGUP : PPM_END_REMOTE_HANGUP,
                         ppm_clock_now_monotonic(call->clock));
      call_stop_watching(call);
      call_media_gone(call);
      call_maybe_finished(call);
    }
}

static void
on_stream_info(PurpleMedia *media, PurpleMediaInfoType type, const char *sid,
               const char *participant, gboolean local, gpointer user_data)
{
  PpmCall *call = user_data;
  if (!local)
    return;
  if (type == PURPLE_MEDIA_INFO_HANGUP || type == PURPLE_MEDIA_INFO_REJECT)
    call->local_hangup_seen = TRUE;
  else if (type == PURPLE_MEDIA_INFO_ACCEPT)
    {
      call->answered = TRUE;
      g_clear_handle_id(&call->ring_timer, g_source_remove);
    }
}

static gboolean
on_ring_timeout(gpointer user_data)
{
  PpmCall *call = user_data;
  call->ring_timer = 0;
  if (!call->answered)
    {
      call_say(call, ppm_text_call_ended("ring_timeout"));
      call_hang_up(call, PURPLE_MEDIA_INFO_REJECT);
    }
  return G_SOURCE_REMOVE;
}

static void
on_lookup_done(PpmCallerKind kind, const char *display_name, int minutes, gpointer user_data)
{
  PpmCall *call = user_data;
  /* Sign-in finished while this answer was on its way: ask again. */
  if (kind == PPM_CALLER_SIGNED_OUT && ppm_platform_is_signed_in() && call->clock == NULL)
    {
      ppm_platform_lookup(call->protocol, call->handle, call->lookup_cancel, on_lookup_done, call);
      return;
    }
  call->kind = kind;
  g_free(call->display_name);
  call->display_name = g_strdup(display_name);
  g_autofree char *text = ppm_text_banner(kind, call->handle, display_name, minutes);
  ppm_chat_write(call->account, call->handle, text);
  /* Once the call is up (t0), it is the model's own choice. */
  if (call->media == NULL || call->clock != NULL)
    return;
  if (purple_prefs_get_bool(PPM_PREF_AUTO_DECLINE) && ppm_caller_kind_declines(kind))
    {
      call_say(call, g_strdup_printf(_("Call from %s declined automatically"), call->handle));
      call_hang_up(call, PURPLE_MEDIA_INFO_REJECT);
      return;
    }
  if (call->answered)
    return;
  PpmBanner banner = {
    .account = purple_account_get_username(call->account),
    .protocol = call->protocol,
    .caller = call->handle,
    .kind = kind,
    .text = text,
  };
  ppm_ui_incoming_call(&banner);
}

PpmCall *
ppm_call_new(PurpleMedia *media, PurpleAccount *account, const char *remote_user,
             PpmCallFinished finished, gpointer user_data)
{
  PpmCall *call = g_new0(PpmCall, 1);
  call->media = g_object_ref(media);
  call->account = account;
  call->peer = g_strdup(remote_user);
  call->handle = g_strdup(purple_normalize(account, remote_user));
  /* jabber's normalize drops the resource; other prpls have none. */
  call->protocol = g_strdup(purple_account_get_protocol_id(account));
  call->model_handle = g_strdup(purple_normalize(account, purple_account_get_username(account)));
  call->call_id = g_uuid_string_random();
  call->kind = PPM_CALLER_UNKNOWN;
  call->finished = finished;
  call->finished_data = user_data;
  call->lookup_cancel = g_cancellable_new();
  call->state_handler
      = g_signal_connect(media, "state-changed", G_CALLBACK(on_state_changed), call);
  call->info_handler = g_signal_connect(media, "stream-info", G_CALLBACK(on_stream_info), call);

  int ring_timeout = purple_prefs_get_int(PPM_PREF_RING_TIMEOUT_SECONDS);
  if (ring_timeout > 0)
    call->ring_timer
        = g_timeout_add((guint)MIN(ring_timeout, G_MAXINT / 1000) * 1000, on_ring_timeout, call);
  ppm_platform_lookup(call->protocol, call->handle, call->lookup_cancel, on_lookup_done, call);
  return call;
}

static void
call_maybe_finished(PpmCall *call)
{
  if (call->media == NULL && call->meter == NULL)
    call->finished(call, call->finished_data);
}

void
ppm_call_peer_offline(PpmCall *call)
{
  if (call->liveness != NULL)
    ppm_liveness_presence_offline(call->liveness);
}

void
ppm_call_account_disconnected(PpmCall *call)
{
  /* A call whose billing ended already keeps its own reason. */
  if (call->meter != NULL && call->clock != NULL && !call->ended)
    {
      call_say(call, ppm_text_call_ended("local_disconnect"));
      call_end_billing(call, PPM_END_LOCAL_DISCONNECT, ppm_clock_now_monotonic(call->clock));
    }
}

void
ppm_call_signed_in(PpmCall *call)
{
  /* Only a ringing call: once answered, "signed out" was what billing did. */
  if (call->kind == PPM_CALLER_SIGNED_OUT && call->media != NULL && call->clock == NULL)
    ppm_platform_lookup(call->protocol, call->handle, call->lookup_cancel, on_lookup_done, call);
}

void
ppm_call_signing_out(PpmCall *call)
{
  if (call->meter != NULL && call->clock != NULL)
    {
      g_autofree char *line = ppm_text_not_charging_reason(_("you signed out of the platform"));
      ppm_chat_write(call->account, call->handle, line);
      call_end_billing(call, PPM_END_SIGNED_OUT, ppm_clock_now_monotonic(call->clock));
    }
}

static void
on_unload_closed(const PpmCloseAnswer *answer, gpointer user_data)
{
  call_report_close(user_data, answer, FALSE);
}

void
ppm_call_unload(PpmCall *call)
{
  call_stop_watching(call);
  if (call->meter == NULL)
    return;
  /* A call that ended keeps its reason: its close may be in flight already,
   * and a repeated close gets the first answer. */
  const char *reason
      = ppm_end_reason_to_string(call->ended ? call->end_reason : PPM_END_PLUGIN_UNLOADED);
  g_autofree char *session = g_strdup(ppm_meter_get_session_id(call->meter));
  PpmJournalRecord record = {
    .kind = PPM_JOURNAL_CLOSE_REQUESTED,
    .client_session_id = ppm_meter_get_client_session_id(call->meter),
    .protocol = call->protocol,
    .model_handle = call->model_handle,
    .member_handle = call->handle,
    .session_id = session,
    .seq = -1,
    .reason = reason,
    .elapsed_ms = ppm_meter_get_elapsed_ms(call->meter),
  };
  g_autoptr(GError) error = NULL;
  if (!ppm_journal_hook_record(&record, &error))
    purple_debug_error("ppm", "journal: %s\n", error->message);
  if (session != NULL)
    ppm_platform_close_now(&record, UNLOAD_CLOSE_WAIT_MS, on_unload_closed, call);
  /* Its own requests would answer on the main context, after the unload. */
  g_clear_pointer(&call->meter, ppm_meter_free);
  if (call->media != NULL)
    call_say(call, ppm_text_not_charging_reason(_("the billing plugin was unloaded; the call "
                                                  "goes on unbilled")));
  ppm_ui_tracker_hide(call->call_id);
}

void
ppm_call_free(PpmCall *call)
{
  if (call == NULL)
    return;
  call_stop_watching(call);
  g_clear_pointer(&call->meter, ppm_meter_free);
  if (call->media != NULL)
    call_media_gone(call);
  g_clear_handle_id(&call->ring_timer, g_source_remove);
  g_clear_object(&call->lookup_cancel);
  g_clear_pointer(&call->clock, ppm_clock_unref);
  g_free(call->peer);
  g_free(call->handle);
  g_free(call->protocol);
  g_free(call->model_handle);
  g_free(call->call_id);
  g_free(call->display_name);
  g_free(call);
}
