#include "ppm-platform.h"

#include "ppm-calls.h"
#include "ppm-i18n.h"
#include "ppm-journal-hook.h"
#include "ppm-link.h"
#include "ppm-platform-api.h"
#include "ppm-prefs.h"
#include "ppm-secret.h"
#include "ppm-status.h"

#include <string.h>

/* How long signing out waits for billed calls to close their sessions. */
#define SIGN_OUT_WAIT_MS 5000
#define SIGN_OUT_POLL_MS 100

static PurplePlugin *platform_plugin;
static PpmApi *api;
static PpmPort port;
static PpmMe *me;
static gboolean signed_in;
static char *refresh_token; /* kept in memory only, for the close at unload */
static GCancellable *cancellable;
static guint sign_out_wait;
static gint64 sign_out_deadline;

PpmApi *
ppm_platform_get_api(void)
{
  return api;
}

GCancellable *
ppm_platform_get_cancellable(void)
{
  return cancellable;
}

const PpmMe *
ppm_platform_get_me(void)
{
  return signed_in ? me : NULL;
}

char *
ppm_platform_rate_text(void)
{
  const PpmMe *known = ppm_platform_get_me();
  return known != NULL && known->has_rate ? ppm_money_format_plain(&known->rate) : NULL;
}

gboolean
ppm_platform_is_signed_in(void)
{
  return signed_in && api != NULL && ppm_api_is_signed_in(api);
}

const PpmPort *
ppm_platform_port(void)
{
  return ppm_platform_is_signed_in() ? &port : NULL;
}

const char *
ppm_platform_currency(void)
{
  if (me != NULL)
    return me->billing.currency;
  return api != NULL ? ppm_api_get_currency(api) : NULL;
}

static void
status_changed(void)
{
  purple_signal_emit(platform_plugin, "ppm-status-changed");
}

/* ---- status ---- */

/* The handles GET /v1/me lists (borrowed from `me`). */
static GArray *
linked_handles(void)
{
  GArray *linked = g_array_new(FALSE, FALSE, sizeof(PpmImHandle));
  if (me != NULL && me->handles != NULL)
    for (guint i = 0; i < me->handles->len; i++)
      {
        PpmHandle *handle = g_ptr_array_index(me->handles, i);
        PpmImHandle h = { handle->protocol, handle->handle };
        g_array_append_val(linked, h);
      }
  return linked;
}

/* The IM accounts now connected, and their handles (borrowed from them). */
static GArray *
online_handles(GPtrArray *accounts)
{
  GArray *online = g_array_new(FALSE, FALSE, sizeof(PpmImHandle));
  for (GList *l = purple_accounts_get_all_active(); l != NULL; l = g_list_delete_link(l, l))
    {
      PurpleAccount *account = l->data;
      if (!purple_account_is_connected(account))
        continue;
      PpmImHandle h
          = { purple_account_get_protocol_id(account), purple_account_get_username(account) };
      g_array_append_val(online, h);
      g_ptr_array_add(accounts, account);
    }
  return online;
}

static PpmStatus *
compute_status(void)
{
  g_autoptr(GArray) linked = linked_handles();
  g_autoptr(GPtrArray) accounts = g_ptr_array_new();
  g_autoptr(GArray) online = online_handles(accounts);
  return ppm_status_compute(ppm_platform_is_signed_in(), (PpmImHandle *)linked->data, linked->len,
                            (PpmImHandle *)online->data, online->len);
}

GPtrArray *
ppm_platform_unlinked_accounts(void)
{
  g_autoptr(GArray) linked = linked_handles();
  GPtrArray *accounts = g_ptr_array_new();
  g_autoptr(GArray) online = online_handles(accounts);
  /* Backwards, so that removing keeps the indices of the rest. */
  for (guint i = online->len; i > 0; i--)
    if (ppm_handle_in(&g_array_index(online, PpmImHandle, i - 1), (PpmImHandle *)linked->data,
                      linked->len))
      g_ptr_array_remove_index(accounts, i - 1);
  return accounts;
}

