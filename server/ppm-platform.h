/* What every request handler shares: the store and the deployment's settings. */
#pragma once

#include "ppm-store.h"
#include "ppm-throttle.h"

G_BEGIN_DECLS

/* Sign-ups per client address. */
#define PPM_SIGNUP_MAX_PER_ADDRESS 5
#define PPM_SIGNUP_WINDOW_SECONDS 3600

typedef struct
{
  PpmStore *store;
  PpmBillingConfig billing;
  PpmThrottle *signups; /* PPM_SIGNUP_MAX_PER_ADDRESS per PPM_SIGNUP_WINDOW_SECONDS */
} PpmPlatform;

G_END_DECLS
