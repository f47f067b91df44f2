/* One incoming call of the model, from init-media to the session's close:
 * the caller lookup and banner, ring timeout and auto-decline, then the
 * billing meter, the dead-call watchdog and every chat line. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

typedef struct _PpmCall PpmCall;

/* Called once the call needs nothing more (the media ended and the session
 * is closed); the owner then frees it. */
typedef void (*PpmCallFinished)(PpmCall *call, gpointer user_data);

PpmCall *ppm_call_new(PurpleMedia *media, PurpleAccount *account, const char *remote_user,
                      PpmCallFinished finished, gpointer user_data);
void ppm_call_free(PpmCall *call);

PurpleAccount *ppm_call_get_account(PpmCall *call);
/* The caller as init-media named it (with a resource on XMPP). */
const char *ppm_call_get_peer(PpmCall *call);
/* The caller's handle: normalized, without a resource. */
const char *ppm_call_get_handle(PpmCall *call);
/* Whether a session is being billed (t0 passed and not yet closed). */
gboolean ppm_call_is_billing(PpmCall *call);

/* The caller went offline (their resource on XMPP, the buddy elsewhere). */
void ppm_call_peer_offline(PpmCall *call);
/* The model's IM account dropped. */
void ppm_call_account_disconnected(PpmCall *call);
/* The model signed in to the platform: a ringing call that was looked up
 * while signed out is looked up again, and its banner says what billing
 * will do. */
void ppm_call_signed_in(PpmCall *call);
/* The model signs out of the platform. */
void ppm_call_signing_out(PpmCall *call);
/* The plugin unloads: journal and send the close, wait up to 2 s for it; the
 * call goes on unbilled.  The call must be freed afterwards. */
void ppm_call_unload(PpmCall *call);

G_END_DECLS
