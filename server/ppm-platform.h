/* What every request handler shares: the store and the deployment's settings. */
#pragma once

#include "ppm-store.h"

G_BEGIN_DECLS

typedef struct
{
  PpmStore *store;
  PpmBillingConfig billing;
} PpmPlatform;

G_END_DECLS
