/* The end reasons (docs/billing-rules.md#end-reasons) as they go on the wire. */
#include "ppm-meter.h"

static const char *const reason_names[] = {
  [PPM_END_LOCAL_HANGUP] = "local_hangup",
  [PPM_END_REMOTE_HANGUP] = "remote_hangup",
  [PPM_END_INSUFFICIENT_FUNDS] = "insufficient_funds",
  [PPM_END_UNBILLED_TOO_LONG] = "unbilled_too_long",
  [PPM_END_SESSION_GONE] = "session_gone",
  [PPM_END_PEER_OFFLINE] = "peer_offline",
  [PPM_END_NO_MEDIA] = "no_media",
  [PPM_END_RING_TIMEOUT] = "ring_timeout",
  [PPM_END_LOCAL_DISCONNECT] = "local_disconnect",
  [PPM_END_SIGNED_OUT] = "signed_out",
  [PPM_END_JOURNAL_ERROR] = "journal_error",
  [PPM_END_CLIENT_RESTART] = "client_restart",
  [PPM_END_PLUGIN_UNLOADED] = "plugin_unloaded",
  [PPM_END_SUPERSEDED] = "superseded",
  [PPM_END_EXPIRED] = "expired",
};

const char *
ppm_end_reason_to_string(PpmEndReason reason)
{
  g_return_val_if_fail((guint)reason < G_N_ELEMENTS(reason_names), NULL);
  return reason_names[reason];
}

gboolean
ppm_end_reason_from_string(const char *text, PpmEndReason *reason)
{
  for (guint i = 0; i < G_N_ELEMENTS(reason_names); i++)
    if (g_strcmp0(reason_names[i], text) == 0)
      {
        *reason = (PpmEndReason)i;
        return TRUE;
      }
  return FALSE;
}
