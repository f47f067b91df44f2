/* libcurl's multi interface on a GLib main context.
 *
 * One GSource drives the whole multi handle: it polls every socket curl asks
 * to watch (CURLMOPT_SOCKETFUNCTION) and wakes up at curl's deadline
 * (CURLMOPT_TIMERFUNCTION), so no source is created or
 * destroyed per socket event, and the main loop prepares and checks one
 * source however many transfers run.  A second source, at idle priority,
 * hands finished transfers to their callbacks.
 *
 * Neither source holds the loop for long: each dispatch does a time slice
 * of work (socket events and transfer starts in one, deliveries in another)
 * and leaves the rest for the next iteration, so a burst of answers or of
 * new requests never stalls the other sources of the loop.  Poll readiness
 * is level-triggered: a socket left for later is simply reported again. */
#include "ppm-http-client.h"

#include <curl/curl.h>

/* The work one dispatch may do before it yields to the rest of the loop. */
#define PPM_HTTP_CLIENT_SLICE_US 500
/* Easy handles kept for reuse: creating one zeroes tens of kilobytes. */
#define PPM_HTTP_CLIENT_MAX_SPARE_EASY 16

typedef struct
{
  PpmHttpClient *http;
  CURL *easy;
  struct curl_slist *headers;
  GByteArray *received;
  gboolean too_large;
  gboolean replayed;
  gboolean started; /* handed to curl */
  char errbuf[CURL_ERROR_SIZE];
  CURLcode result; /* once curl reported the transfer done */
  GCancellable *cancellable;
  gulong cancelled_id;
  gint cancelled; /* atomic: set by the cancellable's handler, any thread */
  PpmHttpClientDone done;
  gpointer user_data;
} PpmHttpClientRequest;

/* A socket curl wants watched; curl_multi_assign() keeps it for the socket.
 * It is freed on CURL_POLL_REMOVE, so a descriptor number reused by a new
 * connection starts with a fresh watch and no stale readiness. */
typedef struct
{
  curl_socket_t fd;
  GPollFD pollfd;
  gboolean polled; /* pollfd is added to the source */
#ifdef G_OS_WIN32
  GIOChannel *channel; /* Windows polls an event object tied to the socket */
#endif
} PpmHttpClientWatch;

typedef struct
{
  GSource source;
  PpmHttpClient *http;
} PpmHttpClientSource;

struct _PpmHttpClient
{
  CURLM *multi;
  GMainContext *context;
  GSource *io;           /* PpmHttpClientSource: the sockets and curl's timer */
  gint64 curl_deadline;  /* monotonic time curl wants to be called at, -1 for none */
  GHashTable *requests;  /* PpmHttpClientRequest* set */
  GPtrArray *spare_easy; /* reset easy handles, for the next requests */
  GPtrArray *watches;    /* PpmHttpClientWatch* */
  guint connect_timeout_ms;
  guint timeout_ms;
  char *ca_file;
  GQueue waiting;       /* PpmHttpClientRequest* not handed to curl yet */
  GQueue finished;      /* PpmHttpClientRequest* done, waiting for delivery */
  GSource *deliver;     /* delivers `finished` at idle priority */
  gint pending_cancels; /* atomic */
  guint dispatch_depth; /* > 0 while callbacks run: freeing is deferred */
  gboolean free_pending;
};

static void ppm_http_client_destroy(PpmHttpClient *http);

static void
ppm_http_client_global_init(void)
{
  static gsize done = 0;

  if (g_once_init_enter(&done))
    {
      if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        g_error("curl_global_init failed");
      g_once_init_leave(&done, 1);
    }
}

/* Watches */

