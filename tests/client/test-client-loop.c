/* How the client shares the main loop: the stall probe measures the loop's
 * work and not its waiting, finished transfers are handed out a time slice
 * per iteration, and a cancelled request never calls back, whether it was
 * cancelled while queued, after its answer arrived, or from another thread. */
#include "client-responder.h"
#include "client-test-util.h"
#include "ppm-api.h"

#include <string.h>

#define CHARGE_ANSWER                                                                              \
  "{\"seq\": 0, \"charged\": {\"amount_minor\": 200, \"currency\": \"USD\"},"                      \
  " \"total\": {\"amount_minor\": 200, \"currency\": \"USD\"}, \"secured_periods\": 2,"            \
  " \"member_balance_periods\": 5}"

/* Works on the CPU for `us` microseconds of this thread's own time. */
static void
burn_cpu(gint64 us)
{
  gint64 end = ppm_test_thread_cpu_us() + us;

  while (ppm_test_thread_cpu_us() < end)
    ;
}

static gboolean
burn_30ms(gpointer user_data)
{
  burn_cpu(30 * 1000);
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_probe_counts_work_not_waiting(void)
{
  g_autoptr(PpmStallProbe) probe = ppm_stall_probe_start();
  gboolean burnt = FALSE;

  /* 300 ms spent waiting in poll() for a timer: no stall. */
  ppm_test_spin(300);
  g_assert_cmpint(ppm_stall_probe_longest(probe), <, 50 * 1000);
  /* 30 ms of work inside one dispatch: a stall of at least that much. */
  g_idle_add(burn_30ms, &burnt);
  g_assert_true(ppm_test_wait_for(&burnt, 5000));
  ppm_test_spin(10);
  g_assert_cmpint(ppm_stall_probe_longest(probe), >=, 30 * 1000);
  g_assert_cmpint(ppm_stall_probe_longest_cpu(probe), >=, 30 * 1000);
  ppm_stall_probe_reset(probe);
  g_assert_cmpint(ppm_stall_probe_longest(probe), ==, 0);
}

static char *
charge_answer(void)
{
  return g_strdup_printf("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         strlen(CHARGE_ANSWER), CHARGE_ANSWER);
}

/* Counts main-loop iterations: prepared first in each one. */
typedef struct
{
  GSource source;
  guint *iteration;
} Counter;

static gboolean
count_iteration(GSource *source, gint *timeout)
{
  (*((Counter *)source)->iteration)++;
  *timeout = -1;
  return FALSE;
}

typedef struct
{
  guint iteration;
  guint delivered;
  guint busiest; /* the most callbacks one iteration ran */
  guint last_iteration;
  guint in_last_iteration;
} Deliveries;

static void
on_slow_charge(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  Deliveries *deliveries = user_data;

  g_assert_cmpint(outcome->kind, ==, PPM_OUTCOME_OK);
  if (deliveries->delivered > 0 && deliveries->last_iteration == deliveries->iteration)
    deliveries->in_last_iteration++;
  else
    deliveries->in_last_iteration = 1;
  deliveries->last_iteration = deliveries->iteration;
  deliveries->busiest = MAX(deliveries->busiest, deliveries->in_last_iteration);
  deliveries->delivered++;
  /* As long as a journal write: past the delivery's time slice. */
  burn_cpu(1000);
}

static void
test_deliveries_are_sliced(void)
{
  static GSourceFuncs counter_funcs = { .prepare = count_iteration };
  g_autofree char *answer = charge_answer();
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 0, 0);
  g_autoptr(GSource) counter = g_source_new(&counter_funcs, sizeof(Counter));
  Deliveries deliveries = { 0 };

  ((Counter *)counter)->iteration = &deliveries.iteration;
  g_source_set_priority(counter, G_MININT);
  g_source_attach(counter, NULL);
  for (int i = 0; i < 40; i++)
    ppm_api_charge(api, "s-1", 0, 1000, NULL, on_slow_charge, &deliveries);
  while (deliveries.delivered < 40)
    g_main_context_iteration(NULL, TRUE);
  g_source_destroy(counter);
  /* Each callback outlasts the slice: the next one waits for the next iteration. */
  g_assert_cmpuint(deliveries.busiest, ==, 1);
}

static void
on_never(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  g_assert_not_reached();
}

static void
test_cancel_while_queued(void)
{
  g_autofree char *answer = charge_answer();
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 0, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  guint before = ppm_responder_get_requests(responder);

  /* Cancelled before the loop ever ran: never sent, never called back. */
  ppm_api_charge(api, "s-1", 0, 1000, cancellable, on_never, NULL);
  g_cancellable_cancel(cancellable);
  ppm_test_spin(200);
  g_assert_cmpuint(ppm_api_get_n_active(api), ==, 0);
  g_assert_cmpuint(ppm_responder_get_requests(responder), ==, before);
}

typedef struct
{
  GCancellable *cancellables[2];
  guint called;
} Pair;

static void
on_first_of_pair(const PpmOutcome *outcome, const PpmChargeAnswer *answer, gpointer user_data)
{
  Pair *pair = user_data;

  /* Whichever ends first cancels the other, answered or not yet. */
  pair->called++;
  g_cancellable_cancel(pair->cancellables[0]);
  g_cancellable_cancel(pair->cancellables[1]);
}

static void
test_cancel_from_a_callback(void)
{
  g_autofree char *answer = charge_answer();
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_CANNED, answer);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 0, 0);

  for (int round = 0; round < 20; round++)
    {
      Pair pair = { { g_cancellable_new(), g_cancellable_new() }, 0 };

      ppm_api_charge(api, "s-1", 0, 1000, pair.cancellables[0], on_first_of_pair, &pair);
      ppm_api_charge(api, "s-1", 0, 1000, pair.cancellables[1], on_first_of_pair, &pair);
      while (ppm_api_get_n_active(api) > 0)
        g_main_context_iteration(NULL, TRUE);
      g_assert_cmpuint(pair.called, ==, 1);
      g_object_unref(pair.cancellables[0]);
      g_object_unref(pair.cancellables[1]);
    }
}

static gpointer
cancel_in_thread(gpointer cancellable)
{
  g_cancellable_cancel(cancellable);
  return NULL;
}

static void
test_cancel_from_another_thread(void)
{
  g_autoptr(PpmResponder) responder = ppm_responder_new(PPM_RESPONDER_SILENT, NULL);
  g_autoptr(PpmApi) api = ppm_responder_sign_in(responder, 0, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  guint before = ppm_responder_get_requests(responder);

  ppm_api_charge(api, "s-1", 0, 1000, cancellable, on_never, NULL);
  while (ppm_responder_get_requests(responder) == before)
    g_main_context_iteration(NULL, TRUE);
  g_thread_join(g_thread_new("cancel", cancel_in_thread, cancellable));
  ppm_test_spin(200);
  g_assert_cmpuint(ppm_api_get_n_active(api), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/loop/probe-counts-work-not-waiting", test_probe_counts_work_not_waiting);
  g_test_add_func("/client/loop/deliveries-are-sliced", test_deliveries_are_sliced);
  g_test_add_func("/client/cancel/while-queued", test_cancel_while_queued);
  g_test_add_func("/client/cancel/from-a-callback", test_cancel_from_a_callback);
  g_test_add_func("/client/cancel/from-another-thread", test_cancel_from_another_thread);
  return g_test_run();
}
