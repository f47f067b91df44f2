/* Counts the caller's RTP and RTCP where they enter the call, upstream of
 * libpurple's mixer (docs/billing-rules.md#dead-calls): buffer probes on the src pads of
 * the `nicesrc` elements in the call's own conference bin, component 1 being
 * RTP and 2 RTCP.  The probes run on streaming threads and only store the
 * arrival time; the owner reads it from the main loop. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

typedef struct _PpmRtpWatch PpmRtpWatch;

/* Nothing is attached until ppm_rtp_watch_attach() finds the elements. */
PpmRtpWatch *ppm_rtp_watch_new(void);

/* Finds the nicesrc elements of every session of `media` not watched yet and
 * probes them.  Returns how many are watched in all (call again when a
 * session appears later). */
guint ppm_rtp_watch_attach(PpmRtpWatch *watch, PurpleMedia *media);

/* Monotonic time of the last packet, 0 when none arrived yet. */
gint64 ppm_rtp_watch_last_rtp(PpmRtpWatch *watch);
gint64 ppm_rtp_watch_last_rtcp(PpmRtpWatch *watch);

/* Removes every probe; safe after the media is gone. */
void ppm_rtp_watch_free(PpmRtpWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmRtpWatch, ppm_rtp_watch_free)

G_END_DECLS
