/* PpmTls: the certificate libmicrohttpd's handshake callback hands out. */
#include "ppm-tls.h"

#include <gio/gio.h>
#include <gnutls/x509.h>

#define PPM_TLS_MAX_CHAIN 16

/* One certificate chain and its key, as read from the files once. */
typedef struct
{
  gnutls_pcert_st chain[PPM_TLS_MAX_CHAIN];
  unsigned int length;
  gnutls_privkey_t key;
} Credentials;

struct _PpmTls
{
  char *cert_file;
  char *key_file;
  /* Every generation loaded so far, the newest last.  gnutls keeps using what
   * the callback returned until a session ends, so an older generation is
   * only freed with the PpmTls. */
  GPtrArray *generations;
};

/* libmicrohttpd's callback carries no user data: the one PpmTls in use. */
static GMutex current_lock;
static Credentials *current;

static void
credentials_free(Credentials *credentials)
{
  for (unsigned int i = 0; i < credentials->length; i++)
    gnutls_pcert_deinit(&credentials->chain[i]);
  if (credentials->key != NULL)
    gnutls_privkey_deinit(credentials->key);
  g_free(credentials);
}

static gboolean
tls_check(int status, const char *what, const char *file, GError **error)
{
  if (status >= 0)
    return TRUE;
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", what, file,
              gnutls_strerror(status));
  return FALSE;
}

/* Whether the key belongs to the first certificate: it signs, the
 * certificate's public key verifies. */
static gboolean
credentials_match(Credentials *credentials, const char *key_file, GError **error)
{
  gnutls_pubkey_t pubkey = credentials->chain[0].pubkey;
  gnutls_digest_algorithm_t hash;
  const char probe[] = "ppm-tls key check";
  gnutls_datum_t data = { (unsigned char *)probe, sizeof probe - 1 }, signature = { NULL, 0 };
  int status;

  status = gnutls_pubkey_get_preferred_hash_algorithm(pubkey, &hash, NULL);
  if (status >= 0)
    status = gnutls_privkey_sign_data(credentials->key, hash, 0, &data, &signature);
  if (status >= 0)
    status = gnutls_pubkey_verify_data2(
        pubkey, gnutls_pk_to_sign(gnutls_pubkey_get_pk_algorithm(pubkey, NULL), hash), 0, &data,
        &signature);
  gnutls_free(signature.data);
  return tls_check(status, "key does not match the certificate:", key_file, error);
}

static Credentials *
credentials_load(const char *cert_file, const char *key_file, GError **error)
{
  g_autofree char *cert_pem = NULL, *key_pem = NULL;
  gsize cert_length, key_length;
  gnutls_datum_t cert_data, key_data;
  Credentials *credentials;

  if (!g_file_get_contents(cert_file, &cert_pem, &cert_length, error)
      || !g_file_get_contents(key_file, &key_pem, &key_length, error))
    return NULL;
  cert_data = (gnutls_datum_t){ (unsigned char *)cert_pem, (unsigned int)cert_length };
  key_data = (gnutls_datum_t){ (unsigned char *)key_pem, (unsigned int)key_length };
  credentials = g_new0(Credentials, 1);
  credentials->length = PPM_TLS_MAX_CHAIN;
  if (!tls_check(gnutls_pcert_list_import_x509_raw(credentials->chain, &credentials->length,
                                                   &cert_data, GNUTLS_X509_FMT_PEM, 0),
                 "certificate", cert_file, error))
    {
      credentials->length = 0;
      credentials_free(credentials);
      return NULL;
    }
  if (!tls_check(gnutls_privkey_init(&credentials->key), "key", key_file, error)
      || !tls_check(
          gnutls_privkey_import_x509_raw(credentials->key, &key_data, GNUTLS_X509_FMT_PEM, NULL, 0),
          "key", key_file, error)
      || !credentials_match(credentials, key_file, error))
    {
      credentials_free(credentials);
      return NULL;
    }
  return credentials;
}

PpmTls *
ppm_tls_new(const char *cert_file, const char *key_file, GError **error)
{
  PpmTls *tls = g_new0(PpmTls, 1);

  tls->cert_file = g_strdup(cert_file);
  tls->key_file = g_strdup(key_file);
  tls->generations = g_ptr_array_new_with_free_func((GDestroyNotify)credentials_free);
  if (!ppm_tls_reload(tls, error))
    {
      ppm_tls_free(tls);
      return NULL;
    }
  return tls;
}

gboolean
ppm_tls_reload(PpmTls *tls, GError **error)
{
  Credentials *fresh = credentials_load(tls->cert_file, tls->key_file, error);

  if (fresh == NULL)
    return FALSE;
  g_ptr_array_add(tls->generations, fresh);
  g_mutex_lock(&current_lock);
  current = fresh;
  g_mutex_unlock(&current_lock);
  return TRUE;
}

void
ppm_tls_free(PpmTls *tls)
{
  g_mutex_lock(&current_lock);
  for (guint i = 0; i < tls->generations->len; i++)
    if (current == tls->generations->pdata[i])
      current = NULL;
  g_mutex_unlock(&current_lock);
  g_ptr_array_unref(tls->generations);
  g_free(tls->cert_file);
  g_free(tls->key_file);
  g_free(tls);
}

int
ppm_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                 const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                 gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
  int status = -1;

  g_mutex_lock(&current_lock);
  if (current != NULL)
    {
      *pcert = current->chain;
      *pcert_length = current->length;
      *privkey = current->key;
      status = 0;
    }
  g_mutex_unlock(&current_lock);
  return status;
}
