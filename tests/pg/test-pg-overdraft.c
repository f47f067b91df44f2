/* Two ppm-server processes on one PostgreSQL database, two models charging
 * one member from many threads through both servers at once: every charge
 * the member's funds cover is taken exactly once, none beyond them, no
 * balance goes below zero, and `ppm-admin verify` finds the ledger sound.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

#define MODELS 2
#define THREADS_PER_MODEL 4
#define RATE "0.10"
#define RATE_MINOR 10
#define FEE_MINOR 2 /* (10 · 2000 + 5000) div 10000 at the default 2000 bps */
#define FUNDS "25.00"
#define FUNDS_MINOR 2500
#define BACKDATE_MS (86400 * 1000)

typedef struct
{
  PpmTestServer *servers[2];
  char *token;
  char *session_id;
  gint next_seq;   /* the next seq a thread may claim (atomic) */
  gint charged;    /* first 201 answers (atomic) */
  gint refused;    /* 402 answers (atomic) */
  gint unexpected; /* anything else (atomic) */
  gint stopped;    /* set by the first refusal: no further seq is claimed */
} ModelRun;

typedef struct
{
  ModelRun *run;
  int index;
} Worker;

/* Claims seqs one after another and posts each through one of the two
 * servers until the member's funds run out. */
static gpointer
charge_worker(gpointer data)
{
  Worker *worker = data;
  ModelRun *run = worker->run;
  g_autofree char *path = g_strdup_printf("/v1/sessions/%s/charges", run->session_id);

  while (!g_atomic_int_get(&run->stopped))
    {
      gint seq = g_atomic_int_add(&run->next_seq, 1);
      PpmTestServer *server = run->servers[(worker->index + seq) % 2];
      g_autoptr(PpmTestResponse) r = NULL;

      /* An earlier seq claimed by another thread may not be in yet: 422
       * seq_gap, then the same seq again, until it goes in or the funds
       * ran out for an earlier one. */
      for (;;)
        {
          g_clear_pointer(&r, ppm_test_response_free);
          r = ppm_test_call(server, "POST", path, run->token, "{\"seq\": %d, \"elapsed_ms\": %d}",
                            seq, BACKDATE_MS);
          if (r->status != 422 || g_atomic_int_get(&run->stopped))
            break;
          g_thread_yield();
        }
      if (r->status == 201 && g_hash_table_lookup(r->headers, "idempotent-replayed") == NULL)
        g_atomic_int_inc(&run->charged);
      else if (r->status == 402 || r->status == 422)
        {
          if (r->status == 402)
            g_atomic_int_inc(&run->refused);
          g_atomic_int_set(&run->stopped, TRUE);
        }
      else
        {
          g_test_message("seq %d: %ld %s", seq, r->status, r->body);
          g_atomic_int_inc(&run->unexpected);
          g_atomic_int_set(&run->stopped, TRUE);
        }
    }
  return NULL;
}

static void
test_two_servers_overdraft(void)
{
  const char *const args[] = { "--period-seconds", "1", "--max-backdate-seconds", "86400", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) a = NULL;
  g_autoptr(PpmTestServer) b = NULL;
  ModelRun runs[MODELS] = { 0 };
  Worker workers[MODELS * THREADS_PER_MODEL];
  GThread *threads[MODELS * THREADS_PER_MODEL];
  g_autofree char *verdict = NULL;
  int charged = 0;

  a = ppm_test_server_start(NULL, args, &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(a->db_uri, "postgresql:"));
  b = ppm_test_server_start(a->db_uri, args, &error);
  g_assert_no_error(error);

  ppm_test_user(a, "member@pg.test", "member");
  g_free(ppm_test_admin_ok(a, "link", "--email", "member@pg.test", "--protocol", "prpl-jabber",
                           "--handle", "member@pg.test", NULL));
  g_free(ppm_test_admin_ok(a, "fund", "--email", "member@pg.test", "--amount", FUNDS, NULL));
  for (int m = 0; m < MODELS; m++)
    {
      g_autofree char *email = g_strdup_printf("model-%d@pg.test", m);
      /* Each model logs in and opens through a different server. */
      PpmTestServer *server = m % 2 == 0 ? a : b;
      g_autoptr(PpmTestResponse) open = NULL;
      g_autofree char *csid = g_uuid_string_random();

      ppm_test_user(b, email, "model");
      g_free(ppm_test_admin_ok(b, "link", "--email", email, "--protocol", "prpl-jabber", "--handle",
                               email, NULL));
      g_free(ppm_test_admin_ok(b, "set-rate", "--email", email, "--amount", RATE, NULL));
      runs[m].servers[0] = a;
      runs[m].servers[1] = b;
      runs[m].token = ppm_test_login(server, email);
      open = ppm_test_call(server, "POST", "/v1/sessions", runs[m].token,
                           "{\"client_session_id\": \"%s\", \"protocol\": \"prpl-jabber\", "
                           "\"model_handle\": \"%s\", \"member_handle\": \"member@pg.test\", "
                           "\"elapsed_ms\": %d}",
                           csid, email, BACKDATE_MS);
      ppm_assert_answer(open, 201, NULL);
      runs[m].session_id = g_strdup(ppm_test_string(open, "session_id"));
    }

  for (int t = 0; t < MODELS * THREADS_PER_MODEL; t++)
    {
      workers[t].run = &runs[t % MODELS];
      workers[t].index = t / MODELS;
      threads[t] = g_thread_new("charge", charge_worker, &workers[t]);
    }
  for (int t = 0; t < MODELS * THREADS_PER_MODEL; t++)
    g_thread_join(threads[t]);

  for (int m = 0; m < MODELS; m++)
    {
      g_autofree char *email = g_strdup_printf("model-%d@pg.test", m);

      g_assert_cmpint(runs[m].unexpected, ==, 0);
      g_assert_cmpint(runs[m].refused, >=, 1);
      g_assert_cmpint(ppm_test_balance(a, email), ==, runs[m].charged * (RATE_MINOR - FEE_MINOR));
      charged += runs[m].charged;
      g_free(runs[m].token);
      g_free(runs[m].session_id);
    }
  /* Every cent was spent, each exactly once, and not one more. */
  g_assert_cmpint(charged, ==, FUNDS_MINOR / RATE_MINOR);
  g_assert_cmpint(ppm_test_balance(b, "member@pg.test"), ==, 0);
  verdict = ppm_test_admin_ok(a, "verify", NULL);
  g_assert_cmpstr(verdict, ==, "ok");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pg/two-servers-overdraft", test_two_servers_overdraft);
  return g_test_run();
}
