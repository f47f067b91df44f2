/* Translatable strings of the plugin: text domain "purple-ppm". */
#pragma once

#include <libintl.h>

#define _(s) dgettext(GETTEXT_PACKAGE, s)
#define N_(s) (s)
#define ngettext_ppm(s, p, n) dngettext(GETTEXT_PACKAGE, s, p, n)
