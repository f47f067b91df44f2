/* The dead-call watchdog (see ppm-liveness.h).
 *
 * RTP arrives ~50 times a second, so inputs only record times; one timer,
 * armed at the next instant a rule could fire, re-evaluates everything.  A
 * timer that finds RTP arrived meanwhile simply re-arms for later.  Ping
 * times are computed from the last RTP (2 s, 5 s, 8 s, ... after it), never
 * chained off the previous ping.
 */
#include "ppm-liveness.h"

#define PING_AFTER_US (2 * G_USEC_PER_SEC)
#define PING_EVERY_US (3 * G_USEC_PER_SEC)
#define PING_PATIENCE_US (10 * G_USEC_PER_SEC)
#define NO_TIME G_MAXINT64

struct _PpmLiveness
{
  PpmClock *clock;
  PpmLivenessEvents events;
  gpointer user_data;
  gint64 no_media_us; /* 0: off */
  gboolean can_ping;

  gint64 last_rtp;
  gint64 last_rtcp;
  gint64 next_ping;       /* when the next ping is due; NO_TIME: not pinging */
  gint64 unanswered_ping; /* when the oldest unanswered ping went out; NO_TIME: none */
  gboolean dead;
  guint timer;
  gint64 timer_at;
};

static void liveness_check(PpmLiveness *self);

void
ppm_liveness_config_init(PpmLivenessConfig *config, gint64 start_us)
{
  *config = (PpmLivenessConfig){ .start_us = start_us, .no_media_seconds = 15 };
}

static void
declare_dead(PpmLiveness *self, PpmEndReason reason)
{
  if (self->dead)
    return;
  self->dead = TRUE;
  ppm_clock_clear_timeout(self->clock, &self->timer);
  /* Last: the handler may free the watchdog. */
  if (self->events.dead != NULL)
    self->events.dead(self, reason, self->last_rtp, self->user_data);
}

static void
on_timer(gpointer user_data)
{
  PpmLiveness *self = user_data;

  self->timer = 0;
  liveness_check(self);
}

static void
arm_timer(PpmLiveness *self, gint64 at)
{
  if (self->timer != 0 && self->timer_at == at)
    return;
  ppm_clock_clear_timeout(self->clock, &self->timer);
  if (at == NO_TIME)
    return;
  self->timer_at = at;
  self->timer = ppm_clock_add_timeout(self->clock, at, on_timer, self);
}

/* The ping due at or before `now` in the schedule 2 s, 5 s, 8 s ... after the
 * last RTP; NO_TIME before the first. */
static gint64
ping_slot(PpmLiveness *self, gint64 now)
{
  gint64 first = self->last_rtp + PING_AFTER_US;

  if (now < first)
    return NO_TIME;
  return first + (now - first) / PING_EVERY_US * PING_EVERY_US;
}

static void
liveness_check(PpmLiveness *self)
{
  gint64 now = ppm_clock_now_monotonic(self->clock);
  gint64 next = NO_TIME;

  if (self->dead)
    return;
  if (self->no_media_us > 0)
    {
      gint64 silent_until = MAX(self->last_rtp, self->last_rtcp) + self->no_media_us;

      if (now >= silent_until)
        {
          declare_dead(self, PPM_END_NO_MEDIA);
          return;
        }
      next = silent_until;
    }
  if (self->can_ping)
    {
      gint64 slot = ping_slot(self, now);

      if (self->unanswered_ping != NO_TIME && now >= self->unanswered_ping + PING_PATIENCE_US)
        {
          declare_dead(self, PPM_END_NO_MEDIA);
          return;
        }
      if (self->unanswered_ping != NO_TIME)
        next = MIN(next, self->unanswered_ping + PING_PATIENCE_US);
      if (slot != NO_TIME && slot >= self->next_ping)
        {
          self->next_ping = slot + PING_EVERY_US;
          if (self->unanswered_ping == NO_TIME)
            {
              self->unanswered_ping = slot;
              next = MIN(next, slot + PING_PATIENCE_US);
            }
          arm_timer(self, MIN(next, self->next_ping));
          /* Last: the handler may answer at once (and so re-enter). */
          if (self->events.want_ping != NULL)
            self->events.want_ping(self, self->user_data);
          return;
        }
      next = MIN(next, slot == NO_TIME ? self->last_rtp + PING_AFTER_US : self->next_ping);
    }
  arm_timer(self, next);
}

PpmLiveness *
ppm_liveness_new(PpmClock *clock, const PpmLivenessConfig *config, const PpmLivenessEvents *events,
                 gpointer user_data)
{
  PpmLiveness *self = g_new0(PpmLiveness, 1);

  self->clock = ppm_clock_ref(clock);
  if (events != NULL)
    self->events = *events;
  self->user_data = user_data;
  self->no_media_us = (gint64)MAX(config->no_media_seconds, 0) * G_USEC_PER_SEC;
  self->can_ping = config->can_ping;
  self->last_rtp = config->start_us;
  self->last_rtcp = config->start_us;
  self->next_ping = 0;
  self->unanswered_ping = NO_TIME;
  liveness_check(self);
  return self;
}

void
ppm_liveness_rtp_seen(PpmLiveness *self, gint64 at_us)
{
  if (at_us <= self->last_rtp)
    return;
  self->last_rtp = at_us;
  /* Media flows again: no ping is awaited; the schedule restarts from here. */
  self->next_ping = 0;
  if (self->unanswered_ping != NO_TIME)
    {
      self->unanswered_ping = NO_TIME;
      liveness_check(self);
    }
}

void
ppm_liveness_rtcp_seen(PpmLiveness *self, gint64 at_us)
{
  self->last_rtcp = MAX(self->last_rtcp, at_us);
}

void
ppm_liveness_ping_answered(PpmLiveness *self)
{
  self->unanswered_ping = NO_TIME;
  liveness_check(self);
}

void
ppm_liveness_ping_error(PpmLiveness *self)
{
  declare_dead(self, PPM_END_PEER_OFFLINE);
}

void
ppm_liveness_presence_offline(PpmLiveness *self)
{
  declare_dead(self, PPM_END_PEER_OFFLINE);
}

gint64
ppm_liveness_get_last_rtp(PpmLiveness *self)
{
  return self->last_rtp;
}

void
ppm_liveness_free(PpmLiveness *self)
{
  if (self == NULL)
    return;
  ppm_clock_clear_timeout(self->clock, &self->timer);
  ppm_clock_unref(self->clock);
  g_free(self);
}
