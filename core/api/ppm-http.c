/* libcurl's multi interface on a GLib main context.
 *
 * curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to
 * wake it up (CURLMOPT_TIMERFUNCTION); we answer with one GSource per socket
 * and one timer, and after every curl_multi_socket_action() we collect the
 * finished transfers with curl_multi_info_read(). */
#include "ppm-http.h"

#include <curl/curl.h>

/* Detaches *source from its context and drops it; NULL is fine. */
static void
ppm_http_source_clear(GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy(*source);
  g_clear_pointer(source, g_source_unref);
}

typedef struct
{
  PpmHttp *http;
  CURL *easy;
  struct curl_slist *headers;
  GByteArray *received;
  gboolean too_large;
  gboolean replayed;
  char errbuf[CURL_ERROR_SIZE];
  CURLcode result; /* once curl reported the transfer done */
  GSource *cancel_source;
  PpmHttpDone done;
  gpointer user_data;
} PpmHttpRequest;

/* What curl_multi_assign() keeps for each socket.  A socket's watch is
 * replaced whenever curl changes what it waits for, and freed on
 * CURL_POLL_REMOVE, so a file descriptor number reused by a new connection
 * never meets a stale watch. */
typedef struct
{
  PpmHttp *http;
  curl_socket_t fd;
  GIOChannel *channel; /* does not own the socket: curl closes it */
  GSource *source;
} PpmHttpWatch;

static void
ppm_http_watch_free(PpmHttpWatch *watch)
{
  ppm_http_source_clear(&watch->source);
  g_io_channel_unref(watch->channel);
  g_free(watch);
}

/* GIOChannel watches sockets on Unix and Windows alike. */
static GIOChannel *
ppm_http_channel_new(curl_socket_t fd)
{
#ifdef G_OS_WIN32
  return g_io_channel_win32_new_socket((int)fd);
#else
  return g_io_channel_unix_new(fd);
#endif
}

struct _PpmHttp
{
  CURLM *multi;
  GMainContext *context;
  GSource *timer;
  GHashTable *requests; /* PpmHttpRequest* set */
  GHashTable *watches;  /* PpmHttpWatch* set */
  guint connect_timeout_ms;
  guint timeout_ms;
  char *ca_file;
  GQueue finished;      /* PpmHttpRequest* done, waiting for delivery */
  GSource *deliver;     /* delivers `finished`, one per iteration */
  guint dispatch_depth; /* > 0 while callbacks run: freeing is deferred */
  gboolean free_pending;
};

static void ppm_http_destroy(PpmHttp *http);

static void
ppm_http_global_init(void)
{
  static gsize done = 0;

  if (g_once_init_enter(&done))
    {
      if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        g_error("curl_global_init failed");
      g_once_init_leave(&done, 1);
    }
}

static void
ppm_http_request_free(PpmHttpRequest *request)
{
  ppm_http_source_clear(&request->cancel_source);
  curl_multi_remove_handle(request->http->multi, request->easy);
  curl_easy_cleanup(request->easy);
  curl_slist_free_all(request->headers);
  g_clear_pointer(&request->received, g_byte_array_unref);
  g_free(request);
}

/* Returns TRUE when a callback freed `http`: the caller must not touch it. */
static gboolean
ppm_http_leave_dispatch(PpmHttp *http)
{
  http->dispatch_depth--;
  if (http->free_pending && http->dispatch_depth == 0)
    {
      ppm_http_destroy(http);
      return TRUE;
    }
  return FALSE;
}

/* Frees the request (so the callback may start new ones), then calls back. */
static gboolean
ppm_http_request_finish(PpmHttpRequest *request, PpmHttpStatus status, const char *error)
{
  PpmHttp *http = request->http;
  PpmHttpDone done = request->done;
  gpointer user_data = request->user_data;
  PpmHttpResponse response = { .status = status, .error = error };
  curl_off_t retry_after = 0;

  g_hash_table_remove(http->requests, request);
  g_queue_remove(&http->finished, request);
  if (status == PPM_HTTP_ANSWERED)
    {
      curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &response.http_status);
      if (curl_easy_getinfo(request->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK
          && retry_after > 0)
        response.retry_after_ms = MIN(retry_after, G_MAXINT32) * (gint64)1000;
      response.replayed = request->replayed;
    }
  response.body = g_byte_array_free_to_bytes(g_steal_pointer(&request->received));
  ppm_http_request_free(request);

  http->dispatch_depth++;
  done(&response, user_data);
  g_bytes_unref(response.body);
  return ppm_http_leave_dispatch(http);
}

