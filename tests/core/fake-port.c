/* The scripted platform (see fake-port.h). */
#include "fake-port.h"

#include "ppm-api-error.h"

typedef struct
{
  FakePort *fake;
  FakeKind kind;
  gint64 seq;
  gint64 elapsed_ms;
  FakeRule rule;
  GCancellable *cancellable;
  guint timer;
  PpmOpenDone open_done;
  PpmChargeDone charge_done;
  PpmCloseDone close_done;
  gpointer user_data;
} Pending;

static GList *pendings; /* of Pending: posted, not yet answered */

static void
request_free(gpointer data)
{
  FakeRequest *request = data;

  g_free(request->reason);
  g_free(request);
}

static void
pending_free(Pending *pending)
{
  pendings = g_list_remove(pendings, pending);
  ppm_clock_clear_timeout(pending->fake->clock, &pending->timer);
  g_clear_object(&pending->cancellable);
  g_free(pending);
}

FakeRule
fake_rule(FakeKind kind)
{
  return (FakeRule){
    .kind = kind,
    .seq_min = G_MININT64,
    .seq_max = G_MAXINT64,
    .from_us = G_MININT64,
    .until_us = G_MAXINT64,
    .times = -1,
    .outcome = PPM_OUTCOME_OK,
    .http_status = 0,
    .delay_us = FAKE_DELAY_US,
    .secured_periods = -1,
    .member_balance_periods = -1,
  };
}

void
fake_port_add_rule(FakePort *fake, const FakeRule *rule)
{
  g_array_append_val(fake->rules, *rule);
}

static FakeRule
rule_for(FakePort *fake, FakeKind kind, gint64 seq, gint64 now)
{

  for (guint i = 0; i < fake->rules->len; i++)
    {
      FakeRule *rule = &g_array_index(fake->rules, FakeRule, i);

      if (rule->kind != kind || rule->times == 0 || now < rule->from_us || now >= rule->until_us
          || (kind == FAKE_CHARGE && (seq < rule->seq_min || seq > rule->seq_max)))
        continue;
      if (rule->times > 0)
        rule->times--;
      return *rule;
    }
  return fake_rule(kind);
}

static void
pending_answer(gpointer data)
{
  Pending *p = data;
  FakePort *fake = p->fake;
  const FakeRule *rule = &p->rule;
  int secured = rule->secured_periods >= 0 ? rule->secured_periods : fake->secured_periods;
  PpmOutcome outcome = {
    .kind = rule->outcome,
    .http_status = rule->http_status,
    .code = ppm_api_error_code_parse(rule->error_code),
    .code_text = rule->error_code,
    .message = rule->error_code,
    .retry_after_ms = rule->retry_after_ms,
  };
  gboolean ok = rule->outcome == PPM_OUTCOME_OK;

  p->timer = 0;
  fake->in_flight--;
  if (g_cancellable_is_cancelled(p->cancellable))
    {
      pending_free(p);
      return;
    }
  if (ok)
    outcome.http_status = p->kind == FAKE_CLOSE ? 200 : 201;
  switch (p->kind)
    {
      case FAKE_OPEN:
        {
          PpmOpenAnswer answer = { "session-1",     200,  "USD",    fake->period_ms,
                                   fake->offset_ms, 2000, "Member", secured };

          p->open_done(&outcome, ok ? &answer : NULL, p->user_data);
          break;
        }
      case FAKE_CHARGE:
        {
          PpmChargeAnswer answer = {
            p->seq,
            200,
            (p->seq + 1) * 200,
            "USD",
            secured,
            rule->member_balance_periods >= 0 ? rule->member_balance_periods
                                              : fake->member_balance_periods,
          };

          if (ok)
            fake->charges_confirmed++;
          p->charge_done(&outcome, ok ? &answer : NULL, p->user_data);
          break;
        }
      case FAKE_CLOSE:
        {
          PpmCloseAnswer answer
              = { "session-1", fake->charges_confirmed, fake->charges_confirmed * 200, 0,
                  "USD",       p->elapsed_ms,           "http://127.0.0.1/rate" };

          p->close_done(&outcome, ok ? &answer : NULL, p->user_data);
          break;
        }
    }
  pending_free(p);
}

