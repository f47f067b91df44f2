/* A small asynchronous HTTP client: libcurl's multi interface driven by the
 * GLib main context it was created in.  Internal to core/api. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PpmHttp PpmHttp;

typedef enum
{
  PPM_HTTP_ANSWERED,  /* an HTTP status arrived; body holds at most the size cap */
  PPM_HTTP_FAILED,    /* connection error, timeout, TLS failure, body too large */
  PPM_HTTP_CANCELLED, /* the cancellable fired before the answer was delivered */
} PpmHttpStatus;

typedef struct
{
  PpmHttpStatus status;
  long http_status;      /* 0 unless ANSWERED */
  GBytes *body;          /* never NULL */
  gint64 retry_after_ms; /* Retry-After, 0 when absent */
  gboolean replayed;     /* Idempotent-Replayed: true */
  const char *error;     /* why it FAILED, for people */
} PpmHttpResponse;

/* Called once per request, from the main context of the PpmHttp, never from
 * inside ppm_http_request() itself. */
typedef void (*PpmHttpDone)(const PpmHttpResponse *response, gpointer user_data);

#define PPM_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define PPM_HTTP_DEFAULT_TIMEOUT_MS 10000
#define PPM_HTTP_MAX_BODY (1024 * 1024)

/* Uses the thread-default main context at the time of the call. */
PpmHttp *ppm_http_new(void);
/* Cancels every request in flight without calling its callback. */
void ppm_http_free(PpmHttp *http);

void ppm_http_set_timeouts(PpmHttp *http, guint connect_timeout_ms, guint timeout_ms);
/* NULL or "" means the system's CA store.  Verification is never turned off. */
void ppm_http_set_ca_file(PpmHttp *http, const char *ca_file);

/* `bearer` and `json_body` may be NULL. */
void ppm_http_request(PpmHttp *http, const char *method, const char *url, const char *bearer,
                      const char *json_body, GCancellable *cancellable, PpmHttpDone done,
                      gpointer user_data);

/* Transfers currently in flight (for tests and benchmarks). */
guint ppm_http_get_n_active(PpmHttp *http);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmHttp, ppm_http_free)

G_END_DECLS