static void
ppm_http_client_watch_set_events(PpmHttpClient *http, PpmHttpClientWatch *watch, gushort events)
{
#ifdef G_OS_WIN32
  g_io_channel_win32_make_pollfd(watch->channel, (GIOCondition)events, &watch->pollfd);
#else
  watch->pollfd.fd = watch->fd;
  watch->pollfd.events = events;
#endif
  /* A socket nobody waits on is not polled at all: poll() would still
   * report its hang-up and spin the loop. */
  if (events != 0 && !watch->polled)
    g_source_add_poll(http->io, &watch->pollfd);
  else if (events == 0 && watch->polled)
    g_source_remove_poll(http->io, &watch->pollfd);
  watch->polled = events != 0;
  watch->pollfd.revents = 0;
}

static PpmHttpClientWatch *
ppm_http_client_watch_new(PpmHttpClient *http, curl_socket_t fd)
{
  PpmHttpClientWatch *watch = g_new0(PpmHttpClientWatch, 1);

  watch->fd = fd;
#ifdef G_OS_WIN32
  watch->channel = g_io_channel_win32_new_socket((int)fd);
#endif
  g_ptr_array_add(http->watches, watch);
  curl_multi_assign(http->multi, fd, watch);
  return watch;
}

static void
ppm_http_client_watch_free(PpmHttpClient *http, PpmHttpClientWatch *watch)
{
  ppm_http_client_watch_set_events(http, watch, 0);
#ifdef G_OS_WIN32
  g_io_channel_unref(watch->channel);
#endif
  g_ptr_array_remove_fast(http->watches, watch);
  g_free(watch);
}

static int
ppm_http_client_on_socket(CURL *easy, curl_socket_t fd, int what, void *user_data,
                          void *socket_data)
{
  PpmHttpClient *http = user_data;
  PpmHttpClientWatch *watch = socket_data;
  gushort events = 0;

  if (what == CURL_POLL_REMOVE)
    {
      if (watch != NULL)
        ppm_http_client_watch_free(http, watch);
      return 0;
    }
  if (watch == NULL)
    watch = ppm_http_client_watch_new(http, fd);
  if (what & CURL_POLL_IN)
    events |= G_IO_IN;
  if (what & CURL_POLL_OUT)
    events |= G_IO_OUT;
  ppm_http_client_watch_set_events(http, watch, events);
  return 0;
}

/* curl must not be called back from inside this callback: the io source
 * calls it at the deadline, 0 meaning its next dispatch. */
static int
ppm_http_client_on_timer(CURLM *multi, long timeout_ms, void *user_data)
{
  PpmHttpClient *http = user_data;

  if (timeout_ms < 0)
    http->curl_deadline = -1;
  else
    http->curl_deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  return 0;
}

/* Requests */

static void
ppm_http_client_request_free(PpmHttpClientRequest *request)
{
  if (request->cancellable != NULL)
    {
      /* Waits for the handler if another thread is running it. */
      g_cancellable_disconnect(request->cancellable, request->cancelled_id);
      g_object_unref(request->cancellable);
    }
  if (request->started)
    curl_multi_remove_handle(request->http->multi, request->easy);
  if (request->http->spare_easy->len < PPM_HTTP_CLIENT_MAX_SPARE_EASY)
    {
      /* Back to curl_easy_init()'s state; curl's caches live in the multi. */
      curl_easy_reset(request->easy);
      g_ptr_array_add(request->http->spare_easy, request->easy);
    }
  else
    curl_easy_cleanup(request->easy);
  curl_slist_free_all(request->headers);
  g_clear_pointer(&request->received, g_byte_array_unref);
  g_free(request);
}

