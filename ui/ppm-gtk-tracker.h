/* The call tracker: one small always-on-top window per billed call. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  PPM_GTK_TRACK_OPENING,      /* the call is up, the session is being opened */
  PPM_GTK_TRACK_CHARGING,     /* the last charge was confirmed */
  PPM_GTK_TRACK_NOT_CHARGING, /* the platform does not answer; `secured_minutes` are reserved */
  PPM_GTK_TRACK_UNBILLED,     /* billing stopped for good, the call goes on */
  PPM_GTK_TRACK_ENDED,        /* the clock stops */
} PpmGtkTrackState;

/* Money comes formatted ("$4.00"); NULL fields are shown as unknown. */
typedef struct
{
  const char *caller_name;
  const char *caller_status; /* "funded member", ... */
  PpmGtkTrackState state;
  int secured_minutes;
  const char *reason; /* why it ended or stopped billing, in words */
  const char *detail; /* the last chat line about the call */
  gint64 elapsed_ms;  /* since t0, or -1 to keep the window's own count */
  const char *rate;   /* per minute */
  gint64 minutes_charged;
  const char *total;
  const char *earnings; /* the model's share after the fee */
} PpmGtkTrackerData;

typedef struct _PpmGtkTracker PpmGtkTracker;

/* Shown where the user last put a tracker if that spot is free, else in the
 * corner's column (ppm-gtk-corner.h).  The clock starts at 00:00 now. */
PpmGtkTracker *ppm_gtk_tracker_new(void);
void ppm_gtk_tracker_update(PpmGtkTracker *tracker, const PpmGtkTrackerData *data);
/* Shows the window again after the user closed it. */
void ppm_gtk_tracker_present(PpmGtkTracker *tracker);
/* Shows "Ended" and stops the clock, keeping what the call came to. */
void ppm_gtk_tracker_end(PpmGtkTracker *tracker);
void ppm_gtk_tracker_free(PpmGtkTracker *tracker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmGtkTracker, ppm_gtk_tracker_free)

G_END_DECLS
