/* What every request handler shares: the store and the deployment's settings. */
#pragma once

#include "ppm-store.h"
#include "ppm-throttle.h"

G_BEGIN_DECLS

/* Sign-ups per client address. */
#define PPM_SIGNUP_MAX_PER_ADDRESS 5
#define PPM_SIGNUP_WINDOW_SECONDS 3600

/* Bytes of the key of the web forms' CSRF tokens (BLAKE2b's). */
#define PPM_FORM_KEY_BYTES 32

typedef struct
{
  PpmStore *store;
  PpmBillingConfig billing;
  PpmThrottle *signups; /* PPM_SIGNUP_MAX_PER_ADDRESS per PPM_SIGNUP_WINDOW_SECONDS */
  /* Every server of one database has the same (ppm_web_form_key_load()). */
  guint8 form_key[PPM_FORM_KEY_BYTES];
} PpmPlatform;

G_END_DECLS
