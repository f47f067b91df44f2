/* What a stock desktop's GStreamer puts into a libpurple call that cannot
 * work, taken out of this process's registry before the first call. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Initializes GStreamer if needed and removes from this process's registry
 * (never from the cache on disk, so other programs are untouched):
 * - the `srtp` plugin (gstreamer1.0-plugins-bad): farstream puts its encoder
 *   with a null policy into every call, libsrtp 2.5 refuses it and the call
 *   ends right after it is accepted; libpurple's Jingle never negotiates SRTP;
 * - libav's OpenMAX encoders (`avenc_*_omx`, gstreamer1.0-libav): they need
 *   OpenMAX hardware a desktop does not have and refuse every format, but
 *   farstream prefers them for H264 (and MPEG-4), which ends video calls.
 * Idempotent.  Returns how many registry entries were removed. */
guint ppm_gst_registry_drop_broken(void);

G_END_DECLS