gboolean
ppm_platform_is_connected(void)
{
  g_autoptr(PpmStatus) status = compute_status();
  return status->connected;
}

char *
ppm_platform_status_text(void)
{
  g_autoptr(PpmStatus) status = compute_status();
  return g_strdup(status->text);
}

/* ---- the client ---- */

static void
on_refresh_token_changed(PpmApi *source, const char *token, gpointer data)
{
  g_free(refresh_token);
  refresh_token = g_strdup(token);
}

/* A client for the configured URL, replacing the old one when the URL or the
 * CA file changed. */
static gboolean
ensure_api(GError **error)
{
  const char *url = purple_prefs_get_string(PPM_PREF_SERVER_URL);
  if (url == NULL || *url == '\0')
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                  _("The platform URL is not set (Settings)."));
      return FALSE;
    }
  g_autofree char *wanted = g_strdup(url);
  g_strstrip(wanted);
  while (g_str_has_suffix(wanted, "/"))
    wanted[strlen(wanted) - 1] = '\0';
  if (api != NULL && g_strcmp0(ppm_api_get_server_url(api), wanted) == 0)
    {
      ppm_api_set_ca_file(api, purple_prefs_get_string(PPM_PREF_CA_FILE));
      return TRUE;
    }
  g_clear_object(&api);
  api = ppm_api_new(wanted, error);
  if (api == NULL)
    return FALSE;
  ppm_api_set_ca_file(api, purple_prefs_get_string(PPM_PREF_CA_FILE));
  g_signal_connect(api, "refresh-token-changed", G_CALLBACK(on_refresh_token_changed), NULL);
  port = ppm_api_get_port(api);
  return TRUE;
}

char *
ppm_platform_error_words(const GError *error)
{
  if (error->domain == PPM_API_ERROR)
    switch (error->code)
      {
        case PPM_API_ERROR_UNAUTHORIZED:
          return g_strdup(_("Wrong email or password, or the account is disabled."));
        case PPM_API_ERROR_RATE_LIMITED:
          return g_strdup(_("Too many failed attempts: try again in a few minutes."));
        case PPM_API_ERROR_INVALID_URL:
          return g_strdup_printf(_("The platform URL is not valid: %s"), error->message);
        case PPM_API_ERROR_RETRYABLE:
        case PPM_API_ERROR_PROTOCOL:
          {
            /* libcurl says why a connection failed; a certificate problem is
             * one the model can act on differently (the CA file setting). */
            g_autofree char *lower = g_ascii_strdown(error->message, -1);
            if (strstr(lower, "ssl") != NULL || strstr(lower, "certificate") != NULL
                || strstr(lower, "tls") != NULL)
              return g_strdup_printf(_("TLS problem: no secure connection to the platform "
                                       "(check its certificate and the CA file setting): %s"),
                                     error->message);
            return g_strdup_printf(_("The platform is unreachable: %s"), error->message);
          }
        default:
          break;
      }
  return g_strdup(error->message);
}

static void
on_me(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  PpmMe *fresh = ppm_api_me_finish(PPM_API(source), result, &error);
  if (fresh == NULL)
    {
      if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        purple_debug_warning("ppm", "GET /v1/me: %s\n", error->message);
      return;
    }
  g_clear_pointer(&me, ppm_me_free);
  me = fresh;
  status_changed();
}

void
ppm_platform_refresh_me(void)
{
  if (ppm_platform_is_signed_in())
    ppm_api_me(api, cancellable, on_me, NULL);
}

typedef struct
{
  char *email;
  char *password;
  gboolean remember;
  PpmSignInDone done;
  gpointer user_data;
} SignIn;

static void
sign_in_free(SignIn *request)
{
  if (request->password != NULL)
    memset(request->password, 0, strlen(request->password));
  g_free(request->password);
  g_free(request->email);
  g_free(request);
}

