/* The server's TLS certificate and key, swappable while serving.
 *
 * libmicrohttpd asks for the certificate at every handshake
 * (MHD_OPTION_HTTPS_CERT_CALLBACK), so a reload only replaces what that
 * callback hands out: the listening socket and the connections already
 * accepted are never touched.
 */
#pragma once

#include <glib.h>
#include <gnutls/abstract.h>

G_BEGIN_DECLS

/* The GnuTLS priorities of the listener: TLS 1.2 and 1.3 only. */
#define PPM_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

typedef struct _PpmTls PpmTls;

/* Reads the PEM certificate chain and key; NULL with G_IO_ERROR_FAILED when a file
 * cannot be read or does not parse, or when the key is not the certificate's. */
PpmTls *ppm_tls_new(const char *cert_file, const char *key_file, GError **error);
/* Reads the files again; on failure the previous certificate stays in use. */
gboolean ppm_tls_reload(PpmTls *tls, GError **error);
void ppm_tls_free(PpmTls *tls);

/* The gnutls_certificate_retrieve_function2 to hand to libmicrohttpd; it
 * serves the certificate of the PpmTls made last (one per process). */
int ppm_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                     const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                     gnutls_pcert_st **pcert, unsigned int *pcert_length,
                     gnutls_privkey_t *privkey);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmTls, ppm_tls_free)

G_END_DECLS