/* Frees the request (so the callback may start new ones), then calls back. */
static void
ppm_http_client_request_finish(PpmHttpClientRequest *request, PpmHttpClientStatus status,
                               const char *error)
{
  PpmHttpClient *http = request->http;
  PpmHttpClientDone done = request->done;
  gpointer user_data = request->user_data;
  PpmHttpClientResponse response = { .status = status, .error = error };
  curl_off_t retry_after = 0;

  g_hash_table_remove(http->requests, request);
  g_queue_remove(&http->waiting, request);
  g_queue_remove(&http->finished, request);
  if (status == PPM_HTTP_CLIENT_ANSWERED)
    {
      curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &response.http_status);
      if (curl_easy_getinfo(request->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK
          && retry_after > 0)
        response.retry_after_ms = MIN(retry_after, G_MAXINT32) * (gint64)1000;
      response.replayed = request->replayed;
    }
  response.body = g_byte_array_free_to_bytes(g_steal_pointer(&request->received));
  ppm_http_client_request_free(request);

  done(&response, user_data);
  g_bytes_unref(response.body);
}

/* Calls back with the transfer's end as curl reported it. */
static void
ppm_http_client_request_deliver(PpmHttpClientRequest *request)
{
  CURLcode result = request->result;

  if (g_atomic_int_get(&request->cancelled))
    ppm_http_client_request_finish(request, PPM_HTTP_CLIENT_CANCELLED, "cancelled");
  else if (result == CURLE_OK)
    ppm_http_client_request_finish(request, PPM_HTTP_CLIENT_ANSWERED, NULL);
  else if (request->too_large || result == CURLE_FILESIZE_EXCEEDED)
    ppm_http_client_request_finish(request, PPM_HTTP_CLIENT_FAILED,
                                   "the answer is larger than 1 MiB");
  else
    {
      g_autofree char *why
          = g_strdup(request->errbuf[0] != '\0' ? request->errbuf : curl_easy_strerror(result));

      ppm_http_client_request_finish(request, PPM_HTTP_CLIENT_FAILED, why);
    }
}

/* Callbacks may free the PpmHttpClient: destroying it waits until the outermost
 * dispatch leaves.  Returns TRUE when `http` is gone. */
static gboolean
ppm_http_client_leave_dispatch(PpmHttpClient *http)
{
  http->dispatch_depth--;
  if (http->free_pending && http->dispatch_depth == 0)
    {
      ppm_http_client_destroy(http);
      return TRUE;
    }
  return FALSE;
}

/* Delivers finished transfers for one time slice per main-loop iteration, at
 * idle priority: a burst of answers (say, after the platform comes back)
 * never holds the loop for long, and redraws and input run in between. */
static gboolean
ppm_http_client_on_deliver(gpointer user_data)
{
  PpmHttpClient *http = user_data;
  gint64 end = g_get_monotonic_time() + PPM_HTTP_CLIENT_SLICE_US;
  gboolean more;

  http->dispatch_depth++;
  /* Cancelled requests may have left the queue since it was scheduled. */
  while (!http->free_pending && !g_queue_is_empty(&http->finished))
    {
      ppm_http_client_request_deliver(g_queue_peek_head(&http->finished));
      if (g_get_monotonic_time() >= end)
        break;
    }
  more = !g_queue_is_empty(&http->finished);
  if (!more)
    g_clear_pointer(&http->deliver, g_source_unref);
  if (ppm_http_client_leave_dispatch(http))
    return G_SOURCE_REMOVE;
  return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Queues the transfers curl reports as done; called after every action. */
static void
ppm_http_client_collect_finished(PpmHttpClient *http)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read(http->multi, &left)) != NULL)
    {
      PpmHttpClientRequest *request = NULL;

      if (msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&request);
      request->result = msg->data.result;
      g_queue_push_tail(&http->finished, request);
    }
  if (http->deliver == NULL && !g_queue_is_empty(&http->finished))
    {
      http->deliver = g_idle_source_new();
      g_source_set_callback(http->deliver, ppm_http_client_on_deliver, http, NULL);
      g_source_attach(http->deliver, http->context);
    }
}

