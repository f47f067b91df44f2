/* Times in the chat and the payment history follow the locale: its order of
 * day, month and year, and its separators (glibc's d_fmt and t_fmt).
 * Each test needs its locale generated (locale-gen) or is skipped. */
#include "ppm-test-missing.h"
#include "ppm-text.h"

#include <locale.h>

typedef struct
{
  const char *locale;
  const char *expected;
} TimeCase;

static const TimeCase cases[] = {
  { "C.UTF-8", "11/27/26 16:05:59" },       { "de_DE.UTF-8", "27.11.2026 16:05:59" },
  { "es_ES.UTF-8", "27/11/26 16:05:59" },   { "pt_BR.UTF-8", "27/11/2026 16:05:59" },
  { "ro_RO.UTF-8", "27.11.2026 16:05:59" }, { "ru_RU.UTF-8", "27.11.2026 16:05:59" },
};

static void
test_time_case(gconstpointer data)
{
  const TimeCase *c = data;

  if (setlocale(LC_ALL, c->locale) == NULL)
    {
      g_autofree char *what = g_strdup_printf("locale %s is not generated", c->locale);

      ppm_test_missing(what);
      return;
    }
  g_autofree char *text = ppm_text_local_time("2026-11-27T16:05:59.250Z");
  setlocale(LC_ALL, "C.UTF-8");
  g_assert_cmpstr(text, ==, c->expected);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_setenv("TZ", "UTC", TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_autofree char *path = g_strdup_printf("/i18n/time/%s", cases[i].locale);
      g_test_add_data_func(path, &cases[i], test_time_case);
    }
  return g_test_run();
}
