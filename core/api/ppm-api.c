/* PpmApi: one request per route over PpmHttpClient, with the token refresh every
 * signed-in request shares; GTask routes for the UI, port callbacks for billing. */
#include "ppm-api.h"

#include "ppm-api-decode.h"
#include "ppm-http-client.h"
#include "ppm-url.h"

struct _PpmApi
{
  GObject parent_instance;
  char *server_url;
  PpmHttpClient *http;
  GMainContext *context;
  char *access_token;
  char *refresh_token;
  char currency[4];
  GPtrArray *refresh_waiters; /* PpmApiCall* waiting for a new access token */
};

G_DEFINE_FINAL_TYPE(PpmApi, ppm_api, G_TYPE_OBJECT)

enum
{
  SIGNAL_REFRESH_TOKEN_CHANGED,
  N_SIGNALS
};
static guint ppm_api_signals[N_SIGNALS];

typedef struct _PpmApiCall PpmApiCall;

/* The three requests of core/ppm-port.h. */
typedef enum
{
  PPM_API_BILLING_OPEN,
  PPM_API_BILLING_CHARGE,
  PPM_API_BILLING_CLOSE,
} PpmApiBilling;

/* Delivers the request's end to its caller; `body` is NULL without an answer. */
typedef void (*PpmApiFinish)(PpmApiCall *call, PpmApiResult *result, GBytes *body);
/* Turns a 2xx answer into the GTask's value. */
typedef gpointer (*PpmApiDecode)(PpmApi *api, JsonNode *root, GError **error);

struct _PpmApiCall
{
  PpmApi *api;
  char *method;
  char *path;
  char *body;
  gboolean auth;
  gboolean refreshed; /* one refresh per request */
  char *sent_token;
  GCancellable *cancellable;
  PpmApiFinish finish;
  /* Requests with a GTask: */
  GTask *task;
  PpmApiDecode decode; /* NULL: the answer has no body (204) */
  GDestroyNotify free_value;
  /* Billing requests: */
  PpmApiBilling billing;
  union
  {
    PpmOpenDone open;
    PpmChargeDone charge;
    PpmCloseDone close;
  } done;
  gpointer user_data;
  gint64 seq;
};

static void ppm_api_call_send(PpmApiCall *call);

/* A JSON body from name/value pairs: "s" strings (skipped when NULL), "i"
 * gint64.  Written directly: a JsonBuilder and JsonGenerator per request cost
 * more than the rest of building the request. */
static char *
ppm_api_body(const char *first_name, ...)
{
  GString *body = g_string_sized_new(128);
  va_list args;

  g_string_append_c(body, '{');
  va_start(args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg(args, const char *))
    {
      const char *type = va_arg(args, const char *);
      const char *text = NULL;
      gint64 number = 0;

      if (type[0] == 'i')
        number = va_arg(args, gint64);
      else if ((text = va_arg(args, const char *)) == NULL)
        continue;
      if (body->len > 1)
        g_string_append_c(body, ',');
      ppm_json_append_string(body, name);
      g_string_append_c(body, ':');
      if (type[0] == 'i')
        g_string_append_printf(body, "%" G_GINT64_FORMAT, number);
      else
        ppm_json_append_string(body, text);
    }
  va_end(args);
  g_string_append_c(body, '}');
  return g_string_free(body, FALSE);
}

static PpmApiCall *
ppm_api_call_new(PpmApi *api, const char *method, char *path, char *body, gboolean auth,
                 GCancellable *cancellable, PpmApiFinish finish)
{
  PpmApiCall *call = g_new0(PpmApiCall, 1);

  call->api = g_object_ref(api);
  call->method = g_strdup(method);
  call->path = path;
  call->body = body;
  call->auth = auth;
  call->cancellable = cancellable != NULL ? g_object_ref(cancellable) : NULL;
  call->finish = finish;
  return call;
}

static void
ppm_api_call_free(PpmApiCall *call)
{
  g_object_unref(call->api);
  g_free(call->method);
  g_free(call->path);
  g_free(call->body);
  g_free(call->sent_token);
  g_clear_object(&call->cancellable);
  g_clear_object(&call->task);
  g_free(call);
}