/* Delivers one finished transfer per main-loop iteration, at idle priority:
 * a burst of answers (say, after the platform comes back) never holds the
 * loop for more than one callback at a time. */
static gboolean
ppm_http_on_deliver(gpointer user_data)
{
  PpmHttp *http = user_data;
  PpmHttpRequest *request = g_queue_pop_head(&http->finished);
  CURLcode result;

  if (request == NULL)
    {
      g_clear_pointer(&http->deliver, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  result = request->result;
  if (result == CURLE_OK)
    {
      if (ppm_http_request_finish(request, PPM_HTTP_ANSWERED, NULL))
        return G_SOURCE_REMOVE;
    }
  else if (request->too_large || result == CURLE_FILESIZE_EXCEEDED)
    {
      if (ppm_http_request_finish(request, PPM_HTTP_FAILED, "the answer is larger than 1 MiB"))
        return G_SOURCE_REMOVE;
    }
  else
    {
      g_autofree char *why
          = g_strdup(request->errbuf[0] != '\0' ? request->errbuf : curl_easy_strerror(result));

      if (ppm_http_request_finish(request, PPM_HTTP_FAILED, why))
        return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Queues the transfers curl reports as done; called after every action. */
static void
ppm_http_collect_finished(PpmHttp *http)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read(http->multi, &left)) != NULL)
    {
      PpmHttpRequest *request = NULL;

      if (msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&request);
      request->result = msg->data.result;
      g_queue_push_tail(&http->finished, request);
    }
  if (http->deliver == NULL && !g_queue_is_empty(&http->finished))
    {
      http->deliver = g_idle_source_new();
      g_source_set_callback(http->deliver, ppm_http_on_deliver, http, NULL);
      g_source_attach(http->deliver, http->context);
    }
}

static gboolean
ppm_http_on_socket_ready(GIOChannel *channel, GIOCondition condition, gpointer user_data)
{
  /* Read before the action: curl may free this watch from inside it. */
  PpmHttpWatch *watch = user_data;
  PpmHttp *http = watch->http;
  curl_socket_t fd = watch->fd;
  int flags = 0;
  int running;

  if (condition & G_IO_IN)
    flags |= CURL_CSELECT_IN;
  if (condition & G_IO_OUT)
    flags |= CURL_CSELECT_OUT;
  if (condition & (G_IO_ERR | G_IO_HUP | G_IO_NVAL))
    flags |= CURL_CSELECT_ERR;
  curl_multi_socket_action(http->multi, fd, flags, &running);
  ppm_http_collect_finished(http);
  /* curl removes or replaces this watch itself through the socket callback. */
  return G_SOURCE_CONTINUE;
}

static int
ppm_http_on_socket(CURL *easy, curl_socket_t fd, int what, void *user_data, void *socket_data)
{
  PpmHttp *http = user_data;
  PpmHttpWatch *watch = socket_data;
  GIOCondition condition = 0;

  if (watch != NULL)
    ppm_http_source_clear(&watch->source);
  /* The set owns the watch: removing it frees it. */
  if (what == CURL_POLL_REMOVE)
    {
      if (watch != NULL)
        g_hash_table_remove(http->watches, watch);
      return 0;
    }
  if (watch == NULL)
    {
      watch = g_new0(PpmHttpWatch, 1);
      watch->http = http;
      watch->fd = fd;
      watch->channel = ppm_http_channel_new(fd);
      g_hash_table_add(http->watches, watch);
      curl_multi_assign(http->multi, fd, watch);
    }
  if (what & CURL_POLL_IN)
    condition |= G_IO_IN;
  if (what & CURL_POLL_OUT)
    condition |= G_IO_OUT;
  if (condition == 0)
    return 0;
  watch->source = g_io_create_watch(watch->channel, condition);
  g_source_set_callback(watch->source, G_SOURCE_FUNC(ppm_http_on_socket_ready), watch, NULL);
  g_source_attach(watch->source, http->context);
  return 0;
}

static gboolean
ppm_http_on_timeout(gpointer user_data)
{
  PpmHttp *http = user_data;
  int running;

  /* The timer callback may install a new timer from inside the action. */
  g_clear_pointer(&http->timer, g_source_unref);
  curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  ppm_http_collect_finished(http);
  return G_SOURCE_REMOVE;
}

/* -1 removes the timer; 0 means "as soon as possible", which must still go
 * through the main loop: curl forbids calling it back from this callback. */
static int
ppm_http_on_timer(CURLM *multi, long timeout_ms, void *user_data)
{
  PpmHttp *http = user_data;

  ppm_http_source_clear(&http->timer);
  if (timeout_ms < 0)
    return 0;
  http->timer = g_timeout_source_new((guint)MIN(timeout_ms, G_MAXUINT));
  g_source_set_callback(http->timer, ppm_http_on_timeout, http, NULL);
  g_source_attach(http->timer, http->context);
  return 0;
}

static size_t
ppm_http_on_body(char *data, size_t size, size_t n, void *user_data)
{
  PpmHttpRequest *request = user_data;
  size_t len = size * n;

  if (request->received->len + len > PPM_HTTP_MAX_BODY)
    {
      request->too_large = TRUE;
      return 0;
    }
  g_byte_array_append(request->received, (const guint8 *)data, (guint)len);
  return len;
}

static size_t
ppm_http_on_header(char *data, size_t size, size_t n, void *user_data)
{
  PpmHttpRequest *request = user_data;
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

static gboolean
ppm_http_on_cancelled(GCancellable *cancellable, gpointer user_data)
{
  PpmHttpRequest *request = user_data;

  /* Destroying the source we are dispatching is allowed; keep it alive until then. */
  g_clear_pointer(&request->cancel_source, g_source_unref);
  ppm_http_request_finish(request, PPM_HTTP_CANCELLED, "cancelled");
  return G_SOURCE_REMOVE;
}

PpmHttp *
ppm_http_new(void)
{
  PpmHttp *http = g_new0(PpmHttp, 1);

  ppm_http_global_init();
  http->multi = curl_multi_init();
  g_assert(http->multi != NULL);
  http->context = g_main_context_ref_thread_default();
  http->requests = g_hash_table_new(NULL, NULL);
  http->watches = g_hash_table_new_full(NULL, NULL, (GDestroyNotify)ppm_http_watch_free, NULL);
  http->connect_timeout_ms = PPM_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
  http->timeout_ms = PPM_HTTP_DEFAULT_TIMEOUT_MS;
  curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, ppm_http_on_socket);
  curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
  curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, ppm_http_on_timer);
  curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);
  return http;
}

