/* The dead-call watchdog (docs/billing-rules.md#dead-calls).
 *
 * Pure logic on a PpmClock: the plugin feeds it what it sees of the caller
 * (RTP and RTCP arrivals, ping answers and errors, presence) and it says when
 * to ping the caller and when the call is dead:
 * - want_ping once no RTP arrived for 2 s, then every 3 s while none arrives
 *   (only when pings are possible, i.e. XMPP);
 * - dead(peer_offline) at once on presence offline or a ping error;
 * - dead(no_media) when no RTP arrived for 5 s and a ping has had no answer
 *   for 10 s, or when neither RTP nor RTCP arrived for no_media_seconds.
 * The end it reports is the moment the caller's RTP last arrived.
 */
#pragma once

#include "ppm-clock.h"
#include "ppm-meter.h"

G_BEGIN_DECLS

typedef struct _PpmLiveness PpmLiveness;

typedef struct
{
  gint64 start_us;      /* the call's CONNECTED: counts as RTP and RTCP seen */
  int no_media_seconds; /* the no_media_seconds preference: default 15, 0 = off */
  gboolean can_ping;    /* the protocol can ping the caller's full JID (XMPP) */
} PpmLivenessConfig;

/* Fills `config` with the defaults (no_media_seconds 15, can_ping FALSE). */
void ppm_liveness_config_init(PpmLivenessConfig *config, gint64 start_us);

typedef struct
{
  /* Send one ping to the caller now; report the result with
   * ppm_liveness_ping_answered() or ppm_liveness_ping_error(). */
  void (*want_ping)(PpmLiveness *liveness, gpointer user_data);
  /* The call is dead: `reason` is PPM_END_PEER_OFFLINE or PPM_END_NO_MEDIA,
   * `end_us` the moment RTP last arrived.  Once; the handler may free the
   * watchdog. */
  void (*dead)(PpmLiveness *liveness, PpmEndReason reason, gint64 end_us, gpointer user_data);
} PpmLivenessEvents;

/* Starts watching at once.  `clock` is referenced; `events` must outlive the
 * watchdog. */
PpmLiveness *ppm_liveness_new(PpmClock *clock, const PpmLivenessConfig *config,
                              const PpmLivenessEvents *events, gpointer user_data);

/* An RTP / RTCP packet of the caller arrived at `at_us`.  Cheap: may be
 * called for every packet. */
void ppm_liveness_rtp_seen(PpmLiveness *liveness, gint64 at_us);
void ppm_liveness_rtcp_seen(PpmLiveness *liveness, gint64 at_us);

/* The caller answered a ping (a frozen caller's answers come late, if ever). */
void ppm_liveness_ping_answered(PpmLiveness *liveness);
/* A ping got an error reply (the caller's server says it is gone). */
void ppm_liveness_ping_error(PpmLiveness *liveness);
/* The caller's full JID (resource) went unavailable. */
void ppm_liveness_presence_offline(PpmLiveness *liveness);

/* When RTP last arrived. */
gint64 ppm_liveness_get_last_rtp(PpmLiveness *liveness);

void ppm_liveness_free(PpmLiveness *liveness);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmLiveness, ppm_liveness_free)

G_END_DECLS
