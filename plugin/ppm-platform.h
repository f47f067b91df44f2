/* The model's platform account: sign-in, the API client, what GET /v1/me
 * says, and the status.  Emits on the plugin handle (docs/plugin-contract.md#ipc):
 *   "ppm-signed-in"   void (void)
 *   "ppm-signing-out" void (void): calls still billed end with signed_out
 *   "ppm-status-changed" void (void) */
#pragma once

#include "ppm-meter.h"
#include "ppm-text.h"
#include "ppm-ui-ops.h"

#include <purple.h>

G_BEGIN_DECLS

void ppm_platform_init(PurplePlugin *plugin);
void ppm_platform_shutdown(void);

/* At load: signs in when `email` is set and the password is in the
 * credential store or in PPM_PASSWORD. */
void ppm_platform_sign_in_headless(void);
/* The "Sign in…" dialog. */
void ppm_platform_sign_in_dialog(void);
/* A sign-in asked for through IPC by a UI with its own dialog. */
void ppm_platform_sign_in_for_ui(const PpmSignInRequest *request);
/* The UI that asked is gone: its pending answers are dropped. */
void ppm_platform_sign_in_forget_ui(void);
/* Unload: drops the pending sign-ins of the UI (their requests are cancelled). */
void ppm_platform_sign_in_shutdown(void);
void ppm_platform_sign_out(void);

gboolean ppm_platform_is_signed_in(void);
/* Signed in and a linked IM account online. */
gboolean ppm_platform_is_connected(void);
char *ppm_platform_status_text(void);
/* The model's rate as the last GET /v1/me said, "2.50" (newly allocated);
 * NULL when signed out or no rate is set. */
char *ppm_platform_rate_text(void);
/* The IM accounts online now whose handle GET /v1/me does not list
 * (PurpleAccount*, borrowed), as far as the last GET /v1/me knows. */
GPtrArray *ppm_platform_unlinked_accounts(void);

/* The port billed calls open their sessions through; NULL when signed out. */
const PpmPort *ppm_platform_port(void);
/* The platform's currency, once known. */
const char *ppm_platform_currency(void);

/* PUT /v1/me/rate with an amount (docs/billing-rules.md#amounts, "2.50"). */
void ppm_platform_set_rate(const char *amount);

typedef void (*PpmLookupDone)(PpmCallerKind kind, const char *display_name, int minutes_affordable,
                              gpointer user_data);
/* GET /v1/members/lookup; PPM_CALLER_SIGNED_OUT at once when signed out. */
void ppm_platform_lookup(const char *protocol, const char *handle, GCancellable *cancellable,
                         PpmLookupDone done, gpointer user_data);

/* POST /v1/app-rating; stars 1–5, comment may be NULL. */
void ppm_platform_rate_app(int stars, const char *comment, const char *session_id);

/* Unload only: sends the close `record` (CLOSE_REQUESTED) asks for and waits
 * for the answer on a private main context, at most `timeout_ms`.  When the
 * platform confirms it, the CLOSED record is journaled and `done` runs with
 * the answer (before this returns).  TRUE when confirmed. */
typedef void (*PpmClosedNow)(const PpmCloseAnswer *answer, gpointer user_data);
gboolean ppm_platform_close_now(const PpmJournalRecord *record, guint timeout_ms, PpmClosedNow done,
                                gpointer user_data);

/* The payment history action. */
void ppm_platform_show_history(void);

G_END_DECLS
