/* Media without a GUI: test sources, fake sinks, codec preferences. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers and activates live audiotestsrc/videotestsrc sources (silent
 * when `silence`) and fakesink sinks and advertises every call capability.
 * Unless `stock`, also writes fs-codec.conf into `user_dir` and takes out of
 * GStreamer's registry what breaks calls (plugin/ppm-gst-registry.h); with
 * `stock` the process sees GStreamer as a desktop's Pidgin does.  Call before
 * any account connects.  A sink that receives its first buffer emits the
 * event `media-received kind=audio|video`. */
gboolean ppm_sim_media_init(const char *user_dir, gboolean silence, gboolean stock, GError **error);

G_END_DECLS
