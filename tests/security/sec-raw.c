#include "sec-raw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
sec_raw_connect(guint16 port, const char *source_address)
{
  struct sockaddr_in source = { .sin_family = AF_INET };
  struct sockaddr_in target = { .sin_family = AF_INET, .sin_port = htons(port) };
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  inet_pton(AF_INET, source_address ? source_address : "127.0.0.1", &source.sin_addr);
  inet_pton(AF_INET, "127.0.0.1", &target.sin_addr);
  if (bind(fd, (struct sockaddr *)&source, sizeof source) < 0
      || connect(fd, (struct sockaddr *)&target, sizeof target) < 0)
    {
      int saved = errno;

      close(fd);
      errno = saved;
      return -1;
    }
  return fd;
}

gboolean
sec_raw_send(int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        return FALSE;
      data += sent;
      length -= (gsize)sent;
    }
  return TRUE;
}

GString *
sec_raw_read(int fd, int timeout_ms, gboolean *closed)
{
  GString *text = g_string_new(NULL);
  gboolean ended = FALSE;

  while (!ended)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      char buffer[4096];
      ssize_t got;

      if (poll(&p, 1, timeout_ms) <= 0)
        break;
      got = recv(fd, buffer, sizeof buffer, 0);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        ended = TRUE;
      else
        g_string_append_len(text, buffer, got);
    }
  if (closed != NULL)
    *closed = ended;
  return text;
}

gboolean
sec_raw_readable(int fd)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };

  return poll(&p, 1, 0) > 0;
}

guint
sec_raw_status(const char *text)
{
  g_autofree char *code = NULL;
  guint64 status;

  if (!g_str_has_prefix(text, "HTTP/1.") || strlen(text) < 12)
    return 0;
  code = g_strndup(text + 9, 3);
  if (!g_ascii_string_to_unsigned(code, 10, 100, 599, &status, NULL))
    return 0;
  return (guint)status;
}

char *
sec_raw_header(const char *text, const char *name)
{
  const char *end = strstr(text, "\r\n\r\n");
  g_autofree char *head = end ? g_strndup(text, end - text) : g_strdup(text);
  g_auto(GStrv) lines = g_strsplit(head, "\r\n", -1);
  gsize length = strlen(name);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp(lines[i], name, length) == 0 && lines[i][length] == ':')
      return g_strstrip(g_strdup(lines[i] + length + 1));
  return NULL;
}
