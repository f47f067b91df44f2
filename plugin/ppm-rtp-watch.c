#include "ppm-rtp-watch.h"

#include <gst/gst.h>
#include <media-gst.h>

/* Shared with the streaming threads: only the two times, written atomically. */
typedef struct
{
  gint64 last[3]; /* indexed by nice component: 1 RTP, 2 RTCP */
} Arrivals;

typedef struct
{
  GstPad *pad;
  gulong probe_id;
} Probe;

struct _PpmRtpWatch
{
  Arrivals *arrivals; /* a GAtomicRcBox shared with each probe */
  GArray *probes;     /* of Probe */
};

typedef struct
{
  Arrivals *arrivals;
  guint component;
} ProbeData;

static void
probe_data_free(gpointer data)
{
  ProbeData *probe_data = data;
  g_atomic_rc_box_release(probe_data->arrivals);
  g_free(probe_data);
}

static GstPadProbeReturn
on_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  ProbeData *probe_data = user_data;
  __atomic_store_n(&probe_data->arrivals->last[probe_data->component], g_get_monotonic_time(),
                   __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

PpmRtpWatch *
ppm_rtp_watch_new(void)
{
  PpmRtpWatch *watch = g_new0(PpmRtpWatch, 1);
  watch->arrivals = g_atomic_rc_box_new0(Arrivals);
  watch->probes = g_array_new(FALSE, FALSE, sizeof(Probe));
  return watch;
}

static gboolean
is_watched(PpmRtpWatch *watch, GstPad *pad)
{
  for (guint i = 0; i < watch->probes->len; i++)
    if (g_array_index(watch->probes, Probe, i).pad == pad)
      return TRUE;
  return FALSE;
}

static void
watch_element(PpmRtpWatch *watch, GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory(element);
  if (factory == NULL || g_strcmp0(GST_OBJECT_NAME(factory), "nicesrc") != 0)
    return;
  guint component = 0;
  g_object_get(element, "component", &component, NULL);
  if (component != 1 && component != 2)
    return;
  g_autoptr(GstPad) pad = gst_element_get_static_pad(element, "src");
  if (pad == NULL || is_watched(watch, pad))
    return;
  ProbeData *probe_data = g_new0(ProbeData, 1);
  probe_data->arrivals = g_atomic_rc_box_acquire(watch->arrivals);
  probe_data->component = component;
  Probe probe = { .pad = g_object_ref(pad) };
  probe.probe_id
      = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                          on_buffer, probe_data, probe_data_free);
  g_array_append_val(watch->probes, probe);
}

/* The call's own bin: the parent of a session's tee ("conf_%p").  The
 * manager's pipeline would hold every call's elements. */
static GstBin *
conference_bin(PurpleMedia *media, const char *session_id)
{
  GstElement *tee = purple_media_get_tee(media, session_id, NULL);
  if (tee == NULL)
    return NULL;
  GstObject *parent = gst_object_get_parent(GST_OBJECT(tee));
  if (parent != NULL && !GST_IS_BIN(parent))
    g_clear_pointer(&parent, gst_object_unref);
  return GST_BIN(parent);
}

guint
ppm_rtp_watch_attach(PpmRtpWatch *watch, PurpleMedia *media)
{
  GList *sessions = purple_media_get_session_ids(media);
  for (GList *l = sessions; l != NULL; l = l->next)
    {
      g_autoptr(GstBin) bin = conference_bin(media, l->data);
      if (bin == NULL)
        continue;
      g_autoptr(GstIterator) it = gst_bin_iterate_recurse(bin);
      GValue item = G_VALUE_INIT;
      gboolean done = FALSE;
      while (!done)
        switch (gst_iterator_next(it, &item))
          {
            case GST_ITERATOR_OK:
              watch_element(watch, g_value_get_object(&item));
              g_value_reset(&item);
              break;
            case GST_ITERATOR_RESYNC:
              gst_iterator_resync(it);
              break;
            case GST_ITERATOR_ERROR:
            case GST_ITERATOR_DONE:
            default:
              done = TRUE;
              break;
          }
      g_value_unset(&item);
    }
  g_list_free(sessions);
  return watch->probes->len;
}

gint64
ppm_rtp_watch_last_rtp(PpmRtpWatch *watch)
{
  return __atomic_load_n(&watch->arrivals->last[1], __ATOMIC_RELAXED);
}

gint64
ppm_rtp_watch_last_rtcp(PpmRtpWatch *watch)
{
  return __atomic_load_n(&watch->arrivals->last[2], __ATOMIC_RELAXED);
}

void
ppm_rtp_watch_free(PpmRtpWatch *watch)
{
  if (watch == NULL)
    return;
  for (guint i = 0; i < watch->probes->len; i++)
    {
      Probe *probe = &g_array_index(watch->probes, Probe, i);
      gst_pad_remove_probe(probe->pad, probe->probe_id);
      gst_object_unref(probe->pad);
    }
  g_array_free(watch->probes, TRUE);
  g_atomic_rc_box_release(watch->arrivals);
  g_free(watch);
}