static void
ppm_api_call_finish(PpmApiCall *call, PpmApiResult *result, GBytes *body)
{
  call->finish(call, result, body);
  ppm_api_call_free(call);
}

/* Ends `call` without an HTTP answer. */
static void
ppm_api_call_fail(PpmApiCall *call, PpmApiErrorCode code, const char *message)
{
  PpmApiResult result = { 0 };

  ppm_api_result_set_failure(&result, code, message);
  ppm_api_call_finish(call, &result, NULL);
  ppm_api_result_clear(&result);
}

static gboolean
ppm_api_call_fail_not_signed_in(gpointer user_data)
{
  ppm_api_call_fail(user_data, PPM_API_ERROR_NOT_SIGNED_IN, "not signed in to the platform");
  return G_SOURCE_REMOVE;
}

static void
ppm_api_call_cancelled(PpmApiCall *call)
{
  /* A GTask always completes; a port request never calls back once cancelled. */
  if (call->task != NULL)
    g_task_return_new_error(call->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  ppm_api_call_free(call);
}

static void
ppm_api_set_tokens(PpmApi *api, const char *access_token, const char *refresh_token)
{
  gboolean changed = g_strcmp0(api->refresh_token, refresh_token) != 0;

  g_free(api->access_token);
  api->access_token = g_strdup(access_token);
  g_free(api->refresh_token);
  api->refresh_token = g_strdup(refresh_token);
  if (changed)
    g_signal_emit(api, ppm_api_signals[SIGNAL_REFRESH_TOKEN_CHANGED], 0, refresh_token);
}

static PpmLogin *
ppm_api_take_login(PpmApi *api, JsonNode *root, GError **error)
{
  PpmLogin *login = ppm_api_decode_login(root, error);

  if (login != NULL)
    ppm_api_set_tokens(api, login->access_token, login->refresh_token);
  return login;
}

static void
ppm_api_refresh_done(PpmApiCall *refresh, PpmApiResult *result, GBytes *body)
{
  PpmApi *api = refresh->api;
  g_autoptr(GPtrArray) waiters = g_steal_pointer(&api->refresh_waiters);
  g_autoptr(PpmLogin) login = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  PpmApiErrorCode code = result->error;
  const char *message = result->message;

  api->refresh_waiters = g_ptr_array_new();
  if (result->kind == PPM_OUTCOME_OK)
    {
      root = ppm_json_parse(body, &error);
      if (root != NULL)
        login = ppm_api_take_login(api, root, &error);
      if (login == NULL)
        {
          code = PPM_API_ERROR_PROTOCOL;
          message = error->message;
        }
    }
  else if (result->kind == PPM_OUTCOME_UNAUTHORIZED || result->kind == PPM_OUTCOME_FINAL)
    {
      ppm_api_set_tokens(api, NULL, NULL);
      code = PPM_API_ERROR_UNAUTHORIZED;
      message = "the platform session expired: sign in again";
    }

  for (guint i = 0; i < waiters->len; i++)
    {
      if (login != NULL)
        ppm_api_call_send(waiters->pdata[i]);
      else
        ppm_api_call_fail(waiters->pdata[i], code, message);
    }
}

/* Parks `call` until a refresh brings a new access token; one refresh at a time. */
static void
ppm_api_wait_for_refresh(PpmApi *api, PpmApiCall *call)
{
  PpmApiCall *refresh;

  call->refreshed = TRUE;
  g_ptr_array_add(api->refresh_waiters, call);
  /* The first waiter starts the refresh; later ones wait for its answer. */
  if (api->refresh_waiters->len > 1)
    return;
  refresh = ppm_api_call_new(api, "POST", g_strdup("/v1/auth/refresh"),
                             ppm_api_body("refresh_token", "s", api->refresh_token, NULL), FALSE,
                             NULL, ppm_api_refresh_done);
  ppm_api_call_send(refresh);
}

static void
ppm_api_on_http_done(const PpmHttpClientResponse *response, gpointer user_data)
{
  PpmApiCall *call = user_data;
  PpmApi *api = call->api;
  PpmApiResult result = { 0 };

  if (response->status == PPM_HTTP_CLIENT_CANCELLED)
    {
      ppm_api_call_cancelled(call);
      return;
    }
  if (response->status == PPM_HTTP_CLIENT_FAILED)
    ppm_api_result_set_failure(&result, PPM_API_ERROR_RETRYABLE, response->error);
  else
    ppm_api_result_classify(&result, (int)response->http_status, response->body,
                            response->retry_after_ms);

  if (result.kind == PPM_OUTCOME_UNAUTHORIZED && call->auth)
    {
      if (api->access_token != NULL && g_strcmp0(call->sent_token, api->access_token) != 0)
        {
          /* Another request refreshed the token meanwhile. */
          ppm_api_result_clear(&result);
          ppm_api_call_send(call);
          return;
        }
      if (!call->refreshed && api->refresh_token != NULL)
        {
          g_clear_pointer(&api->access_token, g_free);
          ppm_api_result_clear(&result);
          ppm_api_wait_for_refresh(api, call);
          return;
        }
      ppm_api_set_tokens(api, NULL, NULL);
    }
  ppm_api_call_finish(call, &result, response->body);
  ppm_api_result_clear(&result);
}

static void
ppm_api_call_send(PpmApiCall *call)
{
  PpmApi *api = call->api;
  g_autofree char *url = NULL;

  if (call->auth && api->access_token == NULL)
    {
      if (api->refresh_token != NULL && !call->refreshed)
        ppm_api_wait_for_refresh(api, call);
      else
        {
          GSource *source = g_idle_source_new();

          g_source_set_callback(source, ppm_api_call_fail_not_signed_in, call, NULL);
          g_source_attach(source, api->context);
          g_source_unref(source);
        }
      return;
    }
  url = g_strconcat(api->server_url, call->path, NULL);
  g_free(call->sent_token);
  call->sent_token = call->auth ? g_strdup(api->access_token) : NULL;
  ppm_http_client_request(api->http, call->method, url, call->sent_token, call->body,
                          call->cancellable, ppm_api_on_http_done, call);
}

/* Requests answered through a GTask. */

static void
ppm_api_task_finish(PpmApiCall *call, PpmApiResult *result, GBytes *body)
{
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  gpointer value;

  if (result->kind != PPM_OUTCOME_OK)
    {
      g_task_return_error(call->task, ppm_api_result_to_error(result));
      return;
    }
  if (call->decode == NULL)
    {
      g_task_return_boolean(call->task, TRUE);
      return;
    }
  root = ppm_json_parse(body, &error);
  value = root != NULL ? call->decode(call->api, root, &error) : NULL;
  if (value == NULL)
    g_task_return_error(call->task, error);
  else
    g_task_return_pointer(call->task, value, call->free_value);
}

/* Takes `path` and `body`. */
static void
ppm_api_task_start(PpmApi *api, const char *method, char *path, char *body, gboolean auth,
                   PpmApiDecode decode, GDestroyNotify free_value, const char *tag,
                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  PpmApiCall *call
      = ppm_api_call_new(api, method, path, body, auth, cancellable, ppm_api_task_finish);

  call->task = g_task_new(api, cancellable, callback, user_data);
  /* Source tags are these route names, compared by content. */
  g_task_set_source_tag(call->task, (gpointer)tag);
  call->decode = decode;
  call->free_value = free_value;
  ppm_api_call_send(call);
}

/* `result` is a task of `api` started for the route `tag`. */
static gboolean
ppm_api_task_is_valid(PpmApi *api, GAsyncResult *result, const char *tag)
{
  return g_task_is_valid(result, api) && g_strcmp0(g_task_get_source_tag(G_TASK(result)), tag) == 0;
}

static gpointer
ppm_api_task_propagate(PpmApi *api, GAsyncResult *result, const char *tag, GError **error)
{
  g_return_val_if_fail(ppm_api_task_is_valid(api, result, tag), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

static gboolean
ppm_api_task_propagate_boolean(PpmApi *api, GAsyncResult *result, const char *tag, GError **error)
{
  g_return_val_if_fail(ppm_api_task_is_valid(api, result, tag), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

static char *
ppm_api_session_path(const char *session_id, const char *tail)
{
  g_autofree char *escaped = g_uri_escape_string(session_id, NULL, FALSE);

  return g_strconcat("/v1/sessions/", escaped, tail, NULL);
}

static gpointer
ppm_api_decode_login_value(PpmApi *api, JsonNode *root, GError **error)
{
  return ppm_api_take_login(api, root, error);
}

void
ppm_api_login(PpmApi *api, const char *email, const char *password, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(api, "POST", g_strdup("/v1/auth/login"),
                     ppm_api_body("email", "s", email, "password", "s", password, NULL), FALSE,
                     ppm_api_decode_login_value, (GDestroyNotify)ppm_login_free, "login",
                     cancellable, callback, user_data);
}

PpmLogin *
ppm_api_login_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate(api, result, "login", error);
}

void
ppm_api_refresh(PpmApi *api, GCancellable *cancellable, GAsyncReadyCallback callback,
                gpointer user_data)
{
  ppm_api_task_start(api, "POST", g_strdup("/v1/auth/refresh"),
                     ppm_api_body("refresh_token", "s", api->refresh_token, NULL), FALSE,
                     ppm_api_decode_login_value, (GDestroyNotify)ppm_login_free, "refresh",
                     cancellable, callback, user_data);
}

PpmLogin *
ppm_api_refresh_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate(api, result, "refresh", error);
}

void
ppm_api_logout(PpmApi *api, GCancellable *cancellable, GAsyncReadyCallback callback,
               gpointer user_data)
{
  if (api->access_token == NULL)
    {
      g_autoptr(GTask) task = g_task_new(api, cancellable, callback, user_data);

      g_task_set_source_tag(task, (gpointer) "logout");
      ppm_api_set_tokens(api, NULL, NULL);
      g_task_return_boolean(task, TRUE);
      return;
    }
  ppm_api_task_start(api, "POST", g_strdup("/v1/auth/logout"), NULL, TRUE, NULL, NULL, "logout",
                     cancellable, callback, user_data);
  /* The request already carries the token; nothing else may use it. */
  ppm_api_set_tokens(api, NULL, NULL);
}

gboolean
ppm_api_logout_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate_boolean(api, result, "logout", error);
}

static gpointer
ppm_api_decode_me_value(PpmApi *api, JsonNode *root, GError **error)
{
  return ppm_api_decode_me(root, api->currency, error);
}

void
ppm_api_me(PpmApi *api, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(api, "GET", g_strdup("/v1/me"), NULL, TRUE, ppm_api_decode_me_value,
                     (GDestroyNotify)ppm_me_free, "me", cancellable, callback, user_data);
}

PpmMe *
ppm_api_me_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate(api, result, "me", error);
}

static gpointer
ppm_api_decode_rate_value(PpmApi *api, JsonNode *root, GError **error)
{
  g_autofree PpmMoney *rate = g_new0(PpmMoney, 1);

  if (!ppm_api_decode_rate(root, api->currency, rate, error))
    return NULL;
  return g_steal_pointer(&rate);
}

void
ppm_api_set_rate(PpmApi *api, gint64 amount_minor, GCancellable *cancellable,
                 GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(
      api, "PUT", g_strdup("/v1/me/rate"), ppm_api_body("amount_minor", "i", amount_minor, NULL),
      TRUE, ppm_api_decode_rate_value, g_free, "set-rate", cancellable, callback, user_data);
}

PpmMoney *
ppm_api_set_rate_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate(api, result, "set-rate", error);
}

