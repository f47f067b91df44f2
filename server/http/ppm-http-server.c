/* The libmicrohttpd listener. */
#include "ppm-http-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ppm-http-deadline.h"
#include "ppm-tls.h"

#define PPM_HTTP_WORKERS 16
#define PPM_HTTP_MAX_CONNECTIONS 1000
#define PPM_HTTP_DRAIN_SECONDS 30

/* One libmicrohttpd daemon for the server's life; a TLS reload only swaps the
 * certificate its handshakes use (ppm-tls.h). */
struct _PpmHttpServer
{
  PpmPlatform *platform;
  PpmHttpRouting routing;
  PpmHttpSettings settings; /* its strings are not kept */
  GThreadPool *workers;
  GThreadPool *hashers;
  gint hashing; /* requests queued or running in `hashers` */
  PpmHttpDeadlines *deadlines;
  PpmTls *tls; /* NULL for plain HTTP */
  struct MHD_Daemon *daemon;
  gint active; /* requests not completed yet */
};

/* A request on one of the daemon's connections. */
typedef struct
{
  PpmHttpRequest *request;
  struct MHD_Connection *connection;
  gboolean dispatched;
  gboolean answered;
} Exchange;

/* Headers and query arguments as libmicrohttpd parsed them. */
static enum MHD_Result
collect_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  PpmHttpRequest *request = cls;

  if (key == NULL)
    return MHD_YES;
  if (kind == MHD_HEADER_KIND)
    ppm_http_request_add_header(request, key, value ? value : "");
  else
    ppm_http_request_add_query(request, key, value ? value : "");
  return MHD_YES;
}

static enum MHD_Result
collect_mark(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  GPtrArray *marks = cls;

  g_ptr_array_add(marks, (gpointer)key);
  if (value != NULL)
    g_ptr_array_add(marks, (gpointer)value);
  return MHD_YES;
}

static gint
compare_marks(gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;

  return x < y ? -1 : x > y;
}

/* Whether every header name and value is whole.  libmicrohttpd refuses a NUL
 * in a name itself, but ends a value at a NUL and reports nothing of the
 * rest.  It parses the head in place, in one buffer that starts at the
 * method and is `header_size` long, writing NULs over what ends a name or a
 * line: so between the end of one name or value and the start of the next
 * (or the end of the head) there may only be NULs, CR, LF, spaces and tabs.
 * Anything else is the rest of a value cut at a NUL.  A name or value
 * outside the buffer is a folded line libmicrohttpd joined elsewhere, which
 * RFC 9112 (5.2) allows refusing with 400 as well. */
static gboolean
head_whole(struct MHD_Connection *connection, const char *method)
{
  const union MHD_ConnectionInfo *info
      = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
  g_autoptr(GPtrArray) marks = g_ptr_array_new();
  const char *end;

  if (info == NULL)
    return FALSE;
  end = method + info->header_size;
  MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_mark, marks);
  g_ptr_array_sort(marks, compare_marks);
  for (guint i = 0; i < marks->len; i++)
    {
      const char *mark = marks->pdata[i];
      const char *next = i + 1 < marks->len ? marks->pdata[i + 1] : end;

      if (mark < method || mark >= end)
        return FALSE;
      for (const char *c = mark + strnlen(mark, end - mark); c < next; c++)
        if (*c != '\0' && *c != '\r' && *c != '\n' && *c != ' ' && *c != '\t')
          return FALSE;
    }
  return TRUE;
}

/* The connection's place in the request deadlines' queue. */
static PpmHttpWait *
connection_wait(struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info
      = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

  return info != NULL ? info->socket_context : NULL;
}

static void
connection_notified(void *cls, struct MHD_Connection *connection, void **socket_context,
                    enum MHD_ConnectionNotificationCode code)
{
  PpmHttpServer *server = cls;

  if (code == MHD_CONNECTION_NOTIFY_STARTED)
    {
      const union MHD_ConnectionInfo *info
          = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);

      if (info != NULL)
        *socket_context = ppm_http_deadlines_add(server->deadlines, info->connect_fd);
    }
  else if (*socket_context != NULL)
    {
      ppm_http_deadlines_remove(server->deadlines, *socket_context);
      *socket_context = NULL;
    }
}

