/* The settings dialog's field checks, without a display. */
#include "ppm-gtk-check.h"

#include <glib/gstdio.h>

static void
test_url(void)
{
  g_assert_nonnull(ppm_gtk_check_url(""));
  g_assert_nonnull(ppm_gtk_check_url(NULL));
  g_assert_nonnull(ppm_gtk_check_url("pay.example.com"));
  g_assert_nonnull(ppm_gtk_check_url("ftp://pay.example.com"));
  g_assert_nonnull(ppm_gtk_check_url("https://"));
  g_assert_null(ppm_gtk_check_url("https://pay.example.com"));
  g_assert_null(ppm_gtk_check_url("http://127.0.0.1:8080"));
  g_assert_null(ppm_gtk_check_url("http://localhost:8080"));
  /* Plain http only to this computer, as core-ppm decides when it connects. */
  g_assert_nonnull(ppm_gtk_check_url("http://pay.example.com"));
  g_assert_nonnull(ppm_gtk_check_url("https://user:pw@pay.example.com"));
}

static void
test_email(void)
{
  g_assert_nonnull(ppm_gtk_check_email(""));
  g_assert_nonnull(ppm_gtk_check_email("model"));
  g_assert_nonnull(ppm_gtk_check_email("@example.com"));
  g_assert_nonnull(ppm_gtk_check_email("model@"));
  g_assert_nonnull(ppm_gtk_check_email("a@b@c"));
  g_assert_nonnull(ppm_gtk_check_email("mo del@example.com"));
  g_assert_null(ppm_gtk_check_email("model@example.com"));
}

static void
test_rate(void)
{
  g_assert_null(ppm_gtk_check_rate(""));
  g_assert_null(ppm_gtk_check_rate("2"));
  g_assert_null(ppm_gtk_check_rate("2.5"));
  g_assert_null(ppm_gtk_check_rate("2.50"));
  g_assert_null(ppm_gtk_check_rate("0.01"));
  g_assert_nonnull(ppm_gtk_check_rate("2.555"));
  g_assert_nonnull(ppm_gtk_check_rate("-2"));
  g_assert_nonnull(ppm_gtk_check_rate("2,50"));
  g_assert_nonnull(ppm_gtk_check_rate("two"));
  g_assert_nonnull(ppm_gtk_check_rate("0"));
  g_assert_nonnull(ppm_gtk_check_rate("0.00"));
}

static void
test_ca_file(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("ppm-gui-check-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *file = g_build_filename(dir, "ca.pem", NULL);
  g_assert_null(ppm_gtk_check_ca_file(""));
  g_assert_nonnull(ppm_gtk_check_ca_file(file));
  g_assert_nonnull(ppm_gtk_check_ca_file(dir));
  g_assert_true(g_file_set_contents(file, "-----BEGIN CERTIFICATE-----\n", -1, NULL));
  g_assert_null(ppm_gtk_check_ca_file(file));
  g_unlink(file);
  g_rmdir(dir);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/gui/check/url", test_url);
  g_test_add_func("/gui/check/email", test_email);
  g_test_add_func("/gui/check/rate", test_rate);
  g_test_add_func("/gui/check/ca-file", test_ca_file);
  return g_test_run();
}
