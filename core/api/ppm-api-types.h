/* What the platform's answers decode into (docs/openapi.json).  Strings are owned. */
#pragma once

#include <glib.h>

#include "ppm-money.h"

G_BEGIN_DECLS

/* Limits the client accepts in answers; a balance is at most 10^15 minor units. */
#define PPM_MONEY_MAX G_GINT64_CONSTANT(1000000000000000)

typedef struct
{
  char *id;
  char *email;
  char *role; /* "model" or "member" */
  char *display_name;
} PpmUser;

typedef struct
{
  char *access_token;
  char *refresh_token;
  gint64 expires_in; /* seconds */
  PpmUser user;
} PpmLogin;

typedef struct
{
  char *protocol;
  char *handle;
} PpmHandle;

typedef struct
{
  int period_seconds;
  gint64 offset_ms;
  int hold_periods;
  int fee_bps;
  char currency[4];
} PpmBilling;

typedef struct
{
  PpmUser user;
  PpmMoney balance;
  gboolean has_available; /* members */
  PpmMoney available;
  gboolean has_max_rate; /* members */
  PpmMoney max_rate;
  gboolean has_rate; /* models, once they set one */
  PpmMoney rate;
  GPtrArray *handles; /* PpmHandle* */
  PpmBilling billing;
} PpmMe;

typedef enum
{
  PPM_LOOKUP_FUNDED,
  PPM_LOOKUP_UNFUNDED,
  PPM_LOOKUP_NOT_MEMBER,
} PpmLookupStatus;

typedef struct
{
  PpmLookupStatus status;
  char *display_name;       /* NULL when not sent */
  int minutes_affordable;   /* 0–60; -1 when not sent */
  gboolean billing_refused; /* billing_allowed: false (the member's allow-list leaves us out) */
} PpmLookup;

typedef struct
{
  char *session_id;
  char *started;
  char *ended;  /* NULL while open */
  char *reason; /* NULL while open */
  char *counterparty;
  gint64 periods_charged;
  PpmMoney total;
} PpmSessionItem;

typedef struct
{
  char *id;
  char *time;
  char *kind;      /* deposit, charge, refund, earning, payout */
  PpmMoney amount; /* signed */
  PpmMoney balance_after;
  char *session_id;   /* may be NULL */
  char *counterparty; /* may be NULL */
} PpmTransaction;

/* One page of GET /v1/me/sessions or /v1/me/transactions. */
typedef struct
{
  GPtrArray *items;  /* PpmSessionItem* or PpmTransaction* */
  char *next_before; /* NULL on the last page */
} PpmPage;

void ppm_login_free(PpmLogin *login);
void ppm_handle_free(PpmHandle *handle);
void ppm_me_free(PpmMe *me);
void ppm_lookup_free(PpmLookup *lookup);
void ppm_session_item_free(PpmSessionItem *item);
void ppm_transaction_free(PpmTransaction *transaction);
void ppm_page_free(PpmPage *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmLogin, ppm_login_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmHandle, ppm_handle_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmMe, ppm_me_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmLookup, ppm_lookup_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmSessionItem, ppm_session_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmTransaction, ppm_transaction_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmPage, ppm_page_free)

G_END_DECLS