static char *
client_address(struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info
      = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char text[INET6_ADDRSTRLEN] = "unknown";

  if (info != NULL && info->client_addr != NULL)
    {
      const struct sockaddr *addr = info->client_addr;
      if (addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, text, sizeof text);
      else if (addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, text, sizeof text);
    }
  return g_strdup(text);
}

static Exchange *
exchange_new(PpmHttpServer *server, struct MHD_Connection *connection, const char *method,
             const char *url)
{
  Exchange *exchange = g_new0(Exchange, 1);
  g_autofree char *address = client_address(connection);

  exchange->connection = connection;
  exchange->request
      = ppm_http_request_new(server->platform, method, url, address, server->tls != NULL);
  MHD_get_connection_values(connection, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, collect_value,
                            exchange->request);
  if (!head_whole(connection, method))
    ppm_http_request_set_malformed(exchange->request, "a NUL byte or a folded line in a header");
  return exchange;
}

/* The answer is there: the polling thread sends it. */
static void
exchange_answered(PpmHttpRequest *request, gpointer data)
{
  Exchange *exchange = data;

  MHD_resume_connection(exchange->connection);
}

static void
worker_run(gpointer data, gpointer user_data)
{
  Exchange *exchange = data;
  PpmHttpServer *server = user_data;

  ppm_http_request_run(exchange->request, server->routing.handle, exchange_answered, exchange);
}

static void
hasher_run(gpointer data, gpointer user_data)
{
  PpmHttpServer *server = user_data;

  worker_run(data, server);
  g_atomic_int_add(&server->hashing, -1);
}

/* A place in the hashing pool, running or queued, if one is free. */
static gboolean
hashing_admit(PpmHttpServer *server)
{
  gint limit = (gint)(server->settings.hash_threads + server->settings.hash_queue);

  if (g_atomic_int_add(&server->hashing, 1) < limit)
    return TRUE;
  g_atomic_int_add(&server->hashing, -1);
  return FALSE;
}

/* The whole request is in: it runs in its lane while the connection is
 * suspended, and no deadline runs meanwhile. */
static void
exchange_dispatch(PpmHttpServer *server, Exchange *exchange, const char *method, const char *url)
{
  PpmHttpWait *wait = connection_wait(exchange->connection);

  exchange->dispatched = TRUE;
  if (wait != NULL)
    ppm_http_deadlines_pause(server->deadlines, wait);
  MHD_suspend_connection(exchange->connection);
  switch (server->routing.lane(server->platform, method, url))
    {
      case PPM_HTTP_LANE_QUICK:
        /* Here rather than on a worker: one thread hand-over less. */
        ppm_http_request_run(exchange->request, server->routing.handle, exchange_answered,
                             exchange);
        break;
      case PPM_HTTP_LANE_HASHING:
        if (hashing_admit(server))
          g_thread_pool_push(server->hashers, exchange, NULL);
        else
          ppm_http_request_run(exchange->request, server->routing.busy, exchange_answered,
                               exchange);
        break;
      case PPM_HTTP_LANE_WORKERS:
        g_thread_pool_push(server->workers, exchange, NULL);
        break;
    }
}

