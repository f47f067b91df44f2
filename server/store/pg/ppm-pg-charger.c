/* The PostgreSQL engine's session_charge_submit: charges queued by the
 * listener's thread and taken by a few charger threads, each sending every
 * charge queued at that moment (up to BATCH_MAX) as one call of
 * ppm_charge_batch(): one round trip and one commit for the lot.  Most of a
 * single charge's cost on PostgreSQL is per transaction (protocol, snapshot,
 * locks, commit), so this is what lets two cores take thousands a second. */
#include "ppm-pg.h"

#include <string.h>

/* Enough to keep both cores busy while one batch waits for its commit. */
#define CHARGERS 2
/* Below 64: more locks per transaction only lengthen the others' waits. */
#define BATCH_MAX 32

typedef struct
{
  char *access_hash;
  char *session_id;
  gint64 seq;
  gint64 now_ms;
  PpmStoreChargeDone done;
  gpointer user_data;
} ChargeJob;

struct _PpmPgCharger
{
  PpmPgPool *pool;
  const char *currency; /* the store's */
  GMutex lock;
  GCond queued;
  GQueue jobs; /* of ChargeJob, oldest first */
  gboolean stopping;
  GThread *threads[CHARGERS]; /* started by the first submit */
};

static void
job_free(ChargeJob *job)
{
  g_free(job->access_hash);
  g_free(job->session_id);
  g_free(job);
}

/* Array literals are built from "{": each element after the first is
 * preceded by a comma. */
static void
array_append_separator(GString *array)
{
  if (array->len > 1)
    g_string_append_c(array, ',');
}

/* `value` as a quoted element of an array literal. */
static void
array_append_text(GString *array, const char *value)
{
  array_append_separator(array);
  g_string_append_c(array, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c(array, '\\');
      g_string_append_c(array, *p);
    }
  g_string_append_c(array, '"');
}

static void
array_append_int(GString *array, gint64 value)
{
  array_append_separator(array);
  g_string_append_printf(array, "%" G_GINT64_FORMAT, value);
}

static char *
array_end(GString *array)
{
  g_string_append_c(array, '}');
  return g_string_free(array, FALSE);
}

static PGresult *
batch_query(PpmPgCharger *charger, ChargeJob **jobs, guint n, GError **error)
{
  GString *hashes = g_string_new("{"), *sessions = g_string_new("{");
  GString *seqs = g_string_new("{"), *nows = g_string_new("{");
  g_autofree char *hashes_literal = NULL, *sessions_literal = NULL;
  g_autofree char *seqs_literal = NULL, *nows_literal = NULL;
  PpmPgParams params = { 0 };
  PGresult *result;

  for (guint i = 0; i < n; i++)
    {
      array_append_text(hashes, jobs[i]->access_hash);
      array_append_text(sessions, jobs[i]->session_id);
      array_append_int(seqs, jobs[i]->seq);
      array_append_int(nows, jobs[i]->now_ms);
    }
  ppm_pg_params_text(&params, hashes_literal = array_end(hashes));
  ppm_pg_params_text(&params, sessions_literal = array_end(sessions));
  ppm_pg_params_text(&params, seqs_literal = array_end(seqs));
  ppm_pg_params_text(&params, nows_literal = array_end(nows));
  ppm_pg_params_text(&params, charger->currency);
  result = ppm_pg_query(charger->pool, PPM_PG_CHARGE_BATCH, &params, NULL, error);
  if (result != NULL && PQntuples(result) != (int)n)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INTERNAL,
                  "PostgreSQL: %d answers to %u charges", PQntuples(result), n);
      g_clear_pointer(&result, PQclear);
    }
  return result;
}

/* Answers `job` from row `row` of the batch's (body, replayed, error, words,
 * retry_after), or with `batch_error` when the batch failed. */
