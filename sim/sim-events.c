#include "sim-events.h"

#include <stdio.h>

double
ppm_sim_now(void)
{
  return g_get_monotonic_time() / 1e6;
}

/* Spaces would split a value into two fields: replace them. */
static void
append_word(GString *line, const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    g_string_append_c(line, g_ascii_isspace(*p) ? '_' : *p);
}

static void
append_text(GString *line, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append(line, "\\n");
      else if (*p != '\r')
        g_string_append_c(line, *p);
    }
}

void
ppm_sim_event(const char *name, ...)
{
  g_autoptr(GString) line = g_string_new(NULL);
  const char *text = NULL;
  va_list args;

  g_string_append_printf(line, "event=%s t=%.6f", name, ppm_sim_now());
  va_start(args, name);
  for (const char *key = va_arg(args, const char *); key != NULL; key = va_arg(args, const char *))
    {
      const char *value = va_arg(args, const char *);

      if (value == NULL)
        continue;
      if (g_str_equal(key, "text"))
        {
          text = value;
          continue;
        }
      g_string_append_printf(line, " %s=", key);
      append_word(line, value);
    }
  va_end(args);
  if (text != NULL)
    {
      g_string_append(line, " text=");
      append_text(line, text);
    }
  g_string_append_c(line, '\n');
  fputs(line->str, stdout);
  fflush(stdout);
}