static enum MHD_Result
queue_answer(Exchange *exchange)
{
  gsize length;
  gconstpointer data = g_bytes_get_data(ppm_http_request_get_answer(exchange->request), &length);
  GPtrArray *headers = ppm_http_request_get_answer_headers(exchange->request);
  struct MHD_Response *response
      = MHD_create_response_from_buffer(length, (void *)data, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result result;

  for (guint i = 0; i + 1 < headers->len; i += 2)
    MHD_add_response_header(response, headers->pdata[i], headers->pdata[i + 1]);
  MHD_add_response_header(response, "Cache-Control", "no-store");
  exchange->answered = TRUE;
  result = MHD_queue_response(exchange->connection, ppm_http_request_get_status(exchange->request),
                              response);
  MHD_destroy_response(response);
  return result;
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
               const char *version, const char *upload_data, size_t *upload_data_size,
               void **con_cls)
{
  PpmHttpServer *server = cls;
  Exchange *exchange = *con_cls;

  if (exchange == NULL)
    {
      *con_cls = exchange = exchange_new(server, connection, method, url);
      g_atomic_int_inc(&server->active);
      if (!ppm_http_request_is_malformed(exchange->request))
        return MHD_YES;
      /* Answered before the body, whose end is in doubt; the answer closes
       * the connection. */
      exchange->dispatched = TRUE;
      ppm_http_request_run(exchange->request, server->routing.handle, NULL, NULL);
      return queue_answer(exchange);
    }
  if (exchange->answered)
    {
      *upload_data_size = 0;
      return MHD_YES;
    }
  if (*upload_data_size > 0)
    {
      ppm_http_request_append_body(exchange->request, upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
  if (ppm_http_request_get_status(exchange->request) != 0)
    return queue_answer(exchange);
  if (!exchange->dispatched)
    exchange_dispatch(server, exchange, method, url);
  return MHD_YES;
}

static void
request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                  enum MHD_RequestTerminationCode code)
{
  PpmHttpServer *server = cls;
  Exchange *exchange = *con_cls;
  PpmHttpWait *wait = connection_wait(connection);
  PpmHttpRequest *request;

  /* The connection stays for another request, which has its own time. */
  if (wait != NULL && code == MHD_REQUEST_TERMINATED_COMPLETED_OK)
    ppm_http_deadlines_restart(server->deadlines, wait);
  if (exchange == NULL)
    return;
  request = exchange->request;
  /* One line per request; paths carry no secret, queries are not logged. */
  g_printerr("%s %s %s %u %.1fms%s\n", ppm_http_request_get_client_address(request),
             ppm_http_request_get_method(request), ppm_http_request_get_path(request),
             ppm_http_request_get_status(request),
             (g_get_monotonic_time() - ppm_http_request_get_started_us(request)) / 1000.0,
             code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
  ppm_http_request_free(request);
  g_free(exchange);
  *con_cls = NULL;
  g_atomic_int_dec_and_test(&server->active);
}

gboolean
ppm_http_parse_address(const char *address, struct sockaddr_storage *addr, socklen_t *length,
                       GError **error)
{
  g_autofree char *host = NULL;
  const char *colon = strrchr(address, ':');
  guint64 port;

  if (colon == NULL || !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                  "--listen: expected IPv4:PORT or [IPv6]:PORT, got %s", address);
      return FALSE;
    }
  host = g_strndup(address, colon - address);
  memset(addr, 0, sizeof *addr);
  if (host[0] == '[' && g_str_has_suffix(host, "]"))
    {
      struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;

      host[strlen(host) - 1] = '\0';
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      *length = sizeof *in6;
      if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) == 1)
        return TRUE;
    }
  else
    {
      struct sockaddr_in *in = (struct sockaddr_in *)addr;

      in->sin_family = AF_INET;
      in->sin_port = htons(port);
      *length = sizeof *in;
      if (inet_pton(AF_INET, host, &in->sin_addr) == 1)
        return TRUE;
    }
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
              "--listen: %s is not an IPv4 address or a bracketed IPv6 address", host);
  return FALSE;
}

static int
listen_socket(const char *address, GError **error)
{
  struct sockaddr_storage addr;
  socklen_t length;
  int fd, one = 1;

  if (!ppm_http_parse_address(address, &addr, &length, error))
    return -1;
  fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "socket: %s", g_strerror(errno));
      return -1;
    }
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  /* [::]:PORT is IPv6 only; 0.0.0.0:PORT is for IPv4. */
  if (addr.ss_family == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&addr, length) < 0 || listen(fd, 128) < 0)
    {
      int saved = errno;
      close(fd);
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot listen on %s: %s",
                  address, g_strerror(saved));
      return -1;
    }
  return fd;
}

