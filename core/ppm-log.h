/* core/'s log.  Every module writes under its own domain (ppm-api,
 * ppm-journal, ppm-meter, ...) through ppm_log_*(); a host that shows logs
 * its own way (core-ppm: Pidgin's Debug window) sets a handler, and without
 * one GLib's default logging writes them.  Deliberately not a GLib log
 * writer: that belongs to the whole process, not to a plugin inside it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*PpmLogHandler)(const char *domain, GLogLevelFlags level, const char *message,
                              gpointer user_data);

/* Sends every later message to `handler`; NULL gives them back to GLib. */
void ppm_log_set_handler(PpmLogHandler handler, gpointer user_data);

void ppm_log(const char *domain, GLogLevelFlags level, const char *format, ...) G_GNUC_PRINTF(3, 4);

#define ppm_log_warning(...) ppm_log(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, __VA_ARGS__)
#define ppm_log_message(...) ppm_log(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, __VA_ARGS__)
#define ppm_log_info(...) ppm_log(G_LOG_DOMAIN, G_LOG_LEVEL_INFO, __VA_ARGS__)

G_END_DECLS