static void
on_login(GObject *source, GAsyncResult *result, gpointer data)
{
  SignIn *request = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmLogin) login = ppm_api_login_finish(PPM_API(source), result, &error);
  if (login == NULL)
    {
      if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *words = ppm_platform_error_words(error);
          purple_debug_warning("ppm", "sign-in as %s failed: %s\n", request->email, words);
          if (request->done != NULL)
            request->done(error, request->user_data);
        }
      sign_in_free(request);
      return;
    }
  on_refresh_token_changed(NULL, login->refresh_token, NULL);
  if (request->remember)
    ppm_secret_store(purple_prefs_get_string(PPM_PREF_SERVER_URL), request->email,
                     request->password);
  purple_prefs_set_string(PPM_PREF_EMAIL, request->email);
  signed_in = TRUE;
  purple_debug_info("ppm", "signed in as %s\n", request->email);
  if (request->done != NULL)
    request->done(NULL, request->user_data);
  sign_in_free(request);
  ppm_platform_refresh_me();
  purple_signal_emit(platform_plugin, "ppm-signed-in");
  status_changed();
}

void
ppm_platform_sign_in(const char *email, const char *password, gboolean remember, PpmSignInDone done,
                     gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  if (!ensure_api(&error))
    {
      if (done != NULL)
        done(error, user_data);
      return;
    }
  SignIn *request = g_new0(SignIn, 1);
  request->email = g_strdup(email);
  request->password = g_strdup(password);
  request->remember = remember;
  request->done = done;
  request->user_data = user_data;
  ppm_api_login(api, email, password, cancellable, on_login, request);
}

static void
on_stored_password(char *password, gpointer data)
{
  g_autofree char *email = data;
  /* PPM_PASSWORD is meant for headless use only (servers, tests). */
  if (password == NULL)
    password = g_strdup(g_getenv("PPM_PASSWORD"));
  if (password == NULL)
    return;
  ppm_platform_sign_in(email, password, FALSE, NULL, NULL);
  memset(password, 0, strlen(password));
  g_free(password);
}

void
ppm_platform_sign_in_headless(void)
{
  const char *email = purple_prefs_get_string(PPM_PREF_EMAIL);
  const char *url = purple_prefs_get_string(PPM_PREF_SERVER_URL);
  if (email == NULL || *email == '\0' || url == NULL || *url == '\0')
    return;
  ppm_secret_lookup(url, email, cancellable, on_stored_password, g_strdup(email));
}

static void
on_logout(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  if (!ppm_api_logout_finish(PPM_API(source), result, &error))
    purple_debug_info("ppm", "logout: %s\n", error->message);
}

static gboolean
finish_sign_out(gpointer data)
{
  if (ppm_calls_billing_count() > 0 && g_get_monotonic_time() < sign_out_deadline)
    return G_SOURCE_CONTINUE;
  sign_out_wait = 0;
  if (api != NULL)
    ppm_api_logout(api, NULL, on_logout, NULL);
  signed_in = FALSE;
  g_clear_pointer(&me, ppm_me_free);
  g_clear_pointer(&refresh_token, g_free);
  status_changed();
  return G_SOURCE_REMOVE;
}

void
ppm_platform_sign_out(void)
{
  if (!signed_in || sign_out_wait != 0)
    return;
  const char *email = purple_prefs_get_string(PPM_PREF_EMAIL);
  if (api != NULL && email != NULL)
    ppm_secret_forget(purple_prefs_get_string(PPM_PREF_SERVER_URL), email);
  /* Billed calls end with signed_out; their closes need the token still. */
  purple_signal_emit(platform_plugin, "ppm-signing-out");
  sign_out_deadline = g_get_monotonic_time() + SIGN_OUT_WAIT_MS * 1000;
  sign_out_wait = g_timeout_add(SIGN_OUT_POLL_MS, finish_sign_out, NULL);
}

/* ---- requests of a call ---- */

typedef struct
{
  PpmLookupDone done;
  gpointer user_data;
  GCancellable *cancellable;
} Lookup;

