/* Pidgin 2.14 under Xvfb for tests: a free display, a fresh config dir with
 * core-ppm, gtk-ppm and the test hook (gtk-ppm-test-hook) loaded, the hook
 * to drive and read gtk-ppm's windows.  Every process is started and stopped by its PID. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GPid xvfb;
  GPid pidgin;
  int display;
  char *dir;      /* Pidgin's config dir (-c), removed by ppm_pidgin_lab_free() */
  char *socket;   /* the test hook's */
  char *log_path; /* Pidgin's stdout and stderr, kept as an artifact */
  GSocketConnection *hook;
  GDataInputStream *replies;
} PpmPidginLab;

/* What goes into the config dir before Pidgin starts. */
typedef struct
{
  const char *accounts_xml;           /* NULL: no account */
  const char *const *extra_prefs_xml; /* <pref> elements under /plugins/core/ppm, or NULL */
  const char *const *env;             /* extra VAR=value for Pidgin, or NULL */
} PpmPidginLabConfig;

/* The plugins come from PPM_CORE_PLUGIN, PPM_GTK_PLUGIN and
 * PPM_GTK_HOOK_PLUGIN (paths to ppm.so, gtk-ppm.so and gtk-ppm-test-hook.so).  Returns once the
 * hook answers. */
PpmPidginLab *ppm_pidgin_lab_start(const PpmPidginLabConfig *config, GError **error);
/* Sends one command line (arguments already escaped) and returns the reply
 * after "ok " (unescaped, "" for a bare "ok"); NULL with an error otherwise. */
char *ppm_pidgin_lab_command(PpmPidginLab *lab, GError **error, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
/* The dump of gtk-ppm's windows. */
char *ppm_pidgin_lab_dump(PpmPidginLab *lab, GError **error);
/* Polls the dump until it contains `needle` (TRUE) or `timeout_ms` passes. */
gboolean ppm_pidgin_lab_wait_dump(PpmPidginLab *lab, const char *needle, int timeout_ms);
/* The value shown by one widget ("ppm-state") in the first window whose dump
 * line ("window ppm-tracker ... title=Call with Alice") contains `window`. */
char *ppm_pidgin_lab_widget(PpmPidginLab *lab, const char *window, const char *widget);
/* Saves a screenshot as ARTIFACTS/NAME.png (artifacts dir from
 * PPM_GUI_ARTIFACTS, else the current directory): of the first visible
 * window whose title matches `window_title`, or of the whole display. */
gboolean ppm_pidgin_lab_screenshot(PpmPidginLab *lab, const char *name, const char *window_title,
                                   GError **error);
/* Runs xdotool against the lab's display. */
gboolean ppm_pidgin_lab_xdotool(PpmPidginLab *lab, GError **error, const char *first_arg,
                                ...) G_GNUC_NULL_TERMINATED;
/* Asks Pidgin to quit (SIGTERM: it unloads every plugin) and waits up to 10 s;
 * TRUE with its wait status. */
gboolean ppm_pidgin_lab_quit(PpmPidginLab *lab, int *status);
/* Stops Pidgin (SIGTERM, then SIGKILL) and Xvfb, removes the config dir. */
void ppm_pidgin_lab_free(PpmPidginLab *lab);

/* Escapes one argument value for a hook command line. */
char *ppm_pidgin_lab_escape(const char *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmPidginLab, ppm_pidgin_lab_free)

G_END_DECLS