static void
job_answer(ChargeJob *job, const PGresult *result, int row, const GError *batch_error)
{
  PpmStoreChargeResult answer = { { NULL, FALSE }, 0, NULL };

  if (result == NULL)
    answer.error = g_error_copy(batch_error);
  else if (ppm_pg_is_null(result, row, 2))
    {
      answer.answer.body = g_strdup(ppm_pg_text(result, row, 0));
      answer.answer.replayed = g_strcmp0(ppm_pg_text(result, row, 1), "t") == 0;
    }
  else
    {
      answer.error = g_error_new_literal(PPM_STORE_ERROR,
                                         ppm_pg_store_error_from_code(ppm_pg_text(result, row, 2)),
                                         ppm_pg_text(result, row, 3));
      answer.retry_after_s = ppm_pg_int(result, row, 4);
    }
  job->done(&answer, job->user_data);
  ppm_stored_answer_clear(&answer.answer);
  g_clear_error(&answer.error);
}

static void
batch_run(PpmPgCharger *charger, ChargeJob **jobs, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result = batch_query(charger, jobs, n, &error);

  if (result == NULL && n > 1)
    {
      /* The transaction failed whole (one charge's SQL failed, the
       * connection was lost): none of it stands, or all of it does and its
       * charges come back as replays.  Each is taken again on its own, so
       * that one charge's failure is its own. */
      for (guint i = 0; i < n; i++)
        batch_run(charger, &jobs[i], 1);
      return;
    }
  for (guint i = 0; i < n; i++)
    job_answer(jobs[i], result, (int)i, error);
}

static gpointer
charger_thread(gpointer data)
{
  PpmPgCharger *charger = data;
  ChargeJob *jobs[BATCH_MAX];

  for (;;)
    {
      guint n = 0;

      g_mutex_lock(&charger->lock);
      while (g_queue_is_empty(&charger->jobs) && !charger->stopping)
        g_cond_wait(&charger->queued, &charger->lock);
      while (n < BATCH_MAX && !g_queue_is_empty(&charger->jobs))
        jobs[n++] = g_queue_pop_head(&charger->jobs);
      g_mutex_unlock(&charger->lock);
      if (n == 0)
        return NULL; /* stopping, and every queued charge answered */
      batch_run(charger, jobs, n);
      for (guint i = 0; i < n; i++)
        job_free(jobs[i]);
    }
}

PpmPgCharger *
ppm_pg_charger_new(PpmPgPool *pool, const char *currency)
{
  PpmPgCharger *charger = g_new0(PpmPgCharger, 1);

  charger->pool = pool;
  charger->currency = currency;
  g_mutex_init(&charger->lock);
  g_cond_init(&charger->queued);
  g_queue_init(&charger->jobs);
  return charger;
}

void
ppm_pg_charger_submit(PpmPgCharger *charger, const char *access_hash, const char *session_id,
                      gint64 seq, gint64 now_ms, PpmStoreChargeDone done, gpointer user_data)
{
  ChargeJob *job = g_new0(ChargeJob, 1);

  job->access_hash = g_strdup(access_hash);
  job->session_id = g_strdup(session_id);
  job->seq = seq;
  job->now_ms = now_ms;
  job->done = done;
  job->user_data = user_data;
  g_mutex_lock(&charger->lock);
  if (charger->threads[0] == NULL)
    for (int i = 0; i < CHARGERS; i++)
      charger->threads[i] = g_thread_new("ppm-pg-charger", charger_thread, charger);
  g_queue_push_tail(&charger->jobs, job);
  g_cond_signal(&charger->queued);
  g_mutex_unlock(&charger->lock);
}

void
ppm_pg_charger_free(PpmPgCharger *charger)
{
  if (charger == NULL)
    return;
  g_mutex_lock(&charger->lock);
  charger->stopping = TRUE;
  g_cond_broadcast(&charger->queued);
  g_mutex_unlock(&charger->lock);
  for (int i = 0; i < CHARGERS; i++)
    if (charger->threads[i] != NULL)
      g_thread_join(charger->threads[i]);
  g_mutex_clear(&charger->lock);
  g_cond_clear(&charger->queued);
  g_free(charger);
}
