#include "ppm-http-deadline.h"

#include <sys/socket.h>

struct _PpmHttpWait
{
  GList link; /* in `waiting` while the time runs; data is the wait itself */
  gboolean queued;
  int fd;
  gint64 since_us;
};

struct _PpmHttpDeadlines
{
  gint64 limit_us;
  GMutex lock;
  GCond cond;
  GQueue waiting; /* oldest `since_us` first */
  gboolean stopping;
  GThread *thread;
};

static void
wait_unqueue(PpmHttpDeadlines *deadlines, PpmHttpWait *wait)
{
  if (wait->queued)
    g_queue_unlink(&deadlines->waiting, &wait->link);
  wait->queued = FALSE;
}

static void
wait_queue(PpmHttpDeadlines *deadlines, PpmHttpWait *wait)
{
  wait_unqueue(deadlines, wait);
  wait->since_us = g_get_monotonic_time();
  g_queue_push_tail_link(&deadlines->waiting, &wait->link);
  wait->queued = TRUE;
}

/* Shuts down the connections whose time ran out.  Under the lock, and the
 * listener removes a connection under it before closing its socket, so the
 * descriptor cannot belong to another connection already.  The listener
 * then sees the end of the stream and closes the connection itself. */
static gpointer
deadlines_main(gpointer data)
{
  PpmHttpDeadlines *deadlines = data;

  g_mutex_lock(&deadlines->lock);
  while (!deadlines->stopping)
    {
      gint64 now = g_get_monotonic_time();
      PpmHttpWait *head;

      while ((head = g_queue_peek_head(&deadlines->waiting)) != NULL
             && head->since_us + deadlines->limit_us <= now)
        {
          wait_unqueue(deadlines, head);
          shutdown(head->fd, SHUT_RDWR);
        }
      /* A connection added later has a later deadline than the head's. */
      g_cond_wait_until(&deadlines->cond, &deadlines->lock,
                        (head != NULL ? head->since_us : now) + deadlines->limit_us);
    }
  g_mutex_unlock(&deadlines->lock);
  return NULL;
}

PpmHttpDeadlines *
ppm_http_deadlines_new(guint seconds)
{
  PpmHttpDeadlines *deadlines = g_new0(PpmHttpDeadlines, 1);

  deadlines->limit_us = (gint64)seconds * G_USEC_PER_SEC;
  g_mutex_init(&deadlines->lock);
  g_cond_init(&deadlines->cond);
  g_queue_init(&deadlines->waiting);
  deadlines->thread = g_thread_new("ppm-deadlines", deadlines_main, deadlines);
  return deadlines;
}

void
ppm_http_deadlines_free(PpmHttpDeadlines *deadlines)
{
  g_mutex_lock(&deadlines->lock);
  deadlines->stopping = TRUE;
  g_cond_signal(&deadlines->cond);
  g_mutex_unlock(&deadlines->lock);
  g_thread_join(deadlines->thread);
  g_mutex_clear(&deadlines->lock);
  g_cond_clear(&deadlines->cond);
  g_free(deadlines);
}

PpmHttpWait *
ppm_http_deadlines_add(PpmHttpDeadlines *deadlines, int fd)
{
  PpmHttpWait *wait = g_new0(PpmHttpWait, 1);

  wait->fd = fd;
  wait->link.data = wait;
  g_mutex_lock(&deadlines->lock);
  wait_queue(deadlines, wait);
  g_mutex_unlock(&deadlines->lock);
  return wait;
}

void
ppm_http_deadlines_pause(PpmHttpDeadlines *deadlines, PpmHttpWait *wait)
{
  g_mutex_lock(&deadlines->lock);
  wait_unqueue(deadlines, wait);
  g_mutex_unlock(&deadlines->lock);
}

void
ppm_http_deadlines_restart(PpmHttpDeadlines *deadlines, PpmHttpWait *wait)
{
  g_mutex_lock(&deadlines->lock);
  wait_queue(deadlines, wait);
  g_mutex_unlock(&deadlines->lock);
}

void
ppm_http_deadlines_remove(PpmHttpDeadlines *deadlines, PpmHttpWait *wait)
{
  g_mutex_lock(&deadlines->lock);
  wait_unqueue(deadlines, wait);
  g_mutex_unlock(&deadlines->lock);
  g_free(wait);
}
