#include "sec-pki.h"

#include <gio/gio.h>

#include "sec-server.h"

#define KEY_ARGS "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"

static gboolean openssl(GError **error, const char *first, ...) G_GNUC_NULL_TERMINATED;

/* Runs `openssl ARGS...`; its stderr becomes the error message. */
static gboolean
openssl(GError **error, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autofree char *err = NULL;
  va_list args;
  int status;

  g_ptr_array_add(argv, (char *)"openssl");
  va_start(args, first);
  for (const char *arg = first; arg; arg = va_arg(args, const char *))
    g_ptr_array_add(argv, (char *)arg);
  va_end(args);
  g_ptr_array_add(argv, NULL);
  if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                    &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, NULL))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "openssl %s: %s", first, err);
      return FALSE;
    }
  return TRUE;
}

SecPki *
sec_pki_new(GError **error)
{
  g_autoptr(SecPki) pki = g_new0(SecPki, 1);

  pki->dir = g_dir_make_tmp("ppm-sec-pki-XXXXXX", error);
  if (pki->dir == NULL)
    return NULL;
  pki->ca_file = g_build_filename(pki->dir, "ca.pem", NULL);
  pki->ca_key = g_build_filename(pki->dir, "ca.key", NULL);
  if (!openssl(error, "req", "-x509", KEY_ARGS, "-keyout", pki->ca_key, "-out", pki->ca_file,
               "-days", "2", "-subj", "/CN=purple-ppm test CA", "-addext",
               "basicConstraints=critical,CA:TRUE", "-addext",
               "keyUsage=critical,keyCertSign,cRLSign", NULL))
    return NULL;
  return g_steal_pointer(&pki);
}

static char *
pki_path(SecPki *pki, const char *name, const char *extension)
{
  g_autofree char *file = g_strconcat(name, extension, NULL);
  return g_build_filename(pki->dir, file, NULL);
}

char *
sec_pki_cert(SecPki *pki, const char *name)
{
  return pki_path(pki, name, ".pem");
}

char *
sec_pki_key(SecPki *pki, const char *name)
{
  return pki_path(pki, name, ".key");
}

gboolean
sec_pki_issue(SecPki *pki, const char *name, const char *alt_names, guint serial,
              gboolean self_signed, GError **error)
{
  g_autofree char *cert = sec_pki_cert(pki, name), *key = sec_pki_key(pki, name);
  g_autofree char *csr = pki_path(pki, name, ".csr"), *ext = pki_path(pki, name, ".ext");
  g_autofree char *serial_text = g_strdup_printf("0x%x", serial);
  g_autofree char *alt = g_strconcat("subjectAltName=", alt_names, NULL);
  g_autofree char *ext_text = g_strconcat(alt, "\nbasicConstraints=CA:FALSE\n", NULL);

  if (self_signed)
    return openssl(error, "req", "-x509", KEY_ARGS, "-keyout", key, "-out", cert, "-days", "2",
                   "-subj", "/CN=purple-ppm test server", "-addext", alt, "-set_serial",
                   serial_text, NULL);
  return g_file_set_contents(ext, ext_text, -1, error)
         && openssl(error, "req", "-new", KEY_ARGS, "-keyout", key, "-out", csr, "-subj",
                    "/CN=purple-ppm test server", NULL)
         && openssl(error, "x509", "-req", "-in", csr, "-CA", pki->ca_file, "-CAkey", pki->ca_key,
                    "-set_serial", serial_text, "-days", "2", "-out", cert, "-extfile", ext, NULL);
}

void
sec_pki_free(SecPki *pki)
{
  if (pki == NULL)
    return;
  ppm_test_dir_remove(pki->dir);
  g_free(pki->dir);
  g_free(pki->ca_file);
  g_free(pki->ca_key);
  g_free(pki);
}
