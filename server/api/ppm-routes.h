/* The API routes (docs/openapi.json) and what their handlers share. */
#pragma once

#include "ppm-http-request.h"

G_BEGIN_DECLS

typedef struct
{
  PpmHttpRequest *request;
  PpmPlatform *platform;
  PpmStoreUser *user; /* the authenticated user; NULL for routes open to anyone
                       * and for submitting routes */
  const char *bearer; /* the access token, for routes that take one */
  const char *param;  /* the {id} of the path, if any */
  JsonObject *body;   /* the JSON object of the body, for routes that take one */
} PpmRouteContext;

typedef void (*PpmRouteFunc)(PpmRouteContext *ctx);

typedef enum
{
  PPM_WHO_ANYONE,
  PPM_WHO_USER,
  PPM_WHO_MODEL,
  PPM_WHO_MEMBER,
} PpmRouteWho;

typedef struct
{
  const char *method;
  const char *path; /* "{id}" matches one path segment */
  PpmRouteWho who;
  gboolean json_body;
  PpmRouteFunc func;
  /* Neither blocks nor waits: the handler only submits to the engine
   * (session_charge_submit), which also checks the token and `who`, and
   * answers from the engine's thread.  So the body is checked before the
   * token on this route. */
  gboolean submits;
  /* Checks a password: runs in the listener's hashing pool. */
  gboolean hashes;
} PpmRoute;

/* Answers every request: the API routes, /account/ pages, 404 and 405. */
void ppm_router_handle(PpmHttpRequest *request);
/* Where the listener runs the request (PpmHttpLane): on its own thread when
 * the handler returns at once without blocking on the store, in the hashing
 * pool when it checks or hashes a password, else on a worker. */
PpmHttpLane ppm_router_lane(PpmPlatform *platform, const char *method, const char *path);
/* The answer to a request of the hashing lane when that pool's queue is
 * full: 503 busy with Retry-After (a page for /account/ paths). */
#define PPM_ROUTER_BUSY_RETRY_SECONDS 2
void ppm_router_busy(PpmHttpRequest *request);
/* Every route and page as "METHOD /path", one per line. */
void ppm_router_print_routes(void);

/* Body fields.  A missing required field or a wrong JSON type answers 400
 * and returns FALSE; an absent optional field leaves *present FALSE. */
gboolean ppm_field_int(PpmRouteContext *ctx, const char *name, gint64 *value, gboolean *present);
gboolean ppm_field_string(PpmRouteContext *ctx, const char *name, const char **value,
                          gboolean *present);
gboolean ppm_field_bool(PpmRouteContext *ctx, const char *name, gboolean *value, gboolean *present);
/* 422 invalid with `message`; returns FALSE. */
gboolean ppm_route_invalid(PpmRouteContext *ctx, const char *message);
/* Answers a store error (with Retry-After when given). */
void ppm_route_fail(PpmRouteContext *ctx, const GError *error, gint64 retry_after_s);
/* Answers a stored open/charge/close answer with Idempotent-Replayed on a replay. */
void ppm_route_stored(PpmRouteContext *ctx, guint status, const PpmStoredAnswer *answer);
void ppm_route_json(PpmRouteContext *ctx, guint status, JsonBuilder *builder);
/* stars 1–5 and an optional comment of at most 500 characters (422 else). */
gboolean ppm_route_rating_fields(PpmRouteContext *ctx, int *stars, const char **comment);

/* Handlers. */
void ppm_route_login(PpmRouteContext *ctx);
void ppm_route_refresh(PpmRouteContext *ctx);
void ppm_route_logout(PpmRouteContext *ctx);
void ppm_route_healthz(PpmRouteContext *ctx);
void ppm_route_me(PpmRouteContext *ctx);
void ppm_route_set_rate(PpmRouteContext *ctx);
void ppm_route_set_max_rate(PpmRouteContext *ctx);
void ppm_route_handle_link(PpmRouteContext *ctx);
void ppm_route_handle_unlink(PpmRouteContext *ctx);
void ppm_route_lookup(PpmRouteContext *ctx);
void ppm_route_session_open(PpmRouteContext *ctx);
void ppm_route_session_charge(PpmRouteContext *ctx);
void ppm_route_session_close(PpmRouteContext *ctx);
void ppm_route_session_rating(PpmRouteContext *ctx);
void ppm_route_app_rating(PpmRouteContext *ctx);
void ppm_route_my_sessions(PpmRouteContext *ctx);
void ppm_route_my_transactions(PpmRouteContext *ctx);
void ppm_route_allowed_models(PpmRouteContext *ctx);
void ppm_route_allowed_models_only(PpmRouteContext *ctx);
void ppm_route_allowed_model_add(PpmRouteContext *ctx);
void ppm_route_allowed_model_remove(PpmRouteContext *ctx);

G_END_DECLS