static gpointer
ppm_api_decode_handles_value(PpmApi *api, JsonNode *root, GError **error)
{
  return ppm_api_decode_handles(root, error);
}

static void
ppm_api_handles_start(PpmApi *api, const char *method, const char *protocol, const char *handle,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(api, method, g_strdup("/v1/me/handles"),
                     ppm_api_body("protocol", "s", protocol, "handle", "s", handle, NULL), TRUE,
                     ppm_api_decode_handles_value, (GDestroyNotify)g_ptr_array_unref, "handles",
                     cancellable, callback, user_data);
}

void
ppm_api_link_handle(PpmApi *api, const char *protocol, const char *handle,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_handles_start(api, "POST", protocol, handle, cancellable, callback, user_data);
}

void
ppm_api_unlink_handle(PpmApi *api, const char *protocol, const char *handle,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_handles_start(api, "DELETE", protocol, handle, cancellable, callback, user_data);
}

GPtrArray *
ppm_api_handles_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate(api, result, "handles", error);
}

static gpointer
ppm_api_decode_lookup_value(PpmApi *api, JsonNode *root, GError **error)
{
  return ppm_api_decode_lookup(root, error);
}

void
ppm_api_lookup(PpmApi *api, const char *protocol, const char *handle, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *p = g_uri_escape_string(protocol, NULL, FALSE);
  g_autofree char *h = g_uri_escape_string(handle, NULL, FALSE);

  ppm_api_task_start(api, "GET", g_strdup_printf("/v1/members/lookup?protocol=%s&handle=%s", p, h),
                     NULL, TRUE, ppm_api_decode_lookup_value, (GDestroyNotify)ppm_lookup_free,
                     "lookup", cancellable, callback, user_data);
}

