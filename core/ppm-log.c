#include "ppm-log.h"

G_LOCK_DEFINE_STATIC(ppm_log);
static PpmLogHandler ppm_log_handler;
static gpointer ppm_log_user_data;

void
ppm_log_set_handler(PpmLogHandler handler, gpointer user_data)
{
  G_LOCK(ppm_log);
  ppm_log_handler = handler;
  ppm_log_user_data = user_data;
  G_UNLOCK(ppm_log);
}

void
ppm_log(const char *domain, GLogLevelFlags level, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);

  G_LOCK(ppm_log);
  PpmLogHandler handler = ppm_log_handler;
  gpointer user_data = ppm_log_user_data;
  G_UNLOCK(ppm_log);
  if (handler != NULL)
    handler(domain, level, message, user_data);
  else
    g_log(domain, level, "%s", message);
}
