/* Settles, one at a time, the sessions a journal shows unfinished after a
 * crash or an unload: re-opens those whose open was never confirmed, then
 * closes each on the platform and writes the answer back. */
#include "ppm-journal-recovery.h"

#include "ppm-log.h"

typedef struct
{
  PpmJournal *journal;
  PpmPort port;
  GHashTable *skip; /* client_session_ids left alone, or NULL */
  GCancellable *cancellable;
  PpmJournalRecoverDone done;
  gpointer user_data;
  GPtrArray *sessions; /* PpmJournalSession* */
  guint next;          /* index into `sessions` of the one being settled */
  PpmJournalRecovery counts;
  GError *error;
} PpmRecoverTask;

static void ppm_recover_next(PpmRecoverTask *task);

static void
ppm_recover_task_free(PpmRecoverTask *task)
{
  g_clear_object(&task->cancellable);
  g_clear_pointer(&task->skip, g_hash_table_unref);
  g_clear_pointer(&task->sessions, g_ptr_array_unref);
  g_clear_error(&task->error);
  g_free(task);
}

static void
ppm_recover_finish(PpmRecoverTask *task)
{
  task->done(&task->counts, task->error, task->user_data);
  ppm_recover_task_free(task);
}

/* For an answer from the port: the session it is about, or NULL once the
 * recovery is cancelled (the task is then freed and nothing else touched,
 * since the journal may be gone already). */
static PpmJournalSession *
ppm_recover_answered(PpmRecoverTask *task)
{
  if (g_cancellable_is_cancelled(task->cancellable))
    {
      ppm_recover_task_free(task);
      return NULL;
    }
  return task->sessions->pdata[task->next];
}

/* Moves on to the next session, unless the journal itself failed. */
static void
ppm_recover_advance(PpmRecoverTask *task)
{
  task->next++;
  if (task->error != NULL)
    ppm_recover_finish(task);
  else
    ppm_recover_next(task);
}

static void
ppm_recover_left_pending(PpmRecoverTask *task, const PpmJournalSession *session, const char *what,
                         const PpmOutcome *outcome)
{
  ppm_log_info("%s session %s after a restart failed: %s", what, session->client_session_id,
               outcome->message != NULL ? outcome->message : "no answer");
  task->counts.pending++;
}

static void
ppm_recover_closed(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer user_data)
{
  PpmRecoverTask *task = user_data;
  PpmJournalSession *session = ppm_recover_answered(task);

  if (session == NULL)
    return;
  if (answer != NULL)
    {
      if (ppm_journal_closed(task->journal, session->client_session_id, answer->periods_charged,
                             answer->total_minor, answer->currency, &task->error))
        task->counts.closed++;
    }
  else if (ppm_outcome_session_gone(outcome))
    {
      if (ppm_journal_closed(task->journal, session->client_session_id, session->periods_charged,
                             session->total_minor, NULL, &task->error))
        task->counts.closed++;
    }
  else
    ppm_recover_left_pending(task, session, "Closing", outcome);
  ppm_recover_advance(task);
}

/* A close that was requested keeps its reason and elapsed_ms; any other is a
 * client_restart at the last journaled elapsed_ms. */
static void
ppm_recover_close(PpmRecoverTask *task, const PpmJournalSession *session)
{
  const char *reason = session->close_reason != NULL ? session->close_reason : "client_restart";
  gint64 elapsed_ms
      = session->close_reason != NULL ? session->close_elapsed_ms : session->elapsed_ms;

  /* Not cancelled through the port: the answer frees the task. */
  task->port.ops->close(task->port.self, session->session_id, reason, elapsed_ms, NULL,
                        ppm_recover_closed, task);
}

