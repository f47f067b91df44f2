#include "sec-server.h"

#include <signal.h>

#define MAX_GUARDED 8

static PpmTestServer *guarded[MAX_GUARDED];

/* Runs on abort (a failed g_assert), trap (g_error) or termination (a test
 * timeout): kills the guarded servers by PID, then dies of the same signal. */
static void
on_fatal_signal(int signal_number)
{
  for (int i = 0; i < MAX_GUARDED; i++)
    if (guarded[i] != NULL && guarded[i]->pid > 0)
      kill(guarded[i]->pid, SIGKILL);
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

static void
server_guard(PpmTestServer *server)
{
  static gsize installed;

  if (g_once_init_enter(&installed))
    {
      signal(SIGABRT, on_fatal_signal);
      signal(SIGTRAP, on_fatal_signal);
      signal(SIGTERM, on_fatal_signal);
      signal(SIGINT, on_fatal_signal);
      g_once_init_leave(&installed, 1);
    }
  for (int i = 0; i < MAX_GUARDED; i++)
    if (guarded[i] == NULL)
      {
        guarded[i] = server;
        return;
      }
  g_error("more than %d servers at once", MAX_GUARDED);
}

SecServer *
sec_server_start(const char *const *args)
{
  g_autoptr(GError) error = NULL;
  PpmTestServer *server = ppm_test_server_start(NULL, args, &error);

  g_assert_no_error(error);
  server_guard(server);
  return server;
}

void
sec_server_free(SecServer *server)
{
  for (int i = 0; i < MAX_GUARDED; i++)
    if (guarded[i] == server)
      guarded[i] = NULL;
  ppm_test_server_free(server);
}
