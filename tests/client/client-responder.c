#include "client-responder.h"
#include "client-test-util.h"

#include <gio/gio.h>
#include <string.h>

#define PPM_RESPONDER_HUGE_SIZE (10 * 1024 * 1024)

struct _PpmResponder
{
  PpmResponderMode mode;
  char *canned;
  GSocket *listener;
  GCancellable *stop;
  GThread *thread;
  char *url;
  GMutex lock;
  guint requests;
  char *last_body;
  char *last_head;
  GPtrArray *held; /* connections kept open by SILENT */
};

/* Reads one request (head and Content-Length body); *sign_in is set for the
 * sign-in routes. */
static gboolean
ppm_responder_read_request(PpmResponder *responder, GSocket *socket, gboolean *sign_in)
{
  g_autoptr(GString) data = g_string_new(NULL);
  char buffer[4096];
  const char *end;
  gsize body_len = 0;

  while ((end = strstr(data->str, "\r\n\r\n")) == NULL)
    {
      gssize n = g_socket_receive(socket, buffer, sizeof buffer, responder->stop, NULL);

      if (n <= 0)
        return FALSE;
      g_string_append_len(data, buffer, n);
    }
  for (const char *line = data->str; line < end; line = strstr(line, "\r\n") + 2)
    if (g_ascii_strncasecmp(line, "Content-Length:", 15) == 0)
      body_len = (gsize)g_ascii_strtoull(line + 15, NULL, 10);
  while (data->len < (gsize)(end - data->str) + 4 + body_len)
    {
      gssize n = g_socket_receive(socket, buffer, sizeof buffer, responder->stop, NULL);

      if (n <= 0)
        return FALSE;
      g_string_append_len(data, buffer, n);
      end = strstr(data->str, "\r\n\r\n");
    }
  *sign_in = g_str_has_prefix(data->str, "POST /v1/auth/login ")
             || g_str_has_prefix(data->str, "POST /v1/auth/refresh ");
  g_mutex_lock(&responder->lock);
  responder->requests++;
  g_free(responder->last_head);
  responder->last_head = g_strndup(data->str, (gsize)(end - data->str));
  g_free(responder->last_body);
  responder->last_body = g_strndup(end + 4, body_len);
  g_mutex_unlock(&responder->lock);
  return TRUE;
}

static void
ppm_responder_send_all(PpmResponder *responder, GSocket *socket, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = g_socket_send(socket, data, len, responder->stop, NULL);

      if (n <= 0)
        return;
      data += n;
      len -= (gsize)n;
    }
}

static void
ppm_responder_send_huge(PpmResponder *responder, GSocket *socket, gboolean with_length)
{
  g_autofree char *head
      = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        "%s\r\n",
                        with_length ? "Content-Length: 10485760\r\n" : "Connection: close\r\n");
  g_autofree char *chunk = g_malloc(65536);
  gsize sent = 0;

  memset(chunk, ' ', 65536);
  ppm_responder_send_all(responder, socket, head, strlen(head));
  /* Stops early when the client gives up and closes. */
  while (sent < PPM_RESPONDER_HUGE_SIZE)
    {
      gssize n = g_socket_send(socket, chunk, 65536, responder->stop, NULL);

      if (n <= 0)
        return;
      sent += (gsize)n;
    }
}

static void
ppm_responder_send_tokens(PpmResponder *responder, GSocket *socket)
{
  static gint serial;
  int n = g_atomic_int_add(&serial, 1);
  g_autofree char *body = g_strdup_printf(
      "{\"access_token\": \"access-%d\", \"refresh_token\": \"refresh-%d\","
      " \"expires_in\": 3600, \"user\": {\"id\": 7, \"email\": \"model@example.org\","
      " \"role\": \"model\", \"display_name\": \"Model\"}}",
      n, n);
  g_autofree char *answer = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                            "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                            strlen(body), body);

  ppm_responder_send_all(responder, socket, answer, strlen(answer));
}