PpmLookup *
ppm_api_lookup_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate(api, result, "lookup", error);
}

void
ppm_api_rate_session(PpmApi *api, const char *session_id, int stars, const char *comment,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(api, "POST", ppm_api_session_path(session_id, "/rating"),
                     ppm_api_body("stars", "i", (gint64)stars, "comment", "s", comment, NULL), TRUE,
                     NULL, NULL, "rating", cancellable, callback, user_data);
}

void
ppm_api_rate_app(PpmApi *api, int stars, const char *comment, const char *session_id,
                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(api, "POST", g_strdup("/v1/app-rating"),
                     ppm_api_body("stars", "i", (gint64)stars, "comment", "s", comment,
                                  "session_id", "s", session_id, NULL),
                     TRUE, NULL, NULL, "rating", cancellable, callback, user_data);
}

gboolean
ppm_api_rating_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate_boolean(api, result, "rating", error);
}

static gpointer
ppm_api_decode_sessions_value(PpmApi *api, JsonNode *root, GError **error)
{
  return ppm_api_decode_sessions(root, api->currency, error);
}

static gpointer
ppm_api_decode_transactions_value(PpmApi *api, JsonNode *root, GError **error)
{
  return ppm_api_decode_transactions(root, api->currency, error);
}

static char *
ppm_api_list_path(const char *route, int limit, const char *before)
{
  GString *path = g_string_new(route);
  char separator = '?';

  if (limit > 0)
    {
      g_string_append_printf(path, "%climit=%d", separator, limit);
      separator = '&';
    }
  if (before != NULL)
    {
      g_string_append_c(path, separator);
      g_string_append(path, "before=");
      g_string_append_uri_escaped(path, before, NULL, FALSE);
    }
  return g_string_free(path, FALSE);
}

