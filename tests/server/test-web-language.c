/* The Accept-Language reading of the account pages (ppm-web-lang.h): RFC 9110
 * weights, the best shipped language, and hostile headers. */
#include <string.h>

#include "ppm-web-lang.h"

static const char *
negotiated(const char *header)
{
  const PpmWebLanguage *language = ppm_web_language_negotiate(header);

  return language != NULL ? language->tag : "none";
}

static void
test_plain_and_regions(void)
{
  g_assert_cmpstr(negotiated("de"), ==, "de");
  g_assert_cmpstr(negotiated("de-AT"), ==, "de");
  g_assert_cmpstr(negotiated("pt-BR"), ==, "pt-BR");
  g_assert_cmpstr(negotiated("pt"), ==, "pt-BR");
  g_assert_cmpstr(negotiated("RU-ru"), ==, "ru");
  g_assert_cmpstr(negotiated("en-GB"), ==, "en");
  g_assert_cmpstr(negotiated("*"), ==, "en");
}

static void
test_weights(void)
{
  g_assert_cmpstr(negotiated("fr;q=0.9, de;q=0.8, ro;q=0.85"), ==, "ro");
  g_assert_cmpstr(negotiated("de;q=0.5, es"), ==, "es");
  g_assert_cmpstr(negotiated("ru;q=1.000,es;q=1"), ==, "ru");
  g_assert_cmpstr(negotiated("ro ; q=0.3 , ru;Q=0.301"), ==, "ru");
  g_assert_cmpstr(negotiated("de;q=0, es;q=0.001"), ==, "es");
}

static void
test_unknown_gives_none(void)
{
  g_assert_cmpstr(negotiated(NULL), ==, "none");
  g_assert_cmpstr(negotiated(""), ==, "none");
  g_assert_cmpstr(negotiated("fr, it;q=0.9, ja"), ==, "none");
  g_assert_cmpstr(negotiated("de;q=0"), ==, "none");
}

static void
test_junk_weights(void)
{
  const char *const junk[] = {
    "de;q=1.5", "de;q=2", "de;q=0.0001",    "de;q=-0.5",  "de;q=.5",        "de;q=0.5x", "de;q=",
    "de;q",     "de;x=1", "de;q=0.5;q=0.4", "de;q=1.001", "de;q= 0.5",      "de;q=0x10", "de;q=1e3",
    "de;;",     "d3",     "de--at",         "-de",        "deutschland-de", "de-",       "de\x01",
    "dé",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(junk); i++)
    {
      g_autofree char *header = g_strconcat(junk[i], ", es;q=0.1", NULL);

      g_test_message("%s", header);
      g_assert_cmpstr(negotiated(header), ==, "es");
    }
}

static void
test_huge_header(void)
{
  g_autoptr(GString) header = g_string_new(NULL);

  /* One range of 1 MB: not a language range, nothing chosen. */
  for (int i = 0; i < 1 << 20; i++)
    g_string_append_c(header, 'a');
  g_assert_cmpstr(negotiated(header->str), ==, "none");
  g_string_append(header, ",de");
  g_assert_cmpstr(negotiated(header->str), ==, "de");
}

static void
test_many_entries(void)
{
  g_autoptr(GString) header = g_string_new(NULL);

  /* Only the first 64 entries count: a German wish hidden behind 100000
   * others is not read, and the work stays bounded. */
  for (int i = 0; i < 100000; i++)
    g_string_append(header, "fr;q=0.9,");
  g_string_append(header, "de");
  g_assert_cmpstr(negotiated(header->str), ==, "none");
  g_string_printf(header, "%s", "");
  for (int i = 0; i < 63; i++)
    g_string_append(header, "xx,");
  g_string_append(header, "de");
  g_assert_cmpstr(negotiated(header->str), ==, "de");
  g_string_append(header, ",es");
  g_assert_cmpstr(negotiated(header->str), ==, "de");
  g_string_printf(header, "%s",
                  ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,de");
  g_assert_cmpstr(negotiated(header->str), ==, "none");
}

static void
test_find_exact(void)
{
  g_assert_cmpstr(ppm_web_language_find("pt-br")->tag, ==, "pt-BR");
  g_assert_null(ppm_web_language_find("pt"));
  g_assert_null(ppm_web_language_find("de;q=1"));
  g_assert_null(ppm_web_language_find(NULL));
}

/* Every language of po/LINGUAS is offered, and nothing else but English. */
static void
test_table_is_linguas(void)
{
  g_autofree char *path = g_build_filename(g_getenv("PPM_SOURCE_DIR"), "po", "LINGUAS", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) words = NULL;
  gsize n, listed = 0;
  const PpmWebLanguage *languages = ppm_web_languages(&n);

  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  words = g_strsplit_set(text, " \n", -1);
  for (char **word = words; *word != NULL; word++)
    {
      g_autofree char *tag = g_strdelimit(g_strdup(*word), "_", '-');

      if (**word == '\0' || **word == '#')
        continue;
      listed++;
      g_assert_nonnull(ppm_web_language_find(tag));
    }
  g_assert_cmpstr(languages[0].tag, ==, "en");
  g_assert_cmpuint(n, ==, listed + 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/web/accept-language/plain-and-regions", test_plain_and_regions);
  g_test_add_func("/web/accept-language/weights", test_weights);
  g_test_add_func("/web/accept-language/unknown-gives-none", test_unknown_gives_none);
  g_test_add_func("/web/accept-language/junk-weights-ignored", test_junk_weights);
  g_test_add_func("/web/accept-language/huge-header", test_huge_header);
  g_test_add_func("/web/accept-language/many-entries-bounded", test_many_entries);
  g_test_add_func("/web/language/find-exact", test_find_exact);
  g_test_add_func("/web/language/table-is-po-linguas", test_table_is_linguas);
  return g_test_run();
}
