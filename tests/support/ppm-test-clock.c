#include "ppm-test-clock.h"

#include <gio/gio.h>

/* The preload path the faketime wrapper uses (it may hold ld.so's $LIB). */
static char *
faketime_library(GError **error)
{
  g_autofree char *path = g_find_program_in_path("faketime");
  g_autofree char *out = NULL;
  int status;

  if (path == NULL)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "faketime is not installed");
      return NULL;
    }
  if (!g_spawn_sync(NULL,
                    (char *[]){ path, "-f", "+0", "sh", "-c", "printf %s \"$LD_PRELOAD\"", NULL },
                    NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, error)
      || !g_spawn_check_wait_status(status, error))
    return NULL;
  if (*out == '\0')
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "faketime set no LD_PRELOAD");
      return NULL;
    }
  return g_steal_pointer(&out);
}

static void
write_offset(PpmTestClock *clock)
{
  g_autofree char *text = g_strdup_printf("%+" G_GINT64_FORMAT "\n", clock->offset_s);
  g_autoptr(GError) error = NULL;

  g_file_set_contents(clock->offset_file, text, -1, &error);
  g_assert_no_error(error);
}

/* Starts (server NULL) or restarts the server under libfaketime. */
static gboolean
spawn_faked(PpmTestClock *clock, const char *db_uri, const char *const *args, GError **error)
{
  g_autofree char *library = faketime_library(error);
  g_autofree char *saved_asan = g_strdup(g_getenv("ASAN_OPTIONS"));
  g_autofree char *asan = NULL;
  gboolean ok;

  if (library == NULL)
    return FALSE;
  /* Only the server inherits these: they are unset again right after.
   * libfaketime is loaded before an AddressSanitizer runtime. */
  asan = g_strconcat(saved_asan ? saved_asan : "", ":verify_asan_link_order=0", NULL);
  g_setenv("LD_PRELOAD", library, TRUE);
  g_setenv("FAKETIME_TIMESTAMP_FILE", clock->offset_file, TRUE);
  g_setenv("FAKETIME_NO_CACHE", "1", TRUE);
  g_setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", TRUE);
  g_setenv("ASAN_OPTIONS", asan, TRUE);
  if (clock->server == NULL)
    {
      clock->server = ppm_test_server_start(db_uri, args, error);
      ok = clock->server != NULL;
    }
  else
    ok = ppm_test_server_restart(clock->server, error);
  g_unsetenv("LD_PRELOAD");
  g_unsetenv("FAKETIME_TIMESTAMP_FILE");
  g_unsetenv("FAKETIME_NO_CACHE");
  g_unsetenv("FAKETIME_DONT_FAKE_MONOTONIC");
  if (saved_asan != NULL)
    g_setenv("ASAN_OPTIONS", saved_asan, TRUE);
  else
    g_unsetenv("ASAN_OPTIONS");
  return ok;
}

PpmTestClock *
ppm_test_clock_start(const char *const *args, GError **error)
{
  g_autoptr(PpmTestClock) clock = g_new0(PpmTestClock, 1);
  const char *pg_clock = g_getenv("PPM_TEST_PG_FAKETIME_FILE");
  g_autofree char *db_uri = NULL;

  clock->dir = g_dir_make_tmp("ppm-test-clock-XXXXXX", error);
  if (clock->dir == NULL)
    return NULL;
  /* With PostgreSQL the platform's time is the database's: only a cluster
   * whose postgres reads an offset file (with-pg-cluster, PPM_PG_FAKETIME)
   * will do, and the server then reads the same file.  Else SQLite, whatever
   * the environment says. */
  if (pg_clock != NULL && g_getenv("PPM_TEST_PG_HOST") != NULL)
    clock->offset_file = g_strdup(pg_clock);
  else
    {
      clock->offset_file = g_build_filename(clock->dir, "offset", NULL);
      db_uri = g_strdup_printf("sqlite:%s/ppm.db", clock->dir);
    }
  write_offset(clock);
  if (!spawn_faked(clock, db_uri, args, error))
    return NULL;
  return g_steal_pointer(&clock);
}

gboolean
ppm_test_clock_restart(PpmTestClock *clock, GError **error)
{
  return spawn_faked(clock, NULL, NULL, error);
}

void
ppm_test_clock_advance(PpmTestClock *clock, gint64 seconds)
{
  clock->offset_s += seconds;
  write_offset(clock);
}

void
ppm_test_clock_free(PpmTestClock *clock)
{
  if (clock == NULL)
    return;
  g_clear_pointer(&clock->server, ppm_test_server_free);
  ppm_test_dir_remove(clock->dir);
  g_free(clock->dir);
  g_free(clock->offset_file);
  g_free(clock);
}