static gpointer
ppm_responder_run(gpointer user_data)
{
  PpmResponder *responder = user_data;

  for (;;)
    {
      g_autoptr(GSocket) socket = g_socket_accept(responder->listener, responder->stop, NULL);
      gboolean sign_in = FALSE;

      if (socket == NULL)
        return NULL;
      g_socket_set_timeout(socket, 20);
      if (!ppm_responder_read_request(responder, socket, &sign_in))
        continue;
      if (sign_in)
        {
          ppm_responder_send_tokens(responder, socket);
          g_socket_close(socket, NULL);
          continue;
        }
      switch (responder->mode)
        {
          case PPM_RESPONDER_SILENT:
            g_ptr_array_add(responder->held, g_steal_pointer(&socket));
            continue;
          case PPM_RESPONDER_CANNED:
            ppm_responder_send_all(responder, socket, responder->canned, strlen(responder->canned));
            break;
          case PPM_RESPONDER_HUGE:
          case PPM_RESPONDER_HUGE_LENGTH:
            ppm_responder_send_huge(responder, socket,
                                    responder->mode == PPM_RESPONDER_HUGE_LENGTH);
            break;
        }
      g_socket_close(socket, NULL);
    }
}

PpmResponder *
ppm_responder_new(PpmResponderMode mode, const char *canned)
{
  PpmResponder *responder = g_new0(PpmResponder, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GError *error = NULL;

  responder->mode = mode;
  responder->canned = g_strdup(canned);
  responder->stop = g_cancellable_new();
  responder->held = g_ptr_array_new_with_free_func(g_object_unref);
  g_mutex_init(&responder->lock);
  responder->listener
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error(error);
  g_socket_bind(responder->listener, address, TRUE, &error);
  g_assert_no_error(error);
  /* Room for every connection of the parallel tests at once. */
  g_socket_set_listen_backlog(responder->listener, 128);
  g_socket_listen(responder->listener, &error);
  g_assert_no_error(error);
  bound = g_socket_get_local_address(responder->listener, &error);
  g_assert_no_error(error);
  responder->url = g_strdup_printf("http://127.0.0.1:%u",
                                   g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  responder->thread = g_thread_new("responder", ppm_responder_run, responder);
  return responder;
}

const char *
ppm_responder_get_url(PpmResponder *responder)
{
  return responder->url;
}

guint
ppm_responder_get_requests(PpmResponder *responder)
{
  guint requests;

  g_mutex_lock(&responder->lock);
  requests = responder->requests;
  g_mutex_unlock(&responder->lock);
  return requests;
}

static char *
ppm_responder_dup_locked(PpmResponder *responder, char **field)
{
  char *copy;

  g_mutex_lock(&responder->lock);
  copy = g_strdup(*field);
  g_mutex_unlock(&responder->lock);
  return copy;
}

char *
ppm_responder_dup_last_body(PpmResponder *responder)
{
  return ppm_responder_dup_locked(responder, &responder->last_body);
}

char *
ppm_responder_dup_last_head(PpmResponder *responder)
{
  return ppm_responder_dup_locked(responder, &responder->last_head);
}

void
ppm_responder_free(PpmResponder *responder)
{
  if (responder == NULL)
    return;
  g_cancellable_cancel(responder->stop);
  g_thread_join(responder->thread);
  g_socket_close(responder->listener, NULL);
  g_object_unref(responder->listener);
  g_object_unref(responder->stop);
  g_ptr_array_unref(responder->held);
  g_mutex_clear(&responder->lock);
  g_free(responder->canned);
  g_free(responder->url);
  g_free(responder->last_body);
  g_free(responder->last_head);
  g_free(responder);
}

static void
on_signed_in(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmLogin) login = ppm_api_login_finish(PPM_API(source), result, &error);

  g_assert_no_error(error);
  g_assert_nonnull(login);
  *(gboolean *)user_data = TRUE;
}

PpmApi *
ppm_responder_sign_in(PpmResponder *responder, guint connect_timeout_ms, guint timeout_ms)
{
  g_autoptr(GError) error = NULL;
  PpmApi *api = ppm_api_new(ppm_responder_get_url(responder), &error);
  gboolean done = FALSE;

  g_assert_no_error(error);
  if (connect_timeout_ms > 0 && timeout_ms > 0)
    ppm_api_set_timeouts(api, connect_timeout_ms, timeout_ms);
  ppm_api_login(api, "model@example.org", "secret", NULL, on_signed_in, &done);
  g_assert_true(ppm_test_wait_for(&done, 5000));
  g_assert_true(ppm_api_is_signed_in(api));
  return api;
}
