/* Media without a GUI: test sources, fake sinks, codec preferences. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers and activates live audiotestsrc/videotestsrc sources (silent
 * when `silence`) and fakesink sinks, advertises every call capability and
 * writes fs-codec.conf into `user_dir`.  Call before any account connects.
 * A sink that receives its first buffer emits the event
 * `media-received kind=audio|video`. */
gboolean ppm_sim_media_init(const char *user_dir, gboolean silence, GError **error);

G_END_DECLS
