/* A small asynchronous HTTP client: libcurl's multi interface driven by the
 * GLib main context it was created in.  Internal to core/api. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PpmHttpClient PpmHttpClient;

typedef enum
{
  PPM_HTTP_CLIENT_ANSWERED,  /* an HTTP status arrived; body holds at most the size cap */
  PPM_HTTP_CLIENT_FAILED,    /* connection error, timeout, TLS failure, body too large */
  PPM_HTTP_CLIENT_CANCELLED, /* the cancellable fired before the answer was delivered */
} PpmHttpClientStatus;

typedef struct
{
  PpmHttpClientStatus status;
  long http_status;      /* 0 unless ANSWERED */
  GBytes *body;          /* never NULL */
  gint64 retry_after_ms; /* Retry-After, 0 when absent */
  gboolean replayed;     /* Idempotent-Replayed: true */
  const char *error;     /* why it FAILED, for people */
} PpmHttpClientResponse;

/* Called once per request, from the main context of the PpmHttpClient, never from
 * inside ppm_http_client_request() itself. */
typedef void (*PpmHttpClientDone)(const PpmHttpClientResponse *response, gpointer user_data);

#define PPM_HTTP_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define PPM_HTTP_CLIENT_DEFAULT_TIMEOUT_MS 10000
#define PPM_HTTP_CLIENT_MAX_BODY (1024 * 1024)

/* Uses the thread-default main context at the time of the call. */
PpmHttpClient *ppm_http_client_new(void);
/* Cancels every request in flight without calling its callback. */
void ppm_http_client_free(PpmHttpClient *http);

void ppm_http_client_set_timeouts(PpmHttpClient *http, guint connect_timeout_ms, guint timeout_ms);
/* NULL or "" means the system's CA store.  Verification is never turned off. */
void ppm_http_client_set_ca_file(PpmHttpClient *http, const char *ca_file);

/* `bearer` and `json_body` may be NULL. */
void ppm_http_client_request(PpmHttpClient *http, const char *method, const char *url,
                             const char *bearer, const char *json_body, GCancellable *cancellable,
                             PpmHttpClientDone done, gpointer user_data);

/* Transfers currently in flight (for tests and benchmarks). */
guint ppm_http_client_get_n_active(PpmHttpClient *http);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmHttpClient, ppm_http_client_free)

G_END_DECLS
