/* Many clients at once: exactly-once charges and no overdraft. */
#include <curl/curl.h>

#include "ppm-test-api.h"

static PpmTestServer *
start(void)
{
  g_autoptr(GError) error = NULL;
  /* 1 s periods, backdated opens: hundreds of charges are due at once. */
  PpmTestServer *server = ppm_test_server_start(
      NULL, (const char *[]){ "--period-seconds", "1", "--max-backdate-seconds", "600", NULL },
      &error);

  g_assert_no_error(error);
  return server;
}

typedef struct
{
  PpmTestServer *server;
  const char *token;
  const char *session_id;
  GPtrArray *bodies; /* of the 201 answers, under `lock` */
  GMutex lock;
  gint replayed;
} SameCharge;

static gpointer
post_same_charge(gpointer data)
{
  SameCharge *s = data;
  g_autoptr(PpmTestResponse) r = ppm_test_charge(s->server, s->token, s->session_id, 0);

  ppm_assert_answer(r, 201, NULL);
  if (g_hash_table_contains(r->headers, "idempotent-replayed"))
    g_atomic_int_inc(&s->replayed);
  g_mutex_lock(&s->lock);
  g_ptr_array_add(s->bodies, g_strdup(r->body));
  g_mutex_unlock(&s->lock);
  return NULL;
}

static void
test_same_charge_50_times(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL;
  SameCharge s = { 0 };
  GThread *threads[50];

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  open = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(open, 201, NULL);
  s.server = server;
  s.token = pair.model_token;
  s.session_id = ppm_test_string(open, "session_id");
  s.bodies = g_ptr_array_new_with_free_func(g_free);
  g_mutex_init(&s.lock);
  for (int i = 0; i < 50; i++)
    threads[i] = g_thread_new("charge", post_same_charge, &s);
  for (int i = 0; i < 50; i++)
    g_thread_join(threads[i]);
  g_assert_cmpint(s.bodies->len, ==, 50);
  for (guint i = 1; i < s.bodies->len; i++)
    g_assert_cmpstr(s.bodies->pdata[i], ==, s.bodies->pdata[0]);
  g_assert_cmpint(s.replayed, ==, 49);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1800);
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 160);
  ppm_test_verify(server);
  g_ptr_array_unref(s.bodies);
  g_mutex_clear(&s.lock);
}

#define THREADS_PER_MODEL 4
/* Opens are backdated 500 s at 1 s periods: up to 500 seqs are due. */
#define SEQS_PER_SESSION 150

typedef struct
{
  PpmTestServer *server;
  const char *token;
  const char *session_id;
  gint seqs;     /* charges to post at most */
  gint next_seq; /* the lowest seq not known to be settled */
  gint charged;  /* distinct seqs answered 201 first-hand */
  gint refused;  /* 402s */
} Racer;

/* Each thread posts the session's next seq until the member is broke or
 * the session has `seqs` charges; threads of one session race for the same
 * seqs. */
static gpointer
race(gpointer data)
{
  Racer *racer = data;

  while (TRUE)
    {
      gint seq = g_atomic_int_get(&racer->next_seq);
      g_autoptr(PpmTestResponse) r = NULL;

      if (seq >= racer->seqs)
        return NULL;
      r = ppm_test_charge(racer->server, racer->token, racer->session_id, seq);
      if (r->status == 402)
        {
          g_atomic_int_inc(&racer->refused);
          return NULL;
        }
      if (r->status == 422) /* seq_gap: another thread has not landed seq − 1 yet */
        continue;
      ppm_assert_answer(r, 201, NULL);
      if (!g_hash_table_contains(r->headers, "idempotent-replayed"))
        g_atomic_int_inc(&racer->charged);
      g_atomic_int_compare_and_exchange(&racer->next_seq, seq, seq + 1);
    }
}