/* Ends the requests whose cancellable fired, without waiting for curl. */
static void
ppm_http_client_end_cancelled(PpmHttpClient *http)
{
  g_autoptr(GPtrArray) cancelled = g_ptr_array_new();
  GHashTableIter iter;
  gpointer request;

  if (g_atomic_int_exchange(&http->pending_cancels, 0) == 0)
    return;
  g_hash_table_iter_init(&iter, http->requests);
  while (g_hash_table_iter_next(&iter, &request, NULL))
    if (g_atomic_int_get(&((PpmHttpClientRequest *)request)->cancelled))
      g_ptr_array_add(cancelled, request);
  /* Only this loop finishes these requests; a callback may only cancel more
   * (handled next time) or free `http` (deferred until the dispatch ends). */
  for (guint i = 0; i < cancelled->len && !http->free_pending; i++)
    ppm_http_client_request_finish(cancelled->pdata[i], PPM_HTTP_CLIENT_CANCELLED, "cancelled");
}

/* Lets curl act on its due timers, which also starts transfers just added. */
static void
ppm_http_client_run_timers(PpmHttpClient *http)
{
  int running;

  http->curl_deadline = -1;
  curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

/* Hands queued requests to curl one at a time until the time slice is used
 * up (one always starts): curl would start every added transfer inside one
 * action. */
static void
ppm_http_client_start_waiting(PpmHttpClient *http, gboolean timer_due, gint64 end)
{
  gboolean started = FALSE;

  if (timer_due)
    ppm_http_client_run_timers(http);
  while (!g_queue_is_empty(&http->waiting) && (!started || g_get_monotonic_time() < end))
    {
      PpmHttpClientRequest *request = g_queue_pop_head(&http->waiting);

      request->started = TRUE;
      curl_multi_add_handle(http->multi, request->easy);
      ppm_http_client_run_timers(http);
      started = TRUE;
    }
}

/* Acts on the ready sockets until the time slice is used up; the others stay
 * ready and are reported again by the next poll. */
static void
ppm_http_client_serve_sockets(PpmHttpClient *http, gint64 end)
{
  gboolean served = FALSE;
  int running;

  /* An action may add and remove watches: look for the next ready one afresh. */
  for (guint i = 0; i < http->watches->len;)
    {
      PpmHttpClientWatch *watch = http->watches->pdata[i];
      gushort revents = watch->polled ? watch->pollfd.revents : 0;
      int flags = 0;

      if (revents == 0)
        {
          i++;
          continue;
        }
      if (served && g_get_monotonic_time() >= end)
        break;
      watch->pollfd.revents = 0;
      if (revents & G_IO_IN)
        flags |= CURL_CSELECT_IN;
      if (revents & G_IO_OUT)
        flags |= CURL_CSELECT_OUT;
      if (revents & (G_IO_ERR | G_IO_HUP | G_IO_NVAL))
        flags |= CURL_CSELECT_ERR;
      curl_multi_socket_action(http->multi, watch->fd, flags, &running);
      served = TRUE;
      i = 0;
    }
}

/* Ready with queued work or at curl's deadline.  Computed here rather than
 * kept as the source's ready time, which g_source_set_ready_time() changes
 * under the context's lock, waking the loop, once or twice per request. */
static gboolean
ppm_http_client_source_prepare(GSource *source, gint *timeout)
{
  PpmHttpClient *http = ((PpmHttpClientSource *)source)->http;
  gint64 now;

  *timeout = -1;
  if (!g_queue_is_empty(&http->waiting) || g_atomic_int_get(&http->pending_cancels) > 0)
    *timeout = 0;
  else if (http->curl_deadline >= 0)
    {
      now = g_source_get_time(source);
      *timeout = http->curl_deadline <= now
                     ? 0
                     : (gint)MIN((http->curl_deadline - now + 999) / 1000, G_MAXINT);
    }
  return *timeout == 0;
}

static gboolean
ppm_http_client_source_check(GSource *source)
{
  PpmHttpClient *http = ((PpmHttpClientSource *)source)->http;

  if (http->curl_deadline >= 0 && http->curl_deadline <= g_source_get_time(source))
    return TRUE;
  for (guint i = 0; i < http->watches->len; i++)
    {
      PpmHttpClientWatch *watch = http->watches->pdata[i];

      if (watch->polled && watch->pollfd.revents != 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
ppm_http_client_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
  PpmHttpClient *http = ((PpmHttpClientSource *)source)->http;
  gint64 now = g_get_monotonic_time();
  gint64 end = now + PPM_HTTP_CLIENT_SLICE_US;
  gboolean timer_due = http->curl_deadline >= 0 && http->curl_deadline <= now;

  http->dispatch_depth++;
  ppm_http_client_end_cancelled(http);
  if (!http->free_pending)
    {
      ppm_http_client_serve_sockets(http, end);
      ppm_http_client_start_waiting(http, timer_due, end);
      ppm_http_client_collect_finished(http);
    }
  ppm_http_client_leave_dispatch(http);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs ppm_http_client_source_funcs = {
  .prepare = ppm_http_client_source_prepare,
  .check = ppm_http_client_source_check,
  .dispatch = ppm_http_client_source_dispatch,
};

static size_t
ppm_http_client_on_body(char *data, size_t size, size_t n, void *user_data)
{
  PpmHttpClientRequest *request = user_data;
  size_t len = size * n;

  if (request->received->len + len > PPM_HTTP_CLIENT_MAX_BODY)
    {
      request->too_large = TRUE;
      return 0;
    }
  g_byte_array_append(request->received, (const guint8 *)data, (guint)len);
  return len;
}

static size_t
ppm_http_client_on_header(char *data, size_t size, size_t n, void *user_data)
{
  PpmHttpClientRequest *request = user_data;
  size_t len = size * n;
  static const char name[] = "Idempotent-Replayed:";

  if (len > sizeof name && g_ascii_strncasecmp(data, name, sizeof name - 1) == 0)
    {
      g_autofree char *value
          = g_strstrip(g_strndup(data + sizeof name - 1, len - (sizeof name - 1)));
      request->replayed = g_ascii_strcasecmp(value, "true") == 0;
    }
  return len;
}

/* May run in any thread, and inside ppm_http_client_request() when the cancellable
 * is already cancelled: it only marks the request and wakes the loop, whose
 * io source then ends the request. */
static void
ppm_http_client_on_cancelled(GCancellable *cancellable, gpointer user_data)
{
  PpmHttpClientRequest *request = user_data;

  g_atomic_int_set(&request->cancelled, TRUE);
  g_atomic_int_inc(&request->http->pending_cancels);
  g_main_context_wakeup(request->http->context);
}

PpmHttpClient *
ppm_http_client_new(void)
{
  PpmHttpClient *http = g_new0(PpmHttpClient, 1);

  ppm_http_client_global_init();
  http->multi = curl_multi_init();
  g_assert(http->multi != NULL);
  http->context = g_main_context_ref_thread_default();
  http->requests = g_hash_table_new(NULL, NULL);
  http->spare_easy = g_ptr_array_new_with_free_func(curl_easy_cleanup);
  http->watches = g_ptr_array_new();
  http->curl_deadline = -1;
  http->connect_timeout_ms = PPM_HTTP_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
  http->timeout_ms = PPM_HTTP_CLIENT_DEFAULT_TIMEOUT_MS;
  http->io = g_source_new(&ppm_http_client_source_funcs, sizeof(PpmHttpClientSource));
  ((PpmHttpClientSource *)http->io)->http = http;
  g_source_set_name(http->io, "ppm-http-client");
  g_source_attach(http->io, http->context);
  curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, ppm_http_client_on_socket);
  curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
  curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, ppm_http_client_on_timer);
  curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);
  return http;
}

static void
ppm_http_client_destroy(PpmHttpClient *http)
{
  GHashTableIter iter;
  gpointer request;

  g_queue_clear(&http->waiting);
  g_queue_clear(&http->finished);
  if (http->deliver != NULL)
    g_source_destroy(http->deliver);
  g_clear_pointer(&http->deliver, g_source_unref);
  g_hash_table_iter_init(&iter, http->requests);
  while (g_hash_table_iter_next(&iter, &request, NULL))
    {
      g_hash_table_iter_remove(&iter);
      ppm_http_client_request_free(request);
    }
  /* Whether curl reports the cached connections' sockets while closing them
   * varies between versions: stop listening and drop every watch ourselves. */
  curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, NULL);
  curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, NULL);
  curl_multi_cleanup(http->multi);
  while (http->watches->len > 0)
    ppm_http_client_watch_free(http, http->watches->pdata[0]);
  g_ptr_array_unref(http->watches);
  g_ptr_array_unref(http->spare_easy);
  g_source_destroy(http->io);
  g_source_unref(http->io);
  g_hash_table_unref(http->requests);
  g_main_context_unref(http->context);
  g_free(http->ca_file);
  g_free(http);
}