static void
lookup_free(Lookup *request)
{
  g_clear_object(&request->cancellable);
  g_free(request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Lookup, lookup_free)

static void
on_lookup(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(Lookup) request = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmLookup) lookup = ppm_api_lookup_finish(PPM_API(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (lookup == NULL)
    {
      purple_debug_warning("ppm", "lookup failed: %s\n", error->message);
      request->done(PPM_CALLER_UNKNOWN, NULL, -1, request->user_data);
      return;
    }
  static const PpmCallerKind kinds[] = {
    [PPM_LOOKUP_FUNDED] = PPM_CALLER_FUNDED,
    [PPM_LOOKUP_UNFUNDED] = PPM_CALLER_UNFUNDED,
    [PPM_LOOKUP_NOT_MEMBER] = PPM_CALLER_NOT_MEMBER,
  };
  PpmCallerKind kind = kinds[lookup->status];
  if (lookup->billing_refused && kind != PPM_CALLER_NOT_MEMBER)
    kind = PPM_CALLER_NOT_ALLOWED;
  request->done(kind, lookup->display_name, lookup->minutes_affordable, request->user_data);
}

static gboolean
lookup_signed_out(gpointer data)
{
  g_autoptr(Lookup) request = data;
  if (!g_cancellable_is_cancelled(request->cancellable))
    request->done(PPM_CALLER_SIGNED_OUT, NULL, -1, request->user_data);
  return G_SOURCE_REMOVE;
}

void
ppm_platform_lookup(const char *protocol, const char *handle, GCancellable *call_cancellable,
                    PpmLookupDone done, gpointer user_data)
{
  Lookup *request = g_new0(Lookup, 1);
  request->done = done;
  request->user_data = user_data;
  request->cancellable = g_object_ref(call_cancellable);
  if (!ppm_platform_is_signed_in())
    {
      /* Answered from the main loop like a real lookup; the call outlives
       * one iteration since it holds the PurpleMedia. */
      g_idle_add(lookup_signed_out, request);
      return;
    }
  ppm_api_lookup(api, protocol, handle, call_cancellable, on_lookup, request);
}

static void
on_rating(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  if (!ppm_api_rating_finish(PPM_API(source), result, &error))
    purple_debug_warning("ppm", "app rating: %s\n", error->message);
}

void
ppm_platform_rate_app(int stars, const char *comment, const char *session_id)
{
  if (ppm_platform_is_signed_in())
    ppm_api_rate_app(api, stars, comment, session_id, cancellable, on_rating, NULL);
}

static void
on_rate_set(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree PpmMoney *rate = ppm_api_set_rate_finish(PPM_API(source), result, &error);
  if (rate == NULL)
    {
      if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        purple_notify_error(platform_plugin, _("Rate"), _("The rate was not changed."),
                            error->message);
      return;
    }
  ppm_platform_refresh_me();
}

void
ppm_platform_set_rate(const char *amount)
{
  g_autoptr(GError) error = NULL;
  gint64 minor = 0;
  const char *currency = ppm_platform_currency();
  if (!ppm_platform_is_signed_in())
    g_set_error(&error, PPM_API_ERROR, PPM_API_ERROR_NOT_SIGNED_IN,
                _("Sign in to the platform first."));
  else if (ppm_text_parse_amount(amount, currency != NULL ? currency : "USD", &minor, &error))
    {
      ppm_api_set_rate(api, minor, cancellable, on_rate_set, NULL);
      return;
    }
  purple_notify_error(platform_plugin, _("Rate"), _("The rate was not changed."), error->message);
}

/* ---- unload ---- */

typedef struct
{
  const PpmJournalRecord *record;
  PpmClosedNow done;
  gpointer user_data;
  gboolean answered;
  gboolean confirmed;
} CloseWait;

static void
on_close_now(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer data)
{
  CloseWait *wait = data;
  wait->answered = TRUE;
  /* 409/410: the session is closed already, which is what we wanted. */
  wait->confirmed = outcome->kind == PPM_OUTCOME_OK || ppm_outcome_session_gone(outcome);
  if (!wait->confirmed)
    return;
  PpmJournalRecord closed = *wait->record;
  closed.kind = PPM_JOURNAL_CLOSED;
  closed.reason = NULL;
  if (answer != NULL)
    {
      closed.periods_charged = answer->periods_charged;
      closed.total_minor = answer->total_minor;
      closed.currency = answer->currency;
    }
  g_autoptr(GError) error = NULL;
  if (!ppm_journal_hook_record(&closed, &error))
    purple_debug_error("ppm", "journal: %s\n", error->message);
  if (answer != NULL)
    wait->done(answer, wait->user_data);
}

static gboolean
on_close_deadline(gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ppm_platform_close_now(const PpmJournalRecord *record, guint timeout_ms, PpmClosedNow done,
                       gpointer user_data)
{
  if (api == NULL || refresh_token == NULL)
    return FALSE;
  /* The one place that waits: a client of its own on a private context, so
   * that nothing else of libpurple runs meanwhile. */
  g_autoptr(GMainContext) context = g_main_context_new();
  g_main_context_push_thread_default(context);
  CloseWait wait = { .record = record, .done = done, .user_data = user_data };
  gboolean expired = FALSE;
  PpmApi *closer = ppm_api_new(ppm_api_get_server_url(api), NULL);
  if (closer != NULL)
    {
      ppm_api_set_ca_file(closer, purple_prefs_get_string(PPM_PREF_CA_FILE));
      ppm_api_set_refresh_token(closer, refresh_token);
      g_autoptr(GSource) deadline = g_timeout_source_new(timeout_ms);
      g_source_set_callback(deadline, on_close_deadline, &expired, NULL);
      g_source_attach(deadline, context);
      g_autoptr(GCancellable) cancel = g_cancellable_new();
      ppm_api_close(closer, record->session_id, record->reason, record->elapsed_ms, cancel,
                    on_close_now, &wait);
      while (!wait.answered && !expired)
        g_main_context_iteration(context, TRUE);
      g_cancellable_cancel(cancel);
      g_source_destroy(deadline);
      g_object_unref(closer);
      /* Let the cancelled transfer wind down on this context. */
      while (g_main_context_iteration(context, FALSE))
        ;
    }
  g_main_context_pop_thread_default(context);
  return wait.confirmed;
}

/* ---- life cycle ---- */

static void
on_account_changed(PurpleAccount *account, gpointer data)
{
  status_changed();
}

/* The plugin's own signals (docs/plugin-contract.md#ipc), none with arguments. */
static const char *const platform_signals[]
    = { "ppm-signed-in", "ppm-signing-out", "ppm-status-changed" };

void
ppm_platform_init(PurplePlugin *plugin)
{
  platform_plugin = plugin;
  cancellable = g_cancellable_new();
  for (gsize i = 0; i < G_N_ELEMENTS(platform_signals); i++)
    purple_signal_register(plugin, platform_signals[i], purple_marshal_VOID, NULL, 0);
  purple_signal_connect(purple_accounts_get_handle(), "account-signed-on", plugin,
                        PURPLE_CALLBACK(on_account_changed), NULL);
  purple_signal_connect(purple_accounts_get_handle(), "account-signed-off", plugin,
                        PURPLE_CALLBACK(on_account_changed), NULL);
}

void
ppm_platform_shutdown(void)
{
  g_cancellable_cancel(cancellable);
  g_clear_object(&cancellable);
  ppm_platform_sign_in_shutdown();
  ppm_history_shutdown();
  ppm_link_shutdown();
  ppm_secret_shutdown();
  g_clear_handle_id(&sign_out_wait, g_source_remove);
  g_clear_object(&api);
  g_clear_pointer(&me, ppm_me_free);
  g_clear_pointer(&refresh_token, g_free);
  signed_in = FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(platform_signals); i++)
    purple_signal_unregister(platform_plugin, platform_signals[i]);
  platform_plugin = NULL;
}
