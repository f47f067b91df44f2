#include "sim-script.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sim-events.h"

/* One call, from init-media to its END. */
typedef struct
{
  guint id; /* 1, 2, ... in the order the calls began; printed as call=ID */
  PurpleMedia *media;
  char *peer;
  const PpmSimCallScript *script;
  gboolean initiator;
  double started_at;
  double connected_at;
  gboolean connected;
  gboolean accepted;
  gboolean held;
  const char *local_end;  /* "hangup" or "rejected" once sent from here */
  const char *remote_end; /* the same, announced by the peer */
} SimCall;

/* A --peer: whom a member calls, and how many times so far. */
typedef struct
{
  const char *jid;
  guint caps_poll_id;
  int calls_started;
  int calls_ended;
} SimPeer;

typedef struct
{
  const PpmSimOptions *opts;
  PurpleAccount *account;
  PpmSimDoneFunc done;
  gboolean finished;
  int calls_ended;
  guint last_id;
  GPtrArray *calls; /* of SimCall: the calls in progress */
  GPtrArray *peers; /* of SimPeer */
} SimScript;

static SimScript script;

static void sim_peer_place_call_later(SimPeer *peer, double seconds);

static void
sim_call_free(SimCall *call)
{
  g_free(call->peer);
  g_free(call);
}

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

/* The call in progress with this id; NULL once it is over (timers and
 * signals carry the id, never the call). */
static SimCall *
sim_call_lookup(gpointer id)
{
  if (script.finished)
    return NULL;
  for (guint i = 0; i < script.calls->len; i++)
    {
      SimCall *call = g_ptr_array_index(script.calls, i);

      if (call->id == GPOINTER_TO_UINT(id))
        return call;
    }
  return NULL;
}

static gpointer
sim_call_key(SimCall *call)
{
  return GUINT_TO_POINTER(call->id);
}

/* Runs `func` after `seconds` (never when negative) unless the call it was
 * armed for is over by then. */
static void
sim_call_after(SimCall *call, double seconds, GSourceFunc func)
{
  if (seconds >= 0)
    g_timeout_add((guint)(seconds * 1000), func, sim_call_key(call));
}

static char *
sim_call_id_text(SimCall *call)
{
  return g_strdup_printf("%u", call->id);
}

/* An event about one call with one more field: "NAME KEY=VALUE peer call". */
static void
sim_call_event(SimCall *call, const char *name, const char *key, const char *value)
{
  g_autofree char *id = sim_call_id_text(call);

  ppm_sim_event(name, key, value, "peer", call->peer, "call", id, NULL);
}

static void
sim_call_send(SimCall *call, PurpleMediaInfoType type)
{
  purple_media_stream_info(call->media, type, NULL, NULL, TRUE);
}

static gboolean
sim_call_end_overdue(gpointer id)
{
  if (sim_call_lookup(id) != NULL)
    sim_script_fail("the call did not end within --call-timeout of its hangup");
  return G_SOURCE_REMOVE;
}

static void
sim_call_end_from_here(SimCall *call, PurpleMediaInfoType type, const char *why)
{
  call->local_end = why;
  sim_call_after(call, script.opts->call_timeout, sim_call_end_overdue);
  /* Last: the END it may emit at once frees the call. */
  sim_call_send(call, type);
}