static void
ppm_http_destroy(PpmHttp *http)
{
  GHashTableIter iter;
  gpointer request;

  g_queue_clear(&http->finished);
  ppm_http_source_clear(&http->deliver);
  g_hash_table_iter_init(&iter, http->requests);
  while (g_hash_table_iter_next(&iter, &request, NULL))
    {
      g_hash_table_iter_remove(&iter);
      ppm_http_request_free(request);
    }
  /* Whether curl reports the cached connections' sockets while closing them
   * varies between versions: stop listening and drop every watch ourselves. */
  curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, NULL);
  curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, NULL);
  curl_multi_cleanup(http->multi);
  g_hash_table_unref(http->watches);
  ppm_http_source_clear(&http->timer);
  g_hash_table_unref(http->requests);
  g_main_context_unref(http->context);
  g_free(http->ca_file);
  g_free(http);
}

void
ppm_http_free(PpmHttp *http)
{
  if (http == NULL)
    return;
  if (http->dispatch_depth > 0)
    http->free_pending = TRUE;
  else
    ppm_http_destroy(http);
}

void
ppm_http_set_timeouts(PpmHttp *http, guint connect_timeout_ms, guint timeout_ms)
{
  http->connect_timeout_ms = connect_timeout_ms;
  http->timeout_ms = timeout_ms;
}

void
ppm_http_set_ca_file(PpmHttp *http, const char *ca_file)
{
  g_free(http->ca_file);
  http->ca_file = (ca_file != NULL && *ca_file != '\0') ? g_strdup(ca_file) : NULL;
}

guint
ppm_http_get_n_active(PpmHttp *http)
{
  return g_hash_table_size(http->requests);
}

void
ppm_http_request(PpmHttp *http, const char *method, const char *url, const char *bearer,
                 const char *json_body, GCancellable *cancellable, PpmHttpDone done,
                 gpointer user_data)
{
  PpmHttpRequest *request = g_new0(PpmHttpRequest, 1);
  CURL *easy = curl_easy_init();

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
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)PPM_HTTP_MAX_BODY);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "purple-ppm");
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request->errbuf);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, ppm_http_on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, request);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, ppm_http_on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, request);

  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new(cancellable);
      g_source_set_callback(request->cancel_source, G_SOURCE_FUNC(ppm_http_on_cancelled), request,
                            NULL);
      g_source_attach(request->cancel_source, http->context);
    }
  g_hash_table_add(http->requests, request);
  /* Only arms the timer: the transfer starts from the main loop. */
  curl_multi_add_handle(http->multi, easy);
}