void
ppm_http_client_free(PpmHttpClient *http)
{
  if (http == NULL)
    return;
  if (http->dispatch_depth > 0)
    http->free_pending = TRUE;
  else
    ppm_http_client_destroy(http);
}

void
ppm_http_client_set_timeouts(PpmHttpClient *http, guint connect_timeout_ms, guint timeout_ms)
{
  http->connect_timeout_ms = connect_timeout_ms;
  http->timeout_ms = timeout_ms;
}

void
ppm_http_client_set_ca_file(PpmHttpClient *http, const char *ca_file)
{
  g_free(http->ca_file);
  http->ca_file = (ca_file != NULL && *ca_file != '\0') ? g_strdup(ca_file) : NULL;
}

guint
ppm_http_client_get_n_active(PpmHttpClient *http)
{
  return g_hash_table_size(http->requests);
}

void
ppm_http_client_request(PpmHttpClient *http, const char *method, const char *url,
                        const char *bearer, const char *json_body, GCancellable *cancellable,
                        PpmHttpClientDone done, gpointer user_data)
{
  PpmHttpClientRequest *request = g_new0(PpmHttpClientRequest, 1);
  CURL *easy = http->spare_easy->len > 0
                   ? g_ptr_array_steal_index_fast(http->spare_easy, http->spare_easy->len - 1)
                   : curl_easy_init();

  g_assert(easy != NULL);
  request->http = http;
  request->easy = easy;
  request->received = g_byte_array_new();
  request->done = done;
  request->user_data = user_data;

  request->headers = curl_slist_append(NULL, "Accept: application/json");
  request->headers = curl_slist_append(request->headers, "Expect:");
  if (json_body != NULL)
    request->headers = curl_slist_append(request->headers, "Content-Type: application/json");
  if (bearer != NULL)
    {
      g_autofree char *auth = g_strdup_printf("Authorization: Bearer %s", bearer);
      request->headers = curl_slist_append(request->headers, auth);
    }

  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, request);
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, request->headers);
  if (json_body != NULL)
    {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
      curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, json_body);
    }
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)http->connect_timeout_ms);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)http->timeout_ms);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (http->ca_file != NULL)
    curl_easy_setopt(easy, CURLOPT_CAINFO, http->ca_file);
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)PPM_HTTP_CLIENT_MAX_BODY);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "purple-ppm");
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request->errbuf);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, ppm_http_client_on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, request);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, ppm_http_client_on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, request);

  g_hash_table_add(http->requests, request);
  /* The transfer starts from the io source, a few per iteration. */
  g_queue_push_tail(&http->waiting, request);
  if (cancellable != NULL)
    {
      request->cancellable = g_object_ref(cancellable);
      request->cancelled_id = g_cancellable_connect(
          cancellable, G_CALLBACK(ppm_http_client_on_cancelled), request, NULL);
    }
}
