#include "lab-process.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

void
ppm_lab_child_setup(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

gboolean
ppm_lab_process_wait(GPid *pid, int timeout_ms, int *status)
{
  for (int waited = 0; *pid > 0; waited += 100)
    {
      if (waitpid(*pid, status, WNOHANG) == *pid)
        {
          *pid = 0;
          return TRUE;
        }
      if (waited >= timeout_ms)
        return FALSE;
      g_usleep(100 * 1000);
    }
  return FALSE;
}

void
ppm_lab_process_stop(GPid *pid)
{
  if (*pid <= 0)
    return;
  int status;
  kill(*pid, SIGTERM);
  if (ppm_lab_process_wait(pid, 5000, &status))
    return;
  kill(*pid, SIGKILL);
  waitpid(*pid, NULL, 0);
  *pid = 0;
}

void
ppm_lab_remove_tree(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
        {
          g_autofree char *child = g_build_filename(path, name, NULL);
          ppm_lab_remove_tree(child);
        }
      g_rmdir(path);
    }
  else
    g_unlink(path);
}
