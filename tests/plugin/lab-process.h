/* Child processes of the call and gui tests, started so that they die with
 * the test and stopped by their PID, and the scratch directories they use. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A GSpawnChildSetupFunc: the child gets SIGKILL when the test process dies,
 * also when a failed assertion aborts it. */
void ppm_lab_child_setup(gpointer data);
/* SIGTERM, up to 5 s of grace, then SIGKILL; always reaps; sets *pid to 0. */
void ppm_lab_process_stop(GPid *pid);
/* Waits up to `timeout_ms` for the child to exit; TRUE with its wait status. */
gboolean ppm_lab_process_wait(GPid *pid, int timeout_ms, int *status);

/* Removes a file or a directory with everything in it (symlinks, not their targets). */
void ppm_lab_remove_tree(const char *path);

G_END_DECLS
