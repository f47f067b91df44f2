/* plugin/ppm-gst-registry.c on this machine's real GStreamer: what breaks
 * calls is gone from the process's registry and stays gone.  Each test
 * skips when the package it is about is not installed. */
#include "ppm-gst-registry.h"

#include <gst/gst.h>

static gboolean had_srtp; /* gstreamer1.0-plugins-bad */
static gboolean had_omx;  /* gstreamer1.0-libav */

static gboolean
factory_exists(const char *name)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find(name);
  return factory != NULL;
}

static void
test_srtp_gone(void)
{
  if (!had_srtp)
    {
      g_test_skip("GStreamer's srtp plugin is not installed");
      return;
    }
  ppm_gst_registry_drop_broken();
  GstPlugin *srtp = gst_registry_find_plugin(gst_registry_get(), "srtp");
  g_assert_null(srtp);
  g_assert_false(factory_exists("srtpenc"));
  g_assert_false(factory_exists("srtpdec"));
  GstElement *enc = gst_element_factory_make("srtpenc", NULL);
  g_assert_null(enc);
}

static void
test_omx_encoders_gone(void)
{
  if (!had_omx)
    {
      g_test_skip("libav's OpenMAX encoders are not installed");
      return;
    }
  ppm_gst_registry_drop_broken();
  g_assert_false(factory_exists("avenc_h264_omx"));
  g_assert_false(factory_exists("avenc_mpeg4_omx"));
  /* A libav decoder, as a call with H264 would use: loading libav does not
   * bring its encoders back. */
  g_autoptr(GstElement) decoder = gst_element_factory_make("avdec_h264", NULL);
  g_assert_nonnull(decoder);
  g_assert_false(factory_exists("avenc_h264_omx"));
  /* The rest of libav stays. */
  g_assert_true(factory_exists("avenc_mpeg4"));
}

static void
test_idempotent(void)
{
  ppm_gst_registry_drop_broken();
  g_assert_cmpuint(ppm_gst_registry_drop_broken(), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  gst_init(NULL, NULL);
  GstPlugin *srtp = gst_registry_find_plugin(gst_registry_get(), "srtp");
  had_srtp = srtp != NULL;
  g_clear_pointer(&srtp, gst_object_unref);
  had_omx = factory_exists("avenc_h264_omx");
  g_test_add_func("/plugin/gst-registry/srtp-gone", test_srtp_gone);
  g_test_add_func("/plugin/gst-registry/omx-encoders-gone", test_omx_encoders_gone);
  g_test_add_func("/plugin/gst-registry/idempotent", test_idempotent);
  return g_test_run();
}