void
ppm_api_list_sessions(PpmApi *api, int limit, const char *before, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(api, "GET", ppm_api_list_path("/v1/me/sessions", limit, before), NULL, TRUE,
                     ppm_api_decode_sessions_value, (GDestroyNotify)ppm_page_free, "list",
                     cancellable, callback, user_data);
}

void
ppm_api_list_transactions(PpmApi *api, int limit, const char *before, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  ppm_api_task_start(api, "GET", ppm_api_list_path("/v1/me/transactions", limit, before), NULL,
                     TRUE, ppm_api_decode_transactions_value, (GDestroyNotify)ppm_page_free, "list",
                     cancellable, callback, user_data);
}

PpmPage *
ppm_api_list_finish(PpmApi *api, GAsyncResult *result, GError **error)
{
  return ppm_api_task_propagate(api, result, "list", error);
}

/* Billing requests. */

typedef union
{
  PpmOpenAnswer open;
  PpmChargeAnswer charge;
  PpmCloseAnswer close;
} PpmApiBillingAnswer;

/* Decodes the 2xx answer to `call` into its member of `answer`, whose
 * strings `strings` keeps. */
static gboolean
ppm_api_billing_decode(PpmApiCall *call, GBytes *body, GPtrArray *strings,
                       PpmApiBillingAnswer *answer, GError **error)
{
  g_autoptr(JsonNode) root = ppm_json_parse(body, error);
  char *currency = call->api->currency;

  if (root == NULL)
    return FALSE;
  switch (call->billing)
    {
      case PPM_API_BILLING_OPEN:
        return ppm_api_decode_open(root, currency, strings, &answer->open, error);
      case PPM_API_BILLING_CHARGE:
        if (!ppm_api_decode_charge(root, currency, strings, &answer->charge, error))
          return FALSE;
        if (answer->charge.seq != call->seq)
          {
            g_set_error(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL,
                        "the platform answered for another seq");
            return FALSE;
          }
        return TRUE;
      case PPM_API_BILLING_CLOSE:
        return ppm_api_decode_close(root, currency, strings, &answer->close, error);
    }
  g_return_val_if_reached(FALSE);
}

