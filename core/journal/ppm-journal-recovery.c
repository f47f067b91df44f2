#include "ppm-journal-recovery.h"

typedef struct
{
  PpmJournal *journal;
  PpmPort port;
  GCancellable *cancellable;
  PpmJournalRecoverDone done;
  gpointer user_data;
  GPtrArray *sessions; /* PpmJournalSession* */
  guint next;
  PpmJournalRecovery counts;
  GError *error;
} PpmRecoverTask;

static void ppm_recover_next(PpmRecoverTask *task);

static void
ppm_recover_task_free(PpmRecoverTask *task)
{
  g_clear_object(&task->cancellable);
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

/* The platform no longer has an open session under that id. */
static gboolean
ppm_recover_already_closed(const PpmOutcome *outcome)
{
  return outcome->kind == PPM_OUTCOME_FINAL
         && (g_strcmp0(outcome->error_code, "session_closed") == 0
             || g_strcmp0(outcome->error_code, "session_expired") == 0);
}

static void
ppm_recover_closed(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer user_data)
{
  PpmRecoverTask *task = user_data;
  PpmJournalSession *session = task->sessions->pdata[task->next];
  gboolean settled = TRUE;

  /* The journal may be gone already: touch nothing. */
  if (g_cancellable_is_cancelled(task->cancellable))
    {
      ppm_recover_task_free(task);
      return;
    }
  if (answer != NULL)
    settled = ppm_journal_closed(task->journal, session->client_session_id, answer->periods_charged,
                                 answer->total_minor, answer->currency, &task->error);
  else if (ppm_recover_already_closed(outcome))
    settled
        = ppm_journal_closed(task->journal, session->client_session_id, session->periods_charged,
                             session->total_minor, NULL, &task->error);
  else
    {
      g_info("Closing session %s after a restart failed: %s", session->session_id,
             outcome->message != NULL ? outcome->message : "no answer");
      task->counts.pending++;
      settled = FALSE;
    }
  if (settled)
    task->counts.closed++;
  task->next++;
  if (task->error != NULL)
    ppm_recover_finish(task);
  else
    ppm_recover_next(task);
}

static void
ppm_recover_next(PpmRecoverTask *task)
{
  while (task->next < task->sessions->len)
    {
      PpmJournalSession *session = task->sessions->pdata[task->next];
      const char *reason = session->close_reason != NULL ? session->close_reason : "client_restart";
      gint64 elapsed_ms
          = session->close_reason != NULL ? session->close_elapsed_ms : session->elapsed_ms;

      if (session->session_id != NULL)
        {
          /* Not cancelled through the port: the answer frees the task. */
          task->port.ops->close(task->port.self, session->session_id, reason, elapsed_ms, NULL,
                                ppm_recover_closed, task);
          return;
        }
      /* Never confirmed: no charge was posted, and if the platform did open
       * it, it expires by itself and releases the hold. */
      g_info("Session %s was never confirmed as opened; nothing to close",
             session->client_session_id);
      if (!ppm_journal_closed(task->journal, session->client_session_id, 0, 0, NULL, &task->error))
        break;
      task->counts.forgotten++;
      task->next++;
    }
  ppm_recover_finish(task);
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
ppm_journal_recover(PpmJournal *journal, const PpmPort *port, GCancellable *cancellable,
                    PpmJournalRecoverDone done, gpointer user_data)
{
  PpmRecoverTask *task = g_new0(PpmRecoverTask, 1);
  GSource *source = g_idle_source_new();

  task->journal = journal;
  task->port = *port;
  task->cancellable = cancellable != NULL ? g_object_ref(cancellable) : NULL;
  task->done = done;
  task->user_data = user_data;
  /* Never calls back from inside this call. */
  g_source_set_callback(source, ppm_recover_start, task, NULL);
  g_source_attach(source, g_main_context_get_thread_default());
  g_source_unref(source);
}
