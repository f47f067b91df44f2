/* The plugin's words in Spanish, from the .mo files built in the build dir.
 * Run with LC_ALL=C.UTF-8 LANGUAGE=es: glibc ignores LANGUAGE in the plain C
 * locale, not in C.UTF-8.  PPM_LOCALEDIR is the build dir's locale tree
 * (po/LANG/LC_MESSAGES/purple-ppm.mo). */
#include "ppm-text.h"

#include <libintl.h>
#include <locale.h>

static void
test_charging_resumed(void)
{
  g_autofree char *line = ppm_text_charging_resumed();
  g_assert_cmpstr(line, ==, "Cobro reanudado");
}

static void
test_call_ended(void)
{
  g_autofree char *funds = ppm_text_call_ended("insufficient_funds");
  g_autofree char *hangup = ppm_text_call_ended("remote_hangup");
  g_assert_cmpstr(funds, ==, "Llamada finalizada: el miembro ya no tiene saldo suficiente");
  g_assert_cmpstr(hangup, ==, "Llamada finalizada: el miembro colgó");
}

static void
test_not_charging_plural(void)
{
  g_autofree char *one = ppm_text_not_charging_secured(1);
  g_autofree char *two = ppm_text_not_charging_secured(2);
  g_autofree char *reason = ppm_text_not_charging_reason("el miembro colgó");
  g_assert_cmpstr(one, ==, "Sin cobro: la plataforma no responde; 1 minuto está reservado");
  g_assert_cmpstr(two, ==, "Sin cobro: la plataforma no responde; 2 minutos están reservados");
  g_assert_cmpstr(reason, ==, "Sin cobro: el miembro colgó");
}

static void
test_last_minute(void)
{
  g_autofree char *line = ppm_text_last_minute("Alicia");
  g_assert_cmpstr(line, ==, "Último minuto pagado: Alicia no tiene saldo para otro minuto");
}

static void
test_banner(void)
{
  g_autofree char *funded = ppm_text_banner(PPM_CALLER_FUNDED, "alice@example.org", "Alicia", 12);
  g_autofree char *capped = ppm_text_banner(PPM_CALLER_FUNDED, "alice@example.org", "Alicia", 60);
  g_autofree char *unfunded
      = ppm_text_banner(PPM_CALLER_UNFUNDED, "alice@example.org", "Alicia", 0);
  g_autofree char *stranger = ppm_text_banner(PPM_CALLER_NOT_MEMBER, "bob@example.org", NULL, 0);
  g_autofree char *unknown = ppm_text_banner(PPM_CALLER_UNKNOWN, "bob@example.org", NULL, 0);
  g_assert_cmpstr(funded, ==,
                  "Llamada entrante de Alicia: miembro con saldo, 12 minutos disponibles");
  g_assert_cmpstr(capped, ==,
                  "Llamada entrante de Alicia: miembro con saldo, 60+ minutos disponibles");
  g_assert_cmpstr(unfunded, ==,
                  "Llamada entrante de Alicia: miembro sin saldo suficiente para un minuto");
  g_assert_cmpstr(stranger, ==, "Llamada entrante de bob@example.org: no es miembro");
  g_assert_cmpstr(unknown, ==,
                  "Llamada entrante de bob@example.org: llamante desconocido "
                  "(no se puede contactar con la plataforma)");
}

static void
test_member_messages(void)
{
  g_autofree char *rate = ppm_text_member_rate("$2.00");
  g_autofree char *thanks = ppm_text_member_total(185000, "$8.00", "https://pay.example.com/r/7");
  g_assert_cmpstr(rate, ==,
                  "Esta llamada cuesta $2.00 por minuto, que se cobra al inicio de cada minuto.");
  g_assert_cmpstr(thanks, ==,
                  "Gracias por la llamada: 3:05, $8.00 en total. "
                  "Valora el show: https://pay.example.com/r/7");
}

/* The minute number is a gint64: its msgid must still reach the catalogue. */
static void
test_charged_line(void)
{
  g_autofree char *line = ppm_text_charged("$2.00", 2, "$6.00");
  g_assert_cmpstr(line, ==, "Cobrado $2.00 — minuto 3, $6.00 en total");
}

static void
test_summary(void)
{
  g_autofree char *line = ppm_text_summary(185000, 4, "$8.00", "$6.40");
  g_assert_cmpstr(line, ==, "Resumen de la llamada: 3:05, 4 minutos, $8.00 en total, ganas $6.40");
}

/* In the C locale the same functions speak docs/plugin-contract.md's English. */
static void
test_c_locale_english(void)
{
  g_assert_nonnull(setlocale(LC_ALL, "C"));
  g_autofree char *resumed = ppm_text_charging_resumed();
  g_autofree char *ended = ppm_text_call_ended("insufficient_funds");
  g_assert_nonnull(setlocale(LC_ALL, ""));
  g_assert_cmpstr(resumed, ==, "Charging resumed");
  g_assert_cmpstr(ended, ==, "Call ended: the member no longer has enough funds");
}

int
main(int argc, char **argv)
{
  const char *localedir = g_getenv("PPM_LOCALEDIR");

  g_test_init(&argc, &argv, NULL);
  g_assert_nonnull(localedir);
  g_assert_nonnull(setlocale(LC_ALL, ""));
  g_assert_nonnull(bindtextdomain(GETTEXT_PACKAGE, localedir));
  g_assert_nonnull(bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8"));

  g_test_add_func("/i18n/es/charging-resumed", test_charging_resumed);
  g_test_add_func("/i18n/es/call-ended", test_call_ended);
  g_test_add_func("/i18n/es/not-charging-plural", test_not_charging_plural);
  g_test_add_func("/i18n/es/last-minute", test_last_minute);
  g_test_add_func("/i18n/es/banner", test_banner);
  g_test_add_func("/i18n/es/member-messages", test_member_messages);
  g_test_add_func("/i18n/es/charged-line", test_charged_line);
  g_test_add_func("/i18n/es/summary", test_summary);
  g_test_add_func("/i18n/c-locale/english", test_c_locale_english);
  return g_test_run();
}
