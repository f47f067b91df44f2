/* The incoming-call banner: who is calling, shown before the call is answered. */
#pragma once

#include "ppm-ui-ops.h"

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _PpmGtkBanner PpmGtkBanner;

PpmGtkBanner *ppm_gtk_banner_new(void);
/* Fills the banner and shows it; may be called again when the lookup answers. */
void ppm_gtk_banner_show(PpmGtkBanner *banner, const PpmBanner *data);
void ppm_gtk_banner_free(PpmGtkBanner *banner);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmGtkBanner, ppm_gtk_banner_free)

G_END_DECLS
