/* A scripted platform for the meter's unit tests.
 *
 * Requests are answered on the virtual clock after a delay, following a list
 * of rules (first match wins, default: success after 20 ms).  Every request is
 * recorded with the time it was posted.
 */
#pragma once

#include "ppm-port.h"
#include "ppm-clock.h"

G_BEGIN_DECLS

typedef enum
{
  FAKE_OPEN,
  FAKE_CHARGE,
  FAKE_CLOSE,
} FakeKind;

typedef struct
{
  FakeKind kind;
  gint64 seq; /* charges: the seq posted; -1 otherwise */
  gint64 elapsed_ms;
  gint64 posted_us; /* clock time of the post */
  char *reason;     /* close only */
} FakeRequest;

typedef struct
{
  FakeKind kind;
  gint64 seq_min, seq_max;  /* charges: matches seq in [min, max] */
  gint64 from_us, until_us; /* matches posts at clock time in [from, until) */
  int times;                /* matches left; -1: unlimited */
  PpmOutcomeKind outcome;
  int http_status;
  const char *error_code; /* as sent; the fake reads it as core/api does */
  gint64 retry_after_ms;
  gint64 delay_us;               /* answer after this long; -1: never */
  int secured_periods;           /* success: overrides the default when >= 0 */
  gint64 member_balance_periods; /* success: overrides the default when >= 0 */
} FakeRule;

typedef struct
{
  PpmPort port;
  PpmClock *clock;
  GArray *rules;                 /* FakeRule */
  GPtrArray *requests;           /* FakeRequest */
  gint64 period_ms;              /* in the open answer; default 60000 */
  gint64 offset_ms;              /* default 1000 */
  int secured_periods;           /* default 2 */
  gint64 member_balance_periods; /* default 100 */
  int in_flight;
  int max_in_flight;
  gint64 charges_confirmed; /* successful charge answers sent */
} FakePort;

FakePort *fake_port_new(PpmClock *clock);
void fake_port_free(FakePort *fake);

#define FAKE_DELAY_US (20 * 1000)

/* A rule matching every request of `kind` at any time, unlimited, success
 * after FAKE_DELAY_US; tweak the copy and add it. */
FakeRule fake_rule(FakeKind kind);
void fake_port_add_rule(FakePort *fake, const FakeRule *rule);

/* Requests of `kind` recorded so far, in order. */
guint fake_port_count(FakePort *fake, FakeKind kind);
FakeRequest *fake_port_nth(FakePort *fake, FakeKind kind, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(FakePort, fake_port_free)

G_END_DECLS
