#include "sim-script.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sim-events.h"

typedef struct
{
  const PpmSimOptions *opts;
  PurpleAccount *account;
  PpmSimDoneFunc done;
  gboolean finished;
  int calls_started;
  int calls_ended;
  guint caps_poll_id;

  /* The call in progress; `serial` tells stale timers from current ones. */
  guint serial;
  PurpleMedia *media;
  gboolean initiator;
  double started_at;
  double connected_at;
  gboolean connected;
  gboolean accepted;
  gboolean held;
  const char *local_end;  /* "hangup" or "rejected" once sent from here */
  const char *remote_end; /* the same, announced by the peer */
} SimScript;

static SimScript script;

static void sim_script_place_call_later(double seconds);

static void
sim_script_finish(int status, const char *reason)
{
  g_autofree char *calls = g_strdup_printf("%d", script.calls_ended);

  if (script.finished)
    return;
  script.finished = TRUE;
  ppm_sim_event("done", "status", status == PPM_SIM_EXIT_OK ? "ok" : "failed", "calls", calls,
                "text", reason, NULL);
  script.done(status);
}

static void
sim_script_fail(const char *reason)
{
  sim_script_finish(PPM_SIM_EXIT_FAILED, reason);
}

static gboolean
sim_script_timed_out(gpointer data)
{
  sim_script_finish(PPM_SIM_EXIT_TIMEOUT, "the script did not finish within --timeout");
  return G_SOURCE_REMOVE;
}

/* Runs `func` after `seconds` (never when negative) unless the call it was
 * armed for is over by then. */
static void
sim_call_after(double seconds, GSourceFunc func)
{
  if (seconds >= 0)
    g_timeout_add((guint)(seconds * 1000), func, GUINT_TO_POINTER(script.serial));
}

static gboolean
sim_call_is_current(gpointer serial)
{
  return !script.finished && script.media != NULL && GPOINTER_TO_UINT(serial) == script.serial;
}

static void
sim_call_send(PurpleMediaInfoType type)
{
  purple_media_stream_info(script.media, type, NULL, NULL, TRUE);
}

static gboolean
sim_call_end_overdue(gpointer serial)
{
  if (sim_call_is_current(serial))
    sim_script_fail("the call did not end within --call-timeout of its hangup");
  return G_SOURCE_REMOVE;
}

static void
sim_call_end_from_here(PurpleMediaInfoType type, const char *why)
{
  script.local_end = why;
  sim_call_send(type);
  sim_call_after(script.opts->call_timeout, sim_call_end_overdue);
}

