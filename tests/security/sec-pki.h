/* A throw-away certificate authority made at run time with the openssl
 * command, in a temporary directory: no key is ever committed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *dir;
  char *ca_file; /* the CA certificate (PEM) */
  char *ca_key;
} SecPki;

SecPki *sec_pki_new(GError **error);
/* Makes DIR/NAME.pem and DIR/NAME.key for `alt_names` (an openssl
 * subjectAltName value such as "IP:127.0.0.1,DNS:localhost") with `serial`,
 * signed by the CA or, with `self_signed`, by its own key. */
gboolean sec_pki_issue(SecPki *pki, const char *name, const char *alt_names, guint serial,
                       gboolean self_signed, GError **error);
/* DIR/NAME.pem and DIR/NAME.key. */
char *sec_pki_cert(SecPki *pki, const char *name);
char *sec_pki_key(SecPki *pki, const char *name);
void sec_pki_free(SecPki *pki);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SecPki, sec_pki_free)

G_END_DECLS
