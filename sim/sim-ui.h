/* What Pidgin gives libpurple and its plugins, headless: conversations,
 * notifications, requests and buddy authorizations become event lines. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

/* Core ui-ops that install the others at purple_core_init(); libpurple's
 * debug output goes to standard error when `debug` is set. */
PurpleCoreUiOps *ppm_sim_ui_get_core_ops(gboolean debug);

/* Defined in sim-request.c. */
PurpleRequestUiOps *ppm_sim_request_get_ui_ops(void);
/* The button to press in the requests opened from now on, until set back to
 * NULL (then they are cancelled).  Matched against the labels without their
 * mnemonic underscores. */
void ppm_sim_request_set_answer(const char *button);

G_END_DECLS
