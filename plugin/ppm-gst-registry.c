#include "ppm-gst-registry.h"

#include <gst/gst.h>

static guint
drop_srtp(GstRegistry *registry)
{
  GstPlugin *srtp = gst_registry_find_plugin(registry, "srtp");
  if (srtp == NULL)
    return 0;
  gst_registry_remove_plugin(registry, srtp);
  gst_object_unref(srtp);
  return 1;
}

static gboolean
is_omx_encoder(GstPluginFeature *feature, gpointer data)
{
  return GST_IS_ELEMENT_FACTORY(feature)
         && g_strcmp0(gst_plugin_feature_get_plugin_name(feature), "libav") == 0
         && g_str_has_suffix(gst_plugin_feature_get_name(feature), "_omx")
         && gst_element_factory_list_is_type(GST_ELEMENT_FACTORY(feature),
                                             GST_ELEMENT_FACTORY_TYPE_ENCODER);
}

static guint
drop_omx_encoders(GstRegistry *registry)
{
  GstPlugin *libav = gst_registry_find_plugin(registry, "libav");
  if (libav == NULL)
    return 0;
  /* Loaded first: loading it later (for a decoder) would register its
   * encoders again. */
  GstPlugin *loaded = gst_plugin_load(libav);
  gst_object_unref(libav);
  if (loaded == NULL)
    return 0;
  gst_object_unref(loaded);
  GList *omx = gst_registry_feature_filter(registry, is_omx_encoder, FALSE, NULL);
  guint n = 0;
  for (GList *l = omx; l != NULL; l = l->next, n++)
    gst_registry_remove_feature(registry, l->data);
  gst_plugin_feature_list_free(omx);
  return n;
}

guint
ppm_gst_registry_drop_broken(void)
{
  if (!gst_is_initialized() && !gst_init_check(NULL, NULL, NULL))
    return 0;
  GstRegistry *registry = gst_registry_get();
  return drop_srtp(registry) + drop_omx_encoders(registry);
}