/* Calls the port callback; a 2xx answer that breaks docs/openapi.json is a retryable
 * protocol error. */
static void
ppm_api_billing_finish(PpmApiCall *call, PpmApiResult *result, GBytes *body)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  PpmApiBillingAnswer answer = { 0 };
  PpmOutcome outcome;
  gboolean answered;

  if (result->kind == PPM_OUTCOME_OK
      && !ppm_api_billing_decode(call, body, strings, &answer, &error))
    ppm_api_result_set_failure(result, PPM_API_ERROR_PROTOCOL, error->message);
  ppm_api_result_to_outcome(result, &outcome);
  answered = outcome.kind == PPM_OUTCOME_OK;
  switch (call->billing)
    {
      case PPM_API_BILLING_OPEN:
        call->done.open(&outcome, answered ? &answer.open : NULL, call->user_data);
        break;
      case PPM_API_BILLING_CHARGE:
        call->done.charge(&outcome, answered ? &answer.charge : NULL, call->user_data);
        break;
      case PPM_API_BILLING_CLOSE:
        call->done.close(&outcome, answered ? &answer.close : NULL, call->user_data);
        break;
    }
}

/* Takes `path` and `body`; the caller sets the callback in call->done and sends. */
static PpmApiCall *
ppm_api_billing_call_new(PpmApi *api, PpmApiBilling billing, char *path, char *body,
                         GCancellable *cancellable, gpointer user_data)
{
  PpmApiCall *call
      = ppm_api_call_new(api, "POST", path, body, TRUE, cancellable, ppm_api_billing_finish);

  call->billing = billing;
  call->user_data = user_data;
  return call;
}

void
ppm_api_open(PpmApi *api, const PpmOpenRequest *request, GCancellable *cancellable,
             PpmOpenDone done, gpointer user_data)
{
  /* Only elapsed_ms differs between repeats of one open. */
  char *body
      = ppm_api_body("client_session_id", "s", request->client_session_id, "protocol", "s",
                     request->protocol, "model_handle", "s", request->model_handle, "member_handle",
                     "s", request->member_handle, "elapsed_ms", "i", request->elapsed_ms, NULL);
  PpmApiCall *call = ppm_api_billing_call_new(api, PPM_API_BILLING_OPEN, g_strdup("/v1/sessions"),
                                              body, cancellable, user_data);

  call->done.open = done;
  ppm_api_call_send(call);
}

void
ppm_api_charge(PpmApi *api, const char *session_id, gint64 seq, gint64 elapsed_ms,
               GCancellable *cancellable, PpmChargeDone done, gpointer user_data)
{
  PpmApiCall *call = ppm_api_billing_call_new(
      api, PPM_API_BILLING_CHARGE, ppm_api_session_path(session_id, "/charges"),
      ppm_api_body("seq", "i", seq, "elapsed_ms", "i", elapsed_ms, NULL), cancellable, user_data);

  call->done.charge = done;
  call->seq = seq;
  ppm_api_call_send(call);
}

