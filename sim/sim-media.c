#include "sim-media.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <purple.h>
#include <media-gst.h>

#include "ppm-gst-registry.h"
#include "sim-events.h"

static gboolean sim_silence;

/* farstream's codec preferences (fs-codec.conf): groups come in order of
 * preference and id=-1 disables a codec; with this file libpurple ignores
 * farstream's defaults.  H264 first and VP8 next as in those defaults (so
 * as in Pidgin); with gstreamer1.0-libav installed H264 needs
 * ppm_gst_registry_drop_broken().  Without the rest RAW video (which the
 * other side cannot decode) or L16 audio may be picked. */
static const char sim_codec_conf[] = "[video/H264]\n\n"
                                     "[video/VP8]\n\n"
                                     "[video/RAW]\nid=-1\n\n"
                                     "[video/JPEG]\nid=-1\n\n"
                                     "[video/VP9]\nid=-1\n\n"
                                     "[audio/L16]\nid=-1\n";

static GstElement *
sim_audio_src_create(PurpleMedia *media, const gchar *sid, const gchar *participant)
{
  GstElement *src = gst_element_factory_make("audiotestsrc", NULL);

  /* Live, or it produces buffers as fast as the CPU allows. */
  g_object_set(src, "is-live", TRUE, "volume", 0.2, NULL);
  if (sim_silence)
    gst_util_set_object_arg(G_OBJECT(src), "wave", "silence");
  return src;
}

static GstElement *
sim_video_src_create(PurpleMedia *media, const gchar *sid, const gchar *participant)
{
  GstElement *src = gst_element_factory_make("videotestsrc", NULL);

  g_object_set(src, "is-live", TRUE, NULL);
  gst_util_set_object_arg(G_OBJECT(src), "pattern", "ball");
  return src;
}

typedef struct
{
  const char *kind;
  char *sid;
  gint seen;
} SimSinkWatch;

static void
sim_sink_watch_free(gpointer data)
{
  SimSinkWatch *watch = data;

  g_free(watch->sid);
  g_free(watch);
}

static void
sim_sink_watch_destroy(gpointer data, GClosure *closure)
{
  sim_sink_watch_free(data);
}

static gboolean
sim_sink_report(gpointer data)
{
  SimSinkWatch *watch = data;

  ppm_sim_event("media-received", "kind", watch->kind, "sid", watch->sid, NULL);
  return G_SOURCE_REMOVE;
}

/* Runs in a streaming thread: the event is printed from the main loop. */
static void
sim_sink_handoff(GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer data)
{
  SimSinkWatch *watch = data;

  if (g_atomic_int_compare_and_exchange(&watch->seen, 0, 1))
    {
      SimSinkWatch *copy = g_new0(SimSinkWatch, 1);

      copy->kind = watch->kind;
      copy->sid = g_strdup(watch->sid);
      g_idle_add_full(G_PRIORITY_DEFAULT, sim_sink_report, copy, sim_sink_watch_free);
    }
}

static GstElement *
sim_sink_create(const char *kind, const gchar *sid)
{
  GstElement *sink = gst_element_factory_make("fakesink", NULL);
  SimSinkWatch *watch = g_new0(SimSinkWatch, 1);

  watch->kind = kind;
  watch->sid = g_strdup(sid);
  g_object_set(sink, "sync", FALSE, "async", FALSE, "signal-handoffs", TRUE, NULL);
  g_signal_connect_data(sink, "handoff", G_CALLBACK(sim_sink_handoff), watch,
                        sim_sink_watch_destroy, 0);
  return sink;
}

static GstElement *
sim_audio_sink_create(PurpleMedia *media, const gchar *sid, const gchar *participant)
{
  return sim_sink_create("audio", sid);
}

static GstElement *
sim_video_sink_create(PurpleMedia *media, const gchar *sid, const gchar *participant)
{
  return sim_sink_create("video", sid);
}

static gboolean
sim_media_add_element(const char *id, PurpleMediaElementType type,
                      PurpleMediaElementCreateCallback create, GError **error)
{
  PurpleMediaManager *manager = purple_media_manager_get();
  PurpleMediaElementInfo *info = g_object_new(purple_media_element_info_get_type(), "id", id,
                                              "name", id, "type", type, "create-cb", create, NULL);

  /* The manager keeps the reference. */
  if (!purple_media_manager_register_element(manager, info)
      || !purple_media_manager_set_active_element(manager, info))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot activate media element %s", id);
      return FALSE;
    }
  return TRUE;
}

gboolean
ppm_sim_media_init(const char *user_dir, gboolean silence, gboolean stock, GError **error)
{
  g_autofree char *conf = g_build_filename(user_dir, "fs-codec.conf", NULL);
  const PurpleMediaElementType src = PURPLE_MEDIA_ELEMENT_SRC | PURPLE_MEDIA_ELEMENT_ONE_SRC;
  const PurpleMediaElementType sink = PURPLE_MEDIA_ELEMENT_SINK | PURPLE_MEDIA_ELEMENT_ONE_SINK;

  sim_silence = silence;
  if (!stock)
    {
      ppm_gst_registry_drop_broken();
      if (!g_file_set_contents(conf, sim_codec_conf, -1, error))
        return FALSE;
    }
  if (!sim_media_add_element("ppm-sim-audio-src", PURPLE_MEDIA_ELEMENT_AUDIO | src,
                             sim_audio_src_create, error)
      || !sim_media_add_element("ppm-sim-audio-sink", PURPLE_MEDIA_ELEMENT_AUDIO | sink,
                                sim_audio_sink_create, error)
      /* Unique, as in Pidgin: libpurple then wraps the source in a bin with
       * the video caps filter that the video session looks for. */
      || !sim_media_add_element("ppm-sim-video-src",
                                PURPLE_MEDIA_ELEMENT_VIDEO | PURPLE_MEDIA_ELEMENT_UNIQUE | src,
                                sim_video_src_create, error)
      || !sim_media_add_element("ppm-sim-video-sink", PURPLE_MEDIA_ELEMENT_VIDEO | sink,
                                sim_video_sink_create, error))
    return FALSE;
  purple_media_manager_set_ui_caps(
      purple_media_manager_get(),
      PURPLE_MEDIA_CAPS_AUDIO | PURPLE_MEDIA_CAPS_AUDIO_SINGLE_DIRECTION | PURPLE_MEDIA_CAPS_VIDEO
          | PURPLE_MEDIA_CAPS_VIDEO_SINGLE_DIRECTION | PURPLE_MEDIA_CAPS_AUDIO_VIDEO);
  return TRUE;
}