/* Models a and b, each with a session on the same member funded with
 * `funds`, at 0.01 a period; THREADS_PER_MODEL threads per session race to
 * post `seqs` charges each. */
static void
race_two_models(PpmTestServer *server, const char *funds, gint seqs, PpmTestPair *a, PpmTestPair *b,
                Racer racers[2])
{
  g_autoptr(PpmTestResponse) open_a = NULL, open_b = NULL;
  GThread *threads[2 * THREADS_PER_MODEL];
  gint64 started;

  ppm_test_pair_init(a, server, "ma", "member", funds);
  ppm_test_pair_init(b, server, "mb", "unused", NULL);
  g_free(b->member_handle);
  b->member_handle = g_strdup(a->member_handle);
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", a->model_email, "--amount", "0.01", NULL));
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", b->model_email, "--amount", "0.01", NULL));
  open_a = ppm_test_open(server, a, 500000);
  open_b = ppm_test_open(server, b, 500000);
  ppm_assert_answer(open_a, 201, NULL);
  ppm_assert_answer(open_b, 201, NULL);
  racers[0] = (Racer){ .server = server,
                       .seqs = seqs,
                       .token = a->model_token,
                       .session_id = ppm_test_string(open_a, "session_id") };
  racers[1] = (Racer){ .server = server,
                       .seqs = seqs,
                       .token = b->model_token,
                       .session_id = ppm_test_string(open_b, "session_id") };
  started = g_get_monotonic_time();
  for (int i = 0; i < 2 * THREADS_PER_MODEL; i++)
    threads[i] = g_thread_new("race", race, &racers[i % 2]);
  for (int i = 0; i < 2 * THREADS_PER_MODEL; i++)
    g_thread_join(threads[i]);
  /* A figure for the record, not a limit. */
  g_test_message("%d charges in %.2f s from %d threads", racers[0].charged + racers[1].charged,
                 (g_get_monotonic_time() - started) / 1e6, 2 * THREADS_PER_MODEL);
}

static void
test_two_models_one_member(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) a = { 0 };
  g_auto(PpmTestPair) b = { 0 };
  Racer racers[2];
  gint64 member_after, earned, charged;

  /* 5.00: 500 periods, more than the 300 charges asked. */
  race_two_models(server, "5.00", SEQS_PER_SESSION, &a, &b, racers);
  charged = racers[0].charged + racers[1].charged;
  member_after = ppm_test_balance(server, a.member_email);
  earned = ppm_test_balance(server, a.model_email) + ppm_test_balance(server, b.model_email);
  g_assert_cmpint(charged, ==, 2 * SEQS_PER_SESSION);
  /* Every first-hand 201 took exactly one period from the member ... */
  g_assert_cmpint(500 - member_after, ==, charged);
  /* ... and the fee of 0.01 at 20 % is (1 · 2000 + 5000) div 10000 = 0. */
  g_assert_cmpint(earned, ==, charged);
  ppm_test_verify(server);
}

static void
test_overdraft_race(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) a = { 0 };
  g_auto(PpmTestPair) b = { 0 };
  Racer racers[2];

  /* 2.50: 250 periods.  Each session alone may ask for all of them, so the
   * outcome does not depend on which session runs ahead: one that stopped
   * early would keep its hold and leave the other short. */
  race_two_models(server, "2.50", 250, &a, &b, racers);
  g_assert_cmpint(racers[0].charged + racers[1].charged, ==, 250);
  g_assert_cmpint(racers[0].refused + racers[1].refused, >, 0);
  g_assert_cmpint(ppm_test_balance(server, a.member_email), ==, 0);
  ppm_test_verify(server);
}

int
main(int argc, char **argv)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/concurrency/same-charge-50-times", test_same_charge_50_times);
  g_test_add_func("/server/concurrency/two-models-one-member", test_two_models_one_member);
  g_test_add_func("/server/concurrency/overdraft-race", test_overdraft_race);
  return g_test_run();
}