char *
ppm_http_listening_address(int fd, GError **error)
{
  struct sockaddr_storage addr;
  socklen_t length = sizeof addr;
  int listening = 0, type = 0;
  socklen_t int_length = sizeof(int);
  char host[INET6_ADDRSTRLEN];

  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &int_length) < 0 || !listening
      || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &int_length) < 0 || type != SOCK_STREAM
      || getsockname(fd, (struct sockaddr *)&addr, &length) < 0
      || (addr.ss_family != AF_INET && addr.ss_family != AF_INET6))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                  "--listen-fd: %d is not a listening TCP socket", fd);
      return NULL;
    }
  if (addr.ss_family == AF_INET)
    {
      struct sockaddr_in *in = (struct sockaddr_in *)&addr;

      inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
      return g_strdup_printf("%s:%u", host, ntohs(in->sin_port));
    }
  inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr, host, sizeof host);
  return g_strdup_printf("[%s]:%u", host, ntohs(((struct sockaddr_in6 *)&addr)->sin6_port));
}

/* Starts the daemon on the listening socket, over TLS when server->tls is set.
 * libmicrohttpd owns the socket from then on, also when it fails to start. */
static gboolean
server_start_daemon(PpmHttpServer *server, int listen_fd, GError **error)
{
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME
                       | MHD_USE_ERROR_LOG | (server->tls ? MHD_USE_TLS : 0);

  server->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, access_handler, server, MHD_OPTION_LISTEN_SOCKET, listen_fd,
      MHD_OPTION_NOTIFY_COMPLETED, request_completed, server, MHD_OPTION_NOTIFY_CONNECTION,
      connection_notified, server, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PPM_HTTP_MAX_CONNECTIONS,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, server->settings.max_connections_per_address,
      server->tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, ppm_tls_retrieve,
      MHD_OPTION_HTTPS_PRIORITIES, PPM_TLS_PRIORITIES, MHD_OPTION_END);
  if (server->daemon == NULL)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                  server->tls ? "cannot start the HTTPS listener"
                              : "cannot start the HTTP listener");
      return FALSE;
    }
  return TRUE;
}

static void
server_free(PpmHttpServer *server)
{
  if (server->workers != NULL)
    g_thread_pool_free(server->workers, FALSE, TRUE);
  if (server->hashers != NULL)
    g_thread_pool_free(server->hashers, FALSE, TRUE);
  g_clear_pointer(&server->deadlines, ppm_http_deadlines_free);
  g_clear_pointer(&server->tls, ppm_tls_free);
  g_free(server);
}

PpmHttpServer *
ppm_http_server_start(const PpmHttpSettings *settings, PpmPlatform *platform,
                      const PpmHttpRouting *routing, GError **error)
{
  PpmHttpServer *server = g_new0(PpmHttpServer, 1);
  int listen_fd;

  server->platform = platform;
  server->routing = *routing;
  server->settings = *settings;
  if (settings->cert_file != NULL
      && (server->tls = ppm_tls_new(settings->cert_file, settings->key_file, error)) == NULL)
    {
      server_free(server);
      return NULL;
    }
  listen_fd
      = settings->listen_fd >= 0 ? settings->listen_fd : listen_socket(settings->address, error);
  if (listen_fd < 0)
    {
      server_free(server);
      return NULL;
    }
  server->workers = g_thread_pool_new(worker_run, server, PPM_HTTP_WORKERS, FALSE, NULL);
  server->hashers
      = g_thread_pool_new(hasher_run, server, (gint)settings->hash_threads, FALSE, NULL);
  server->deadlines = ppm_http_deadlines_new(settings->request_seconds);
  if (!server_start_daemon(server, listen_fd, error))
    {
      server_free(server);
      return NULL;
    }
  return server;
}

gboolean
ppm_http_server_reload_tls(PpmHttpServer *server, GError **error)
{
  return server->tls == NULL || ppm_tls_reload(server->tls, error);
}

void
ppm_http_server_stop(PpmHttpServer *server)
{
  gint64 deadline = g_get_monotonic_time() + PPM_HTTP_DRAIN_SECONDS * G_USEC_PER_SEC;
  MHD_socket listen_fd = MHD_quiesce_daemon(server->daemon);

  /* Bounded: a client that never finishes its request does not hold us up. */
  while (g_atomic_int_get(&server->active) > 0 && g_get_monotonic_time() < deadline)
    g_usleep(10000);
  MHD_stop_daemon(server->daemon);
  if (listen_fd != MHD_INVALID_SOCKET)
    close(listen_fd);
  server_free(server);
}