static gboolean
sim_call_hangup(gpointer serial)
{
  if (sim_call_is_current(serial) && script.local_end == NULL)
    sim_call_end_from_here(PURPLE_MEDIA_INFO_HANGUP, "hangup");
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_cancel(gpointer serial)
{
  if (sim_call_is_current(serial) && !script.connected)
    return sim_call_hangup(serial);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_answer(gpointer serial)
{
  if (!sim_call_is_current(serial) || script.local_end != NULL)
    return G_SOURCE_REMOVE;
  if (script.opts->decline)
    sim_call_end_from_here(PURPLE_MEDIA_INFO_REJECT, "rejected");
  else
    sim_call_send(PURPLE_MEDIA_INFO_ACCEPT);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_resume(gpointer serial)
{
  if (sim_call_is_current(serial))
    sim_call_send(PURPLE_MEDIA_INFO_UNHOLD);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_hold(gpointer serial)
{
  if (sim_call_is_current(serial))
    {
      sim_call_send(PURPLE_MEDIA_INFO_HOLD);
      sim_call_after(script.opts->hold_for, sim_call_resume);
    }
  return G_SOURCE_REMOVE;
}

/* Leaves without a word to the peer, like a crash. */
static gboolean
sim_call_vanish(gpointer serial)
{
  if (sim_call_is_current(serial))
    {
      ppm_sim_event("vanished", NULL);
      _exit(PPM_SIM_EXIT_OK);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_freeze(gpointer serial)
{
  if (sim_call_is_current(serial))
    {
      ppm_sim_event("frozen", NULL);
      raise(SIGSTOP);
      ppm_sim_event("thawed", NULL);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_setup_overdue(gpointer serial)
{
  if (sim_call_is_current(serial) && !script.connected && script.local_end == NULL)
    sim_script_fail("the call did not connect within --call-timeout");
  return G_SOURCE_REMOVE;
}

static char *
sim_seconds_text(double seconds)
{
  return g_strdup_printf("%.6f", seconds);
}

static void
sim_call_connected(const char *sid, const char *participant)
{
  g_autofree char *setup = sim_seconds_text(ppm_sim_now() - script.started_at);

  ppm_sim_event("connected", "sid", sid, "peer", participant, "setup", setup, NULL);
  if (script.connected)
    return;
  script.connected = TRUE;
  script.connected_at = ppm_sim_now();
  sim_call_after(script.opts->hangup_after, sim_call_hangup);
  sim_call_after(script.opts->hold_after, sim_call_hold);
  sim_call_after(script.opts->vanish_after, sim_call_vanish);
  sim_call_after(script.opts->freeze_after, sim_call_freeze);
}

static const char *
sim_call_end_reason(void)
{
  if (script.local_end != NULL)
    return script.local_end;
  if (script.remote_end != NULL)
    return script.remote_end;
  if (script.connected)
    return "hangup";
  return script.initiator ? "rejected" : "cancelled";
}

static gboolean
sim_call_met_expectation(void)
{
  switch (script.opts->expect)
    {
      case PPM_SIM_EXPECT_CONNECTED:
        return script.connected;
      case PPM_SIM_EXPECT_ENDED:
        return !script.connected;
      case PPM_SIM_EXPECT_ANY:
        break;
    }
  return TRUE;
}

static void
sim_call_ended(void)
{
  g_autofree char *duration
      = sim_seconds_text(script.connected ? ppm_sim_now() - script.connected_at : 0.0);

  ppm_sim_event("ended", "who", script.local_end != NULL ? "local" : "remote", "why",
                sim_call_end_reason(), "connected", script.connected ? "1" : "0", "duration",
                duration, NULL);
  script.media = NULL;
  script.calls_ended++;
  if (!sim_call_met_expectation())
    sim_script_fail(script.connected ? "the call connected, against --expect"
                                     : "the call ended before it connected");
  else if (script.opts->calls > 0 && script.calls_ended >= script.opts->calls)
    sim_script_finish(PPM_SIM_EXIT_OK, NULL);
  else if (script.opts->role == PPM_SIM_ROLE_MEMBER)
    sim_script_place_call_later(script.opts->pause);
}

static void
sim_media_state_changed(PurpleMedia *media, PurpleMediaState state, const char *sid,
                        const char *participant, gpointer data)
{
  if (media != script.media)
    return;
  if (state == PURPLE_MEDIA_STATE_END && sid == NULL && participant == NULL)
    sim_call_ended();
  else if (state == PURPLE_MEDIA_STATE_CONNECTED && sid != NULL && participant != NULL)
    sim_call_connected(sid, participant);
  else if (state == PURPLE_MEDIA_STATE_NEW && sid != NULL && participant != NULL
           && (purple_media_get_session_type(media, sid) & PURPLE_MEDIA_RECV_VIDEO))
    /* Window 0: received video goes to the sink without a GUI window. */
    purple_media_set_output_window(media, sid, participant, 0);
}

static void
sim_media_stream_info(PurpleMedia *media, PurpleMediaInfoType type, const char *sid,
                      const char *participant, gboolean local, gpointer data)
{
  const char *who = local ? "local" : "remote";
  const char **end = local ? &script.local_end : &script.remote_end;

  if (media != script.media)
    return;
  if (type == PURPLE_MEDIA_INFO_ACCEPT && !script.accepted)
    {
      script.accepted = TRUE;
      ppm_sim_event("call-accepted", "who", who, NULL);
    }
  else if (type == PURPLE_MEDIA_INFO_HOLD && !script.held)
    {
      script.held = TRUE;
      ppm_sim_event("held", "who", who, NULL);
    }
  else if (type == PURPLE_MEDIA_INFO_UNHOLD && script.held)
    {
      script.held = FALSE;
      ppm_sim_event("resumed", "who", who, NULL);
    }
  else if (type == PURPLE_MEDIA_INFO_HANGUP && *end == NULL)
    *end = "hangup";
  else if (type == PURPLE_MEDIA_INFO_REJECT && *end == NULL)
    *end = "rejected";
}

static void
sim_call_begin(PurpleMedia *media, gboolean initiator)
{
  script.serial++;
  script.media = media;
  script.initiator = initiator;
  script.started_at = ppm_sim_now();
  script.connected = script.accepted = script.held = FALSE;
  script.local_end = script.remote_end = NULL;
  script.calls_started++;
  g_signal_connect(media, "state-changed", G_CALLBACK(sim_media_state_changed), NULL);
  g_signal_connect(media, "stream-info", G_CALLBACK(sim_media_stream_info), NULL);
}

/* From an idle callback, like an answer: the streams do not exist inside
 * init-media. */
static gboolean
sim_call_reject_busy(gpointer media)
{
  purple_media_stream_info(media, PURPLE_MEDIA_INFO_REJECT, NULL, NULL, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_init_media(PurpleMediaManager *manager, PurpleMedia *media, PurpleAccount *account,
               const char *remote_user, gpointer data)
{
  gboolean initiator = FALSE;

  if (account != script.account || script.finished)
    return TRUE;
  g_object_get(media, "initiator", &initiator, NULL);
  if (initiator)
    {
      sim_call_begin(media, TRUE);
      sim_call_after(script.opts->call_timeout, sim_call_setup_overdue);
      sim_call_after(script.opts->cancel_after, sim_call_cancel);
      return TRUE;
    }
  if (script.media != NULL)
    {
      /* One call at a time, as a person would. */
      ppm_sim_event("call-incoming", "peer", remote_user, "busy", "1", NULL);
      g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, sim_call_reject_busy, g_object_ref(media),
                      g_object_unref);
      return TRUE;
    }
  sim_call_begin(media, FALSE);
  ppm_sim_event("call-incoming", "peer", remote_user, NULL);
  /* Accepted later (at the earliest from an idle callback): the streams do
   * not exist yet. */
  if (script.opts->answer_after >= 0 && !script.opts->decline)
    sim_call_after(script.opts->answer_after + script.opts->call_timeout, sim_call_setup_overdue);
  sim_call_after(script.opts->answer_after, sim_call_answer);
  return TRUE;
}

static gboolean
sim_script_poll_caps(gpointer data)
{
  const PpmSimOptions *opts = script.opts;
  PurpleMediaCaps want = opts->video ? PURPLE_MEDIA_CAPS_AUDIO_VIDEO : PURPLE_MEDIA_CAPS_AUDIO;

  if (script.finished)
    {
      script.caps_poll_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (!(purple_prpl_get_media_caps(script.account, opts->peer) & want))
    return G_SOURCE_CONTINUE;
  script.caps_poll_id = 0;
  ppm_sim_event("calling", "peer", opts->peer, "video", opts->video ? "1" : "0", NULL);
  if (!purple_prpl_initiate_media(script.account, opts->peer,
                                  opts->video ? PURPLE_MEDIA_AUDIO | PURPLE_MEDIA_VIDEO
                                              : PURPLE_MEDIA_AUDIO))
    sim_script_fail("libpurple refused to start the call");
  return G_SOURCE_REMOVE;
}

static gboolean
sim_script_place_call(gpointer data)
{
  if (script.caps_poll_id == 0 && !script.finished)
    script.caps_poll_id = g_timeout_add(100, sim_script_poll_caps, NULL);
  return G_SOURCE_REMOVE;
}

static void
sim_script_place_call_later(double seconds)
{
  g_timeout_add((guint)(seconds * 1000), sim_script_place_call, NULL);
}

static char *
sim_bare_jid(const char *jid)
{
  const char *slash = strchr(jid, '/');

  return slash != NULL ? g_strndup(jid, slash - jid) : g_strdup(jid);
}

static void
sim_signed_on(PurpleConnection *gc, gpointer data)
{
  g_autofree char *peer = sim_bare_jid(script.opts->peer);

  if (purple_connection_get_account(gc) != script.account)
    return;
  ppm_sim_event("signed-on", "account", script.opts->account, NULL);
  /* Both sides add each other; the other side authorizes automatically. */
  if (purple_find_buddy(script.account, peer) == NULL)
    {
      PurpleBuddy *buddy = purple_buddy_new(script.account, peer, NULL);

      purple_blist_add_buddy(buddy, NULL, NULL, NULL);
      purple_account_add_buddy(script.account, buddy);
    }
  if (script.opts->role == PPM_SIM_ROLE_MEMBER && script.calls_started == 0)
    sim_script_place_call(NULL);
}

static void
sim_connection_error(PurpleConnection *gc, PurpleConnectionError err, const char *desc,
                     gpointer data)
{
  ppm_sim_event("connection-error", "text", desc, NULL);
  sim_script_fail("the XMPP connection failed");
}

static void
sim_buddy_presence(PurpleBuddy *buddy, gpointer event)
{
  if (purple_buddy_get_account(buddy) == script.account)
    ppm_sim_event(event, "peer", purple_buddy_get_name(buddy), NULL);
}

void
ppm_sim_script_start(const PpmSimOptions *opts, PurpleAccount *account, PpmSimDoneFunc done)
{
  static int handle;

  script.opts = opts;
  script.account = account;
  script.done = done;
  purple_signal_connect(purple_connections_get_handle(), "signed-on", &handle,
                        PURPLE_CALLBACK(sim_signed_on), NULL);
  purple_signal_connect(purple_connections_get_handle(), "connection-error", &handle,
                        PURPLE_CALLBACK(sim_connection_error), NULL);
  purple_signal_connect(purple_blist_get_handle(), "buddy-signed-on", &handle,
                        PURPLE_CALLBACK(sim_buddy_presence), "buddy-signed-on");
  purple_signal_connect(purple_blist_get_handle(), "buddy-signed-off", &handle,
                        PURPLE_CALLBACK(sim_buddy_presence), "buddy-signed-off");
  g_signal_connect(purple_media_manager_get(), "init-media", G_CALLBACK(sim_init_media), NULL);
  if (opts->timeout >= 0)
    g_timeout_add((guint)(opts->timeout * 1000), sim_script_timed_out, NULL);
}

void
ppm_sim_script_stop(void)
{
  if (script.opts->calls == 0)
    sim_script_finish(PPM_SIM_EXIT_OK, "stopped");
  else
    sim_script_fail("stopped before the script finished");
}