static void
ppm_recover_reopened(const PpmOutcome *outcome, const PpmOpenAnswer *answer, gpointer user_data)
{
  PpmRecoverTask *task = user_data;
  PpmJournalSession *session = ppm_recover_answered(task);

  if (session == NULL)
    return;
  if (answer != NULL)
    {
      if (!ppm_journal_opened(task->journal, session->client_session_id, answer->session_id,
                              session->elapsed_ms, &task->error))
        {
          ppm_recover_finish(task);
          return;
        }
      session->session_id = g_strdup(answer->session_id);
      ppm_recover_close(task, session);
      return;
    }
  if (outcome->kind == PPM_OUTCOME_FINAL)
    {
      /* The platform never had it or cannot open it: no hold, nothing to close. */
      ppm_log_info("Session %s cannot be opened again (%s); nothing to close",
                   session->client_session_id,
                   outcome->code_text != NULL ? outcome->code_text : "refused");
      if (ppm_journal_closed(task->journal, session->client_session_id, 0, 0, NULL, &task->error))
        task->counts.forgotten++;
    }
  else
    ppm_recover_left_pending(task, session, "Opening again", outcome);
  ppm_recover_advance(task);
}

/* The session whose turn it is belongs to a call of this run. */
static gboolean
ppm_recover_is_live(const PpmRecoverTask *task)
{
  const PpmJournalSession *session = task->sessions->pdata[task->next];

  return task->skip != NULL && g_hash_table_contains(task->skip, session->client_session_id);
}

/* A call of this run bills the same (model, member) pair as `session`. */
static gboolean
ppm_recover_pair_is_live(const PpmRecoverTask *task, const PpmJournalSession *session)
{
  for (guint i = 0; task->skip != NULL && i < task->sessions->len; i++)
    {
      const PpmJournalSession *other = task->sessions->pdata[i];

      if (g_hash_table_contains(task->skip, other->client_session_id)
          && g_str_equal(other->protocol, session->protocol)
          && g_str_equal(other->model_handle, session->model_handle)
          && g_str_equal(other->member_handle, session->member_handle))
        return TRUE;
    }
  return FALSE;
}

static void
ppm_recover_next(PpmRecoverTask *task)
{
  PpmJournalSession *session;
  PpmOpenRequest request;

  while (task->next < task->sessions->len && ppm_recover_is_live(task))
    {
      task->counts.skipped++;
      task->next++;
    }
  if (task->next == task->sessions->len)
    {
      ppm_recover_finish(task);
      return;
    }
  session = task->sessions->pdata[task->next];
  if (session->session_id != NULL)
    {
      ppm_recover_close(task, session);
      return;
    }
  if (ppm_recover_pair_is_live(task, session))
    {
      /* Opening it again would supersede the live call's session; the live
       * call's own open supersedes it on the platform instead. */
      if (ppm_journal_closed(task->journal, session->client_session_id, 0, 0, NULL, &task->error))
        task->counts.forgotten++;
      ppm_recover_advance(task);
      return;
    }
  /* The platform may have opened it and lost the answer on the way: its hold
   * stays reserved until expiry.  The same client_session_id replays that
   * open (or opens one the close below ends at once), so it can be closed. */
  request = (PpmOpenRequest){
    .client_session_id = session->client_session_id,
    .protocol = session->protocol,
    .model_handle = session->model_handle,
    .member_handle = session->member_handle,
    .elapsed_ms = session->elapsed_ms,
  };
  task->port.ops->open(task->port.self, &request, NULL, ppm_recover_reopened, task);
}

static gboolean
ppm_recover_start(gpointer user_data)
{
  PpmRecoverTask *task = user_data;

  if (g_cancellable_is_cancelled(task->cancellable))
    {
      ppm_recover_task_free(task);
      return G_SOURCE_REMOVE;
    }
  task->sessions = ppm_journal_list_unfinished(task->journal, &task->error);
  if (task->sessions == NULL)
    ppm_recover_finish(task);
  else
    ppm_recover_next(task);
  return G_SOURCE_REMOVE;
}

void
ppm_journal_recover(PpmJournal *journal, const PpmPort *port, GHashTable *skip,
                    GCancellable *cancellable, PpmJournalRecoverDone done, gpointer user_data)
{
  PpmRecoverTask *task = g_new0(PpmRecoverTask, 1);
  GSource *source = g_idle_source_new();

  task->journal = journal;
  task->port = *port;
  task->skip = skip != NULL ? g_hash_table_ref(skip) : NULL;
  task->cancellable = cancellable != NULL ? g_object_ref(cancellable) : NULL;
  task->done = done;
  task->user_data = user_data;
  /* Never calls back from inside this call. */
  g_source_set_callback(source, ppm_recover_start, task, NULL);
  g_source_attach(source, g_main_context_get_thread_default());
  g_source_unref(source);
}