/* Records the request and schedules its scripted answer. */
static Pending *
fake_post(FakePort *fake, FakeKind kind, gint64 seq, gint64 elapsed_ms, const char *reason,
          GCancellable *cancellable, gpointer user_data)
{
  gint64 now = ppm_clock_now_monotonic(fake->clock);
  FakeRequest *request = g_new0(FakeRequest, 1);
  Pending *p = g_new0(Pending, 1);

  *request = (FakeRequest){ kind, seq, elapsed_ms, now, g_strdup(reason) };
  g_ptr_array_add(fake->requests, request);

  *p = (Pending){ .fake = fake,
                  .kind = kind,
                  .seq = seq,
                  .elapsed_ms = elapsed_ms,
                  .rule = rule_for(fake, kind, seq, now),
                  .user_data = user_data };
  p->cancellable = cancellable != NULL ? g_object_ref(cancellable) : g_cancellable_new();
  pendings = g_list_prepend(pendings, p);
  fake->in_flight++;
  fake->max_in_flight = MAX(fake->max_in_flight, fake->in_flight);
  if (p->rule.delay_us >= 0)
    p->timer = ppm_clock_add_timeout(fake->clock, now + p->rule.delay_us, pending_answer, p);
  return p;
}

static void
fake_open(gpointer self, const PpmOpenRequest *request, GCancellable *cancellable, PpmOpenDone done,
          gpointer user_data)
{
  fake_post(self, FAKE_OPEN, -1, request->elapsed_ms, NULL, cancellable, user_data)->open_done
      = done;
}

static void
fake_charge(gpointer self, const char *session_id, gint64 seq, gint64 elapsed_ms,
            GCancellable *cancellable, PpmChargeDone done, gpointer user_data)
{
  fake_post(self, FAKE_CHARGE, seq, elapsed_ms, NULL, cancellable, user_data)->charge_done = done;
}

static void
fake_close(gpointer self, const char *session_id, const char *reason, gint64 elapsed_ms,
           GCancellable *cancellable, PpmCloseDone done, gpointer user_data)
{
  fake_post(self, FAKE_CLOSE, -1, elapsed_ms, reason, cancellable, user_data)->close_done = done;
}

static const PpmPortOps fake_ops = { fake_open, fake_charge, fake_close };

FakePort *
fake_port_new(PpmClock *clock)
{
  FakePort *fake = g_new0(FakePort, 1);

  fake->port = (PpmPort){ &fake_ops, fake };
  fake->clock = ppm_clock_ref(clock);
  fake->rules = g_array_new(FALSE, FALSE, sizeof(FakeRule));
  fake->requests = g_ptr_array_new_with_free_func(request_free);
  fake->period_ms = 60000;
  fake->offset_ms = 1000;
  fake->secured_periods = 2;
  fake->member_balance_periods = 100;
  return fake;
}

void
fake_port_free(FakePort *fake)
{
  for (GList *l = pendings; l != NULL;)
    {
      Pending *p = l->data;

      l = l->next;
      if (p->fake == fake)
        pending_free(p);
    }
  g_ptr_array_unref(fake->requests);
  g_array_unref(fake->rules);
  ppm_clock_unref(fake->clock);
  g_free(fake);
}

guint
fake_port_count(FakePort *fake, FakeKind kind)
{
  guint n = 0;

  for (guint i = 0; i < fake->requests->len; i++)
    n += ((FakeRequest *)g_ptr_array_index(fake->requests, i))->kind == kind;
  return n;
}

FakeRequest *
fake_port_nth(FakePort *fake, FakeKind kind, guint n)
{
  for (guint i = 0; i < fake->requests->len; i++)
    {
      FakeRequest *request = g_ptr_array_index(fake->requests, i);

      if (request->kind == kind && n-- == 0)
        return request;
    }
  return NULL;
}