void
ppm_api_close(PpmApi *api, const char *session_id, const char *reason, gint64 elapsed_ms,
              GCancellable *cancellable, PpmCloseDone done, gpointer user_data)
{
  PpmApiCall *call = ppm_api_billing_call_new(
      api, PPM_API_BILLING_CLOSE, ppm_api_session_path(session_id, "/close"),
      ppm_api_body("reason", "s", reason, "elapsed_ms", "i", elapsed_ms, NULL), cancellable,
      user_data);

  call->done.close = done;
  ppm_api_call_send(call);
}

static void
ppm_api_port_open(gpointer self, const PpmOpenRequest *request, GCancellable *cancellable,
                  PpmOpenDone done, gpointer user_data)
{
  ppm_api_open(self, request, cancellable, done, user_data);
}

static void
ppm_api_port_charge(gpointer self, const char *session_id, gint64 seq, gint64 elapsed_ms,
                    GCancellable *cancellable, PpmChargeDone done, gpointer user_data)
{
  ppm_api_charge(self, session_id, seq, elapsed_ms, cancellable, done, user_data);
}

static void
ppm_api_port_close(gpointer self, const char *session_id, const char *reason, gint64 elapsed_ms,
                   GCancellable *cancellable, PpmCloseDone done, gpointer user_data)
{
  ppm_api_close(self, session_id, reason, elapsed_ms, cancellable, done, user_data);
}

static const PpmPortOps ppm_api_port_ops = {
  .open = ppm_api_port_open,
  .charge = ppm_api_port_charge,
  .close = ppm_api_port_close,
};

PpmPort
ppm_api_get_port(PpmApi *api)
{
  return (PpmPort){ .ops = &ppm_api_port_ops, .self = api };
}

/* The object. */

PpmApi *
ppm_api_new(const char *server_url, GError **error)
{
  g_autofree char *url = ppm_url_validate(server_url, error);
  PpmApi *api;

  if (url == NULL)
    return NULL;
  api = g_object_new(PPM_TYPE_API, NULL);
  api->server_url = g_steal_pointer(&url);
  return api;
}

const char *
ppm_api_get_server_url(PpmApi *api)
{
  return api->server_url;
}

void
ppm_api_set_timeouts(PpmApi *api, guint connect_timeout_ms, guint timeout_ms)
{
  ppm_http_client_set_timeouts(api->http, connect_timeout_ms, timeout_ms);
}

void
ppm_api_set_ca_file(PpmApi *api, const char *ca_file)
{
  ppm_http_client_set_ca_file(api->http, ca_file);
}

gboolean
ppm_api_is_signed_in(PpmApi *api)
{
  return api->access_token != NULL || api->refresh_token != NULL;
}

void
ppm_api_set_refresh_token(PpmApi *api, const char *refresh_token)
{
  ppm_api_set_tokens(api, NULL, refresh_token);
}

const char *
ppm_api_get_currency(PpmApi *api)
{
  return api->currency[0] != '\0' ? api->currency : NULL;
}

guint
ppm_api_get_n_active(PpmApi *api)
{
  return ppm_http_client_get_n_active(api->http);
}

static void
ppm_api_finalize(GObject *object)
{
  PpmApi *api = PPM_API(object);

  ppm_http_client_free(api->http);
  g_main_context_unref(api->context);
  g_ptr_array_unref(api->refresh_waiters);
  g_free(api->server_url);
  g_free(api->access_token);
  g_free(api->refresh_token);
  G_OBJECT_CLASS(ppm_api_parent_class)->finalize(object);
}

static void
ppm_api_class_init(PpmApiClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ppm_api_finalize;

  /* The new refresh token, or NULL when signed out: for a credential store. */
  ppm_api_signals[SIGNAL_REFRESH_TOKEN_CHANGED]
      = g_signal_new("refresh-token-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                     NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ppm_api_init(PpmApi *api)
{
  api->http = ppm_http_client_new();
  api->context = g_main_context_ref_thread_default();
  api->refresh_waiters = g_ptr_array_new();
}