static gboolean
sim_call_hangup(gpointer id)
{
  SimCall *call = sim_call_lookup(id);

  if (call != NULL && call->local_end == NULL)
    sim_call_end_from_here(call, PURPLE_MEDIA_INFO_HANGUP, "hangup");
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_cancel(gpointer id)
{
  SimCall *call = sim_call_lookup(id);

  if (call != NULL && !call->connected)
    return sim_call_hangup(id);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_answer(gpointer id)
{
  SimCall *call = sim_call_lookup(id);

  if (call == NULL || call->local_end != NULL)
    return G_SOURCE_REMOVE;
  if (script.opts->decline)
    sim_call_end_from_here(call, PURPLE_MEDIA_INFO_REJECT, "rejected");
  else
    sim_call_send(call, PURPLE_MEDIA_INFO_ACCEPT);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_resume(gpointer id)
{
  SimCall *call = sim_call_lookup(id);

  if (call != NULL)
    sim_call_send(call, PURPLE_MEDIA_INFO_UNHOLD);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_hold(gpointer id)
{
  SimCall *call = sim_call_lookup(id);

  if (call != NULL)
    {
      sim_call_after(call, call->script->hold_for, sim_call_resume);
      sim_call_send(call, PURPLE_MEDIA_INFO_HOLD);
    }
  return G_SOURCE_REMOVE;
}

/* Leaves without a word to the peer, like a crash. */
static gboolean
sim_call_vanish(gpointer id)
{
  if (sim_call_lookup(id) != NULL)
    {
      ppm_sim_event("vanished", NULL);
      _exit(PPM_SIM_EXIT_OK);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_freeze(gpointer id)
{
  if (sim_call_lookup(id) != NULL)
    {
      ppm_sim_event("frozen", NULL);
      raise(SIGSTOP);
      ppm_sim_event("thawed", NULL);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
sim_call_setup_overdue(gpointer id)
{
  SimCall *call = sim_call_lookup(id);

  if (call != NULL && !call->connected && call->local_end == NULL)
    sim_script_fail("the call did not connect within --call-timeout");
  return G_SOURCE_REMOVE;
}

static char *
sim_seconds_text(double seconds)
{
  return g_strdup_printf("%.6f", seconds);
}

static void
sim_call_connected(SimCall *call, const char *sid, const char *participant)
{
  g_autofree char *setup = sim_seconds_text(ppm_sim_now() - call->started_at);
  g_autofree char *id = sim_call_id_text(call);

  /* `peer` is the participant here, as it always was. */
  ppm_sim_event("connected", "sid", sid, "peer", participant, "setup", setup, "call", id, NULL);
  if (call->connected)
    return;
  call->connected = TRUE;
  call->connected_at = ppm_sim_now();
  sim_call_after(call, call->script->hangup_after, sim_call_hangup);
  sim_call_after(call, call->script->hold_after, sim_call_hold);
  sim_call_after(call, script.opts->vanish_after, sim_call_vanish);
  sim_call_after(call, script.opts->freeze_after, sim_call_freeze);
}

static const char *
sim_call_end_reason(SimCall *call)
{
  if (call->local_end != NULL)
    return call->local_end;
  if (call->remote_end != NULL)
    return call->remote_end;
  if (call->connected)
    return "hangup";
  return call->initiator ? "rejected" : "cancelled";
}

static gboolean
sim_call_met_expectation(SimCall *call)
{
  switch (script.opts->expect)
    {
      case PPM_SIM_EXPECT_CONNECTED:
        return call->connected;
      case PPM_SIM_EXPECT_ENDED:
        return !call->connected;
      case PPM_SIM_EXPECT_ANY:
        break;
    }
  return TRUE;
}

static SimPeer *
sim_peer_find(const char *jid)
{
  for (guint i = 0; i < script.peers->len; i++)
    {
      SimPeer *peer = g_ptr_array_index(script.peers, i);

      if (ppm_sim_jid_same_user(peer->jid, jid))
        return peer;
    }
  return NULL;
}

/* Whether every call of the script has ended: --calls to take for a model,
 * --calls to each peer for a member. */
static gboolean
sim_script_complete(void)
{
  const PpmSimOptions *opts = script.opts;

  if (opts->calls == 0)
    return FALSE;
  if (opts->role == PPM_SIM_ROLE_MODEL)
    return script.calls_ended >= opts->calls;
  for (guint i = 0; i < script.peers->len; i++)
    if (((SimPeer *)g_ptr_array_index(script.peers, i))->calls_ended < opts->calls)
      return FALSE;
  return TRUE;
}

static void
sim_call_ended(SimCall *call)
{
  g_autofree char *duration
      = sim_seconds_text(call->connected ? ppm_sim_now() - call->connected_at : 0.0);
  g_autofree char *id = sim_call_id_text(call);
  SimPeer *peer = call->initiator ? sim_peer_find(call->peer) : NULL;
  gboolean as_expected = sim_call_met_expectation(call);
  gboolean connected = call->connected;

  ppm_sim_event("ended", "who", call->local_end != NULL ? "local" : "remote", "why",
                sim_call_end_reason(call), "connected", call->connected ? "1" : "0", "duration",
                duration, "peer", call->peer, "call", id, NULL);
  g_ptr_array_remove_fast(script.calls, call);
  script.calls_ended++;
  if (peer != NULL)
    peer->calls_ended++;
  if (!as_expected)
    sim_script_fail(connected ? "the call connected, against --expect"
                              : "the call ended before it connected");
  else if (sim_script_complete())
    sim_script_finish(PPM_SIM_EXIT_OK, NULL);
  else if (peer != NULL && (script.opts->calls == 0 || peer->calls_started < script.opts->calls))
    sim_peer_place_call_later(peer, script.opts->pause);
}

static void
sim_media_state_changed(PurpleMedia *media, PurpleMediaState state, const char *sid,
                        const char *participant, gpointer id)
{
  SimCall *call = sim_call_lookup(id);

  if (call == NULL)
    return;
  if (state == PURPLE_MEDIA_STATE_END && sid == NULL && participant == NULL)
    sim_call_ended(call);
  else if (state == PURPLE_MEDIA_STATE_CONNECTED && sid != NULL && participant != NULL)
    sim_call_connected(call, sid, participant);
  else if (state == PURPLE_MEDIA_STATE_NEW && sid != NULL && participant != NULL
           && (purple_media_get_session_type(media, sid) & PURPLE_MEDIA_RECV_VIDEO))
    /* Window 0: received video goes to the sink without a GUI window. */
    purple_media_set_output_window(media, sid, participant, 0);
}

static void
sim_media_stream_info(PurpleMedia *media, PurpleMediaInfoType type, const char *sid,
                      const char *participant, gboolean local, gpointer id)
{
  SimCall *call = sim_call_lookup(id);
  const char *who = local ? "local" : "remote";
  const char **end;

  if (call == NULL)
    return;
  end = local ? &call->local_end : &call->remote_end;
  if (type == PURPLE_MEDIA_INFO_ACCEPT && !call->accepted)
    {
      call->accepted = TRUE;
      sim_call_event(call, "call-accepted", "who", who);
    }
  else if (type == PURPLE_MEDIA_INFO_HOLD && !call->held)
    {
      call->held = TRUE;
      sim_call_event(call, "held", "who", who);
    }
  else if (type == PURPLE_MEDIA_INFO_UNHOLD && call->held)
    {
      call->held = FALSE;
      sim_call_event(call, "resumed", "who", who);
    }
  else if (type == PURPLE_MEDIA_INFO_HANGUP && *end == NULL)
    *end = "hangup";
  else if (type == PURPLE_MEDIA_INFO_REJECT && *end == NULL)
    *end = "rejected";
}

static SimCall *
sim_call_begin(PurpleMedia *media, const char *remote_user, gboolean initiator)
{
  SimCall *call = g_new0(SimCall, 1);

  call->id = ++script.last_id;
  call->media = media;
  call->peer = g_strdup(remote_user);
  call->script = ppm_sim_options_script_for(script.opts, remote_user);
  call->initiator = initiator;
  call->started_at = ppm_sim_now();
  g_ptr_array_add(script.calls, call);
  g_signal_connect(media, "state-changed", G_CALLBACK(sim_media_state_changed), sim_call_key(call));
  g_signal_connect(media, "stream-info", G_CALLBACK(sim_media_stream_info), sim_call_key(call));
  return call;
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
  g_autofree char *id = NULL;
  SimCall *call;

  if (account != script.account || script.finished)
    return TRUE;
  g_object_get(media, "initiator", &initiator, NULL);
  if (initiator)
    {
      call = sim_call_begin(media, remote_user, TRUE);
      sim_call_after(call, script.opts->call_timeout, sim_call_setup_overdue);
      sim_call_after(call, call->script->cancel_after, sim_call_cancel);
      return TRUE;
    }
  if (script.calls->len >= (guint)script.opts->max_calls)
    {
      /* No more calls at once than --max-calls, as a person would. */
      ppm_sim_event("call-incoming", "peer", remote_user, "busy", "1", NULL);
      g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, sim_call_reject_busy, g_object_ref(media),
                      g_object_unref);
      return TRUE;
    }
  call = sim_call_begin(media, remote_user, FALSE);
  id = sim_call_id_text(call);
  ppm_sim_event("call-incoming", "peer", remote_user, "call", id, NULL);
  /* Accepted later (at the earliest from an idle callback): the streams do
   * not exist yet. */
  if (call->script->answer_after >= 0 && !script.opts->decline)
    sim_call_after(call, call->script->answer_after + script.opts->call_timeout,
                   sim_call_setup_overdue);
  sim_call_after(call, call->script->answer_after, sim_call_answer);
  return TRUE;
}

static gboolean
sim_peer_poll_caps(gpointer data)
{
  SimPeer *peer = data;
  const PpmSimOptions *opts = script.opts;
  PurpleMediaCaps want = opts->video ? PURPLE_MEDIA_CAPS_AUDIO_VIDEO : PURPLE_MEDIA_CAPS_AUDIO;

  if (script.finished)
    {
      peer->caps_poll_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (!(purple_prpl_get_media_caps(script.account, peer->jid) & want))
    return G_SOURCE_CONTINUE;
  peer->caps_poll_id = 0;
  peer->calls_started++;
  ppm_sim_event("calling", "peer", peer->jid, "video", opts->video ? "1" : "0", NULL);
  if (!purple_prpl_initiate_media(script.account, peer->jid,
                                  opts->video ? PURPLE_MEDIA_AUDIO | PURPLE_MEDIA_VIDEO
                                              : PURPLE_MEDIA_AUDIO))
    sim_script_fail("libpurple refused to start the call");
  return G_SOURCE_REMOVE;
}

static gboolean
sim_peer_place_call(gpointer data)
{
  SimPeer *peer = data;

  if (peer->caps_poll_id == 0 && !script.finished)
    peer->caps_poll_id = g_timeout_add(100, sim_peer_poll_caps, peer);
  return G_SOURCE_REMOVE;
}

static void
sim_peer_place_call_later(SimPeer *peer, double seconds)
{
  g_timeout_add((guint)(seconds * 1000), sim_peer_place_call, peer);
}

static void
sim_buddy_add(const char *jid)
{
  g_autofree char *bare = ppm_sim_bare_jid(jid);

  if (purple_find_buddy(script.account, bare) == NULL)
    {
      PurpleBuddy *buddy = purple_buddy_new(script.account, bare, NULL);

      purple_blist_add_buddy(buddy, NULL, NULL, NULL);
      purple_account_add_buddy(script.account, buddy);
    }
}

static void
sim_signed_on(PurpleConnection *gc, gpointer data)
{
  if (purple_connection_get_account(gc) != script.account)
    return;
  ppm_sim_event("signed-on", "account", script.opts->account, NULL);
  /* Both sides add each other; the other side authorizes automatically. */
  for (guint i = 0; i < script.peers->len; i++)
    {
      SimPeer *peer = g_ptr_array_index(script.peers, i);

      sim_buddy_add(peer->jid);
      if (script.opts->role == PPM_SIM_ROLE_MEMBER && peer->calls_started == 0)
        sim_peer_place_call(peer);
    }
}

static void
sim_connection_error(PurpleConnection *gc, PurpleConnectionError err, const char *desc,
                     gpointer data)
{
  ppm_sim_event("connection-error", "text", desc, NULL);
  if (!script.opts->survive_disconnect)
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
  script.calls = g_ptr_array_new_with_free_func((GDestroyNotify)sim_call_free);
  script.peers = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; opts->peers[i] != NULL; i++)
    {
      SimPeer *peer = g_new0(SimPeer, 1);

      peer->jid = opts->peers[i];
      g_ptr_array_add(script.peers, peer);
    }
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
