/* Charges taken in batches on PostgreSQL (server/store/pg/ppm-pg-charger.c): many
 * charges posted at once share transactions, each still gets its own answer,
 * a refusal leaves the others to commit, and a batch that fails whole is
 * taken again one charge at a time.
 *
 * Runs under with-pg-cluster, which provides PPM_TEST_PG_HOST. */
#include "ppm-test-api.h"

#define PAIRS 12

/* One request posted at the same moment as the others. */
typedef struct
{
  PpmTestServer *server;
  const char *token;
  const char *session_id;
  gint64 seq;
  PpmTestResponse *response;
} Shot;

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean go;
} Start;

typedef struct
{
  Start *start;
  Shot *shot;
} Shooter;

static gpointer
shoot(gpointer data)
{
  Shooter *shooter = data;
  Shot *shot = shooter->shot;

  g_mutex_lock(&shooter->start->lock);
  while (!shooter->start->go)
    g_cond_wait(&shooter->start->cond, &shooter->start->lock);
  g_mutex_unlock(&shooter->start->lock);
  shot->response = ppm_test_charge(shot->server, shot->token, shot->session_id, shot->seq);
  return NULL;
}

/* Posts every shot at once, a thread each, and waits for every answer. */
static void
fire(Shot *shots, guint n)
{
  Start start = { 0 };
  g_autofree Shooter *shooters = g_new0(Shooter, n);
  g_autofree GThread **threads = g_new0(GThread *, n);

  g_mutex_init(&start.lock);
  g_cond_init(&start.cond);
  for (guint i = 0; i < n; i++)
    {
      shooters[i] = (Shooter){ &start, &shots[i] };
      threads[i] = g_thread_new("shot", shoot, &shooters[i]);
    }
  g_mutex_lock(&start.lock);
  start.go = TRUE;
  g_cond_broadcast(&start.cond);
  g_mutex_unlock(&start.lock);
  for (guint i = 0; i < n; i++)
    g_thread_join(threads[i]);
  g_mutex_clear(&start.lock);
  g_cond_clear(&start.cond);
}

static void
shots_clear(Shot *shots, guint n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer(&shots[i].response, ppm_test_response_free);
}

typedef struct
{
  PpmTestServer *server;
  PpmTestPair pairs[PAIRS];
  char *sessions[PAIRS]; /* opened 300 s ago: with 60 s periods, seqs 0 to 4 are due */
} Fixture;

typedef struct
{
  Fixture *fixture;
  int i;
} PairSetUp;

/* Pair i and its session; the pairs are independent, so set up at once. */
static gpointer
pair_set_up(gpointer data)
{
  PairSetUp *set_up = data;
  Fixture *f = set_up->fixture;
  int i = set_up->i;
  g_autofree char *model = g_strdup_printf("model%d", i);
  g_autofree char *member = g_strdup_printf("member%d", i);
  g_autoptr(PpmTestResponse) open = NULL;

  ppm_test_pair_init(&f->pairs[i], f->server, model, member, "20.00");
  open = ppm_test_open(f->server, &f->pairs[i], 300000);
  ppm_assert_answer(open, 201, NULL);
  f->sessions[i] = g_strdup(ppm_test_string(open, "session_id"));
  return NULL;
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  PairSetUp set_ups[PAIRS];
  GThread *threads[PAIRS];

  f->server = ppm_test_server_start(NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(f->server->db_uri, "postgresql:"));
  for (int i = 0; i < PAIRS; i++)
    {
      set_ups[i] = (PairSetUp){ f, i };
      threads[i] = g_thread_new("pair", pair_set_up, &set_ups[i]);
    }
  for (int i = 0; i < PAIRS; i++)
    g_thread_join(threads[i]);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  for (int i = 0; i < PAIRS; i++)
    {
      ppm_test_pair_clear(&f->pairs[i]);
      g_free(f->sessions[i]);
    }
  ppm_test_server_free(f->server);
}

