/* HTTP requests for the security tests with the knobs the platform helpers
 * of tests/server do not have: a CA file, a chosen client address, cookies,
 * every Set-Cookie header and the served certificate's serial number. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *content_type;   /* of `body`; NULL: application/json */
  const char *body;           /* NULL: no body */
  const char *cookie;         /* the Cookie header's value */
  const char *ca_file;        /* the only CA trusted for https:// */
  const char *source_address; /* the client side's IPv4 address, e.g. "127.0.0.2" */
} SecRequest;

typedef struct
{
  long status;
  char *body;
  char *retry_after;      /* NULL when absent */
  char *location;         /* NULL when absent */
  GPtrArray *set_cookies; /* each Set-Cookie header's value */
  char *serial;           /* the server certificate's serial (hex, lower case), https only */
  GHashTable *headers;    /* lower-case name → value (the last one) */
} SecResponse;

void sec_response_free(SecResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SecResponse, sec_response_free)

/* One request to `url`; NULL and an error when no HTTP answer came (TLS
 * refused, connection refused, ...). */
SecResponse *sec_http_request(const char *method, const char *url, const SecRequest *request,
                              GError **error);

/* The value of the cookie `name` among `response`'s Set-Cookie headers, or
 * NULL. */
char *sec_response_cookie(SecResponse *response, const char *name);
/* The Set-Cookie header that sets `name`, or NULL. */
const char *sec_response_set_cookie(SecResponse *response, const char *name);

/* error.code of a JSON error answer, or NULL. */
char *sec_response_error_code(SecResponse *response);

/* The value of the hidden form field `name` in an HTML page, or NULL. */
char *sec_html_field(const char *html, const char *name);

G_END_DECLS
