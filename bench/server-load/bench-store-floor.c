/* bench-store-floor: the floor under bench-server-load's figures.  Runs the
 * same charge operation as the server's charge route (session_charge_submit,
 * token check included) directly against a store, without HTTP, from N
 * threads, one session each, each waiting for its answer before the next,
 * and prints charges/s and latency percentiles.
 *
 * It sets up its own users in the database it is given, which should be a
 * fresh one: a model per `--models`, a funded member per thread.
 */
#include "ppm-auth.h"
#include "ppm-latency.h"
#include "ppm-store.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

typedef struct
{
  PpmStore *store;
  char *access_hash; /* its model's token */
  char *session_id;
  gint64 deadline_usec;
  PpmLatency *latency; /* this thread's own */
  guint failed;
  GMutex lock;
  GCond answered;
  gboolean done;   /* under `lock`: the charge in flight was answered */
  GError *refused; /* its error, if any */
} FloorWorker;

static gint64
now_ms(void)
{
  return g_get_real_time() / 1000;
}

static char *
session_id_of(const char *body)
{
  g_autoptr(JsonParser) parser = json_parser_new();

  if (!json_parser_load_from_data(parser, body, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
    return NULL;
  return g_strdup(json_object_get_string_member_with_default(
      json_node_get_object(json_parser_get_root(parser)), "session_id", ""));
}

/* Creates a user with a handle "EMAIL" on prpl-jabber. */
static gboolean
floor_user(PpmStore *store, const char *email, PpmRole role, gint64 *id, GError **error)
{
  return ppm_store_create_user(store, email, role, email, "not-a-password-hash", id, error)
         && ppm_store_handle_link(store, *id, "prpl-jabber", email, error);
}

static gboolean
floor_setup(PpmStore *store, FloorWorker *workers, int n_workers, int n_models,
            const PpmBillingConfig *config, GError **error)
{
  g_autofree gint64 *models = g_new0(gint64, n_models);
  g_auto(GStrv) access_hashes = g_new0(char *, n_models + 1);

  for (int m = 0; m < n_models; m++)
    {
      g_autofree char *email = g_strdup_printf("floor-model-%d@bench.test", m);
      g_autofree char *refresh_hash = ppm_token_hash(email);

      access_hashes[m] = ppm_token_new_id();
      if (!floor_user(store, email, PPM_ROLE_MODEL, &models[m], error)
          || !ppm_store_set_rate(store, models[m], 1, error)
          || !ppm_store_tokens_issue(store, models[m], access_hashes[m], refresh_hash, now_ms(),
                                     error))
        return FALSE;
    }
  for (int w = 0; w < n_workers; w++)
    {
      g_autofree char *email = g_strdup_printf("floor-member-%d@bench.test", w);
      g_autofree char *model_email = g_strdup_printf("floor-model-%d@bench.test", w % n_models);
      g_autofree char *csid = g_uuid_string_random();
      g_auto(PpmStoredAnswer) answer = { NULL, FALSE };
      PpmStoreOpenParams open = { csid, "prpl-jabber", model_email, email,
                                  (gint64)config->max_backdate_seconds * 1000 };
      gint64 member_id, balance;

      if (!floor_user(store, email, PPM_ROLE_MEMBER, &member_id, error)
          || !ppm_store_fund(store, member_id, G_GINT64_CONSTANT(100000000), now_ms(), &balance,
                             error)
          || !ppm_store_session_open(store, models[w % n_models], &open, config, now_ms(), &answer,
                                     error))
        return FALSE;
      workers[w].store = store;
      workers[w].access_hash = g_strdup(access_hashes[w % n_models]);
      workers[w].session_id = session_id_of(answer.body);
      workers[w].latency = ppm_latency_new();
    }
  return TRUE;
}

/* The charge's answer, from a thread of the store. */
static void
floor_answered(const PpmStoreChargeResult *result, gpointer data)
{
  FloorWorker *worker = data;

  g_mutex_lock(&worker->lock);
  worker->refused = result->error != NULL ? g_error_copy(result->error) : NULL;
  worker->done = TRUE;
  g_cond_signal(&worker->answered);
  g_mutex_unlock(&worker->lock);
}

static gpointer
floor_work(gpointer data)
{
  FloorWorker *worker = data;
  PpmStore *store = worker->store;

  for (gint64 seq = 0; g_get_monotonic_time() < worker->deadline_usec; seq++)
    {
      gint64 start = g_get_monotonic_time();

      worker->done = FALSE;
      ppm_store_session_charge_submit(store, worker->access_hash, worker->session_id, seq, 0,
                                      now_ms(), floor_answered, worker);
      g_mutex_lock(&worker->lock);
      while (!worker->done)
        g_cond_wait(&worker->answered, &worker->lock);
      g_mutex_unlock(&worker->lock);
      if (worker->refused != NULL)
        {
          fprintf(stderr, "charge %" G_GINT64_FORMAT ": %s\n", seq, worker->refused->message);
          g_clear_error(&worker->refused);
          worker->failed++;
          break;
        }
      ppm_latency_add(worker->latency, g_get_monotonic_time() - start);
    }
  return NULL;
}

int
main(int argc, char **argv)
{
  g_autofree char *db = NULL;
  int n_workers = 64, n_models = 64, seconds = 10;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db, "database URI (a fresh one)", "URI" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_workers, "threads, one session each (64)", "N" },
    { "models", 0, 0, G_OPTION_ARG_INT, &n_models, "models (64)", "M" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "how long to charge (10)", "S" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- store charge floor");
  PpmBillingConfig config = { 1, 2000, 2, 100000, 86400, "http://127.0.0.1" };
  g_autoptr(PpmLatency) latency = ppm_latency_new();
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmStore) store = NULL;
  g_autofree FloorWorker *workers = NULL;
  g_autofree GThread **threads = NULL;
  guint failed = 0;
  gint64 start;

  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, &argc, &argv, &error) || db == NULL || n_workers < 1
      || n_models < 1 || seconds < 1)
    {
      fprintf(stderr, "bench-store-floor: %s\n",
              error != NULL ? error->message : "--db is required; counts must be positive");
      return 2;
    }
  if (!ppm_auth_init(&error) || (store = ppm_store_open(db, "USD", &error)) == NULL)
    {
      fprintf(stderr, "bench-store-floor: %s\n", error->message);
      return 1;
    }
  workers = g_new0(FloorWorker, n_workers);
  threads = g_new0(GThread *, n_workers);
  if (!floor_setup(store, workers, n_workers, n_models, &config, &error))
    {
      fprintf(stderr, "bench-store-floor: setup: %s\n", error->message);
      return 1;
    }

  start = g_get_monotonic_time();
  for (int w = 0; w < n_workers; w++)
    {
      workers[w].deadline_usec = start + seconds * G_USEC_PER_SEC;
      g_mutex_init(&workers[w].lock);
      g_cond_init(&workers[w].answered);
      threads[w] = g_thread_new("floor", floor_work, &workers[w]);
    }
  for (int w = 0; w < n_workers; w++)
    {
      g_thread_join(threads[w]);
      ppm_latency_merge(latency, workers[w].latency);
      ppm_latency_free(workers[w].latency);
      g_free(workers[w].session_id);
      g_free(workers[w].access_hash);
      g_mutex_clear(&workers[w].lock);
      g_cond_clear(&workers[w].answered);
      failed += workers[w].failed;
    }
  printf("threads %d, models %d, db %s\n", n_workers, n_models, db);
  ppm_latency_print(latency, "direct charges", g_get_monotonic_time() - start);
  printf("failed: %u\n", failed);
  return failed > 0 ? 1 : 0;
}