/* The good charges, the refusals and a replay, all at once. */
static void
test_each_charge_its_own_answer(Fixture *f, gconstpointer data)
{
  enum
  {
    REPLAY = PAIRS,
    GAP,
    FORGED,
    MEMBER,
    UNKNOWN,
    N_SHOTS
  };
  Shot shots[N_SHOTS];
  g_autoptr(PpmTestResponse) first
      = ppm_test_charge(f->server, f->pairs[0].model_token, f->sessions[0], 0);
  g_autofree char *transactions = NULL;

  ppm_assert_answer(first, 201, NULL);
  for (int i = 0; i < PAIRS; i++)
    shots[i] = (Shot){ f->server, f->pairs[i].model_token, f->sessions[i], i == 0 ? 1 : 0, NULL };
  shots[REPLAY] = (Shot){ f->server, f->pairs[0].model_token, f->sessions[0], 0, NULL };
  shots[GAP] = (Shot){ f->server, f->pairs[1].model_token, f->sessions[1], 7, NULL };
  shots[FORGED] = (Shot){ f->server, "forged-token", f->sessions[2], 1, NULL };
  shots[MEMBER] = (Shot){ f->server, f->pairs[3].member_token, f->sessions[3], 1, NULL };
  shots[UNKNOWN]
      = (Shot){ f->server, f->pairs[4].model_token, "ffffffffffffffffffffffffffffffff", 0, NULL };
  fire(shots, N_SHOTS);

  for (int i = 0; i < PAIRS; i++)
    {
      ppm_assert_answer(shots[i].response, 201, NULL);
      g_assert_cmpint(ppm_test_int(shots[i].response, "seq"), ==, shots[i].seq);
      g_assert_false(g_hash_table_contains(shots[i].response->headers, "idempotent-replayed"));
    }
  ppm_assert_answer(shots[REPLAY].response, 201, NULL);
  g_assert_cmpstr(shots[REPLAY].response->body, ==, first->body);
  g_assert_true(g_hash_table_contains(shots[REPLAY].response->headers, "idempotent-replayed"));
  ppm_assert_answer(shots[GAP].response, 422, "seq_gap");
  ppm_assert_answer(shots[FORGED].response, 401, "unauthorized");
  ppm_assert_answer(shots[MEMBER].response, 403, "forbidden");
  ppm_assert_answer(shots[UNKNOWN].response, 404, "not_found");

  /* 13 charges, each of 2.00 from a member funded 20.00. */
  for (int i = 0; i < PAIRS; i++)
    g_assert_cmpint(ppm_test_balance(f->server, f->pairs[i].member_email), ==,
                    i == 0 ? 1600 : 1800);
  /* Charges posted together share transactions (xmin: the inserting one). */
  transactions = ppm_test_server_sql(f->server, "SELECT count(DISTINCT xmin::text) FROM charges");
  g_test_message("%d charges in %s transactions", PAIRS + 1, transactions);
  g_assert_cmpint(g_ascii_strtoll(transactions, NULL, 10), <, PAIRS + 1);
  ppm_test_verify(f->server);
  shots_clear(shots, N_SHOTS);
}

/* A charge whose SQL fails (here a trigger made to fail for one session)
 * fails the transaction of its batch: the others of the batch are taken
 * again alone and stand; only that one fails. */
static void
test_failed_batch_taken_one_by_one(Fixture *f, gconstpointer data)
{
  Shot shots[PAIRS];
  g_autofree char *trigger
      = g_strdup_printf("CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        "IF NEW.session_id = (SELECT id FROM sessions WHERE public_id = '%s') THEN "
                        "RAISE EXCEPTION 'made to fail'; END IF; RETURN NEW; END $$; "
                        "CREATE TRIGGER test_fail BEFORE INSERT ON charges FOR EACH ROW "
                        "EXECUTE FUNCTION test_fail()",
                        f->sessions[5]);

  g_free(ppm_test_server_sql(f->server, trigger));
  for (int i = 0; i < PAIRS; i++)
    shots[i] = (Shot){ f->server, f->pairs[i].model_token, f->sessions[i], 0, NULL };
  fire(shots, PAIRS);

  for (int i = 0; i < PAIRS; i++)
    {
      gint64 balance = ppm_test_balance(f->server, f->pairs[i].member_email);

      if (i == 5)
        {
          ppm_assert_answer(shots[i].response, 500, "internal");
          g_assert_cmpint(balance, ==, 2000);
        }
      else
        {
          ppm_assert_answer(shots[i].response, 201, NULL);
          g_assert_false(g_hash_table_contains(shots[i].response->headers, "idempotent-replayed"));
          g_assert_cmpint(balance, ==, 1800);
        }
    }
  ppm_test_verify(f->server);
  shots_clear(shots, PAIRS);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add("/pg/charge-batch/each-charge-its-own-answer", Fixture, NULL, fixture_set_up,
             test_each_charge_its_own_answer, fixture_tear_down);
  g_test_add("/pg/charge-batch/failed-batch-taken-one-by-one", Fixture, NULL, fixture_set_up,
             test_failed_batch_taken_one_by_one, fixture_tear_down);
  return g_test_run();
}
