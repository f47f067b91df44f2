#include "ppm-journal-hook.h"

#include "ppm-journal.h"
#include "ppm-platform-api.h"
#include "ppm-platform.h"

#include <purple.h>

static PpmJournal *journal;
/* client_session_ids of the meters of this run: recovery leaves them alone. */
static GHashTable *live;

gboolean
ppm_journal_hook_open(GError **error)
{
  live = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  journal = ppm_journal_open(purple_user_dir(), error);
  return journal != NULL;
}

void
ppm_journal_hook_close(void)
{
  g_clear_pointer(&journal, ppm_journal_free);
  g_clear_pointer(&live, g_hash_table_destroy);
}

gboolean
ppm_journal_hook_record(const PpmJournalRecord *r, GError **error)
{
  if (journal == NULL)
    {
      g_set_error(error, PPM_JOURNAL_ERROR, PPM_JOURNAL_ERROR_OPEN,
                  "the billing journal is not open");
      return FALSE;
    }
  switch (r->kind)
    {
      case PPM_JOURNAL_OPEN_REQUESTED:
        g_hash_table_add(live, g_strdup(r->client_session_id));
        return ppm_journal_open_requested(journal, r->client_session_id, r->protocol,
                                          r->model_handle, r->member_handle, error);
      case PPM_JOURNAL_OPENED:
        return ppm_journal_opened(journal, r->client_session_id, r->session_id, r->elapsed_ms,
                                  error);
      case PPM_JOURNAL_CHARGE_CONFIRMED:
        return ppm_journal_charge_confirmed(journal, r->client_session_id, r->seq, r->elapsed_ms,
                                            r->total_minor, r->currency, error);
      case PPM_JOURNAL_CLOSE_REQUESTED:
        return ppm_journal_close_requested(journal, r->client_session_id, r->reason, r->elapsed_ms,
                                           error);
      case PPM_JOURNAL_CLOSED:
        g_hash_table_remove(live, r->client_session_id);
        return ppm_journal_closed(journal, r->client_session_id, r->periods_charged, r->total_minor,
                                  r->currency, error);
      default:
        g_return_val_if_reached(FALSE);
    }
}

/* ---- recovery ---- */

typedef struct
{
  PpmJournalSession *session;
} Recovery;

static void
recovery_free(Recovery *recovery)
{
  ppm_journal_session_free(recovery->session);
  g_free(recovery);
}

static void
mark_closed(Recovery *recovery, gint64 periods, gint64 total_minor, const char *currency)
{
  g_autoptr(GError) error = NULL;
  if (journal != NULL
      && !ppm_journal_closed(journal, recovery->session->client_session_id, periods, total_minor,
                             currency, &error))
    purple_debug_error("ppm", "journal: %s\n", error->message);
}

static void
on_recovery_closed(const PpmOutcome *outcome, const PpmCloseAnswer *answer, gpointer data)
{
  Recovery *recovery = data;
  if (answer != NULL)
    {
      purple_debug_info("ppm", "recovered session %s closed: %" G_GINT64_FORMAT " periods\n",
                        answer->session_id, answer->periods_charged);
      mark_closed(recovery, answer->periods_charged, answer->total_minor, answer->currency);
    }
  /* billing.md: 409 or 410 on such a close counts as closed. */
  else if (g_strcmp0(outcome->error_code, "session_closed") == 0
           || g_strcmp0(outcome->error_code, "session_expired") == 0
           || outcome->kind == PPM_OUTCOME_FINAL)
    mark_closed(recovery, recovery->session->periods_charged, 0, NULL);
  else
    purple_debug_warning("ppm", "recovery of %s: not confirmed, retried at next sign-in\n",
                         recovery->session->client_session_id);
  recovery_free(recovery);
}

static void
recovery_close(Recovery *recovery, const char *session_id)
{
  const PpmPort *port = ppm_platform_port();
  const PpmJournalSession *s = recovery->session;
  gboolean resend = s->close_reason != NULL;
  const char *reason = resend ? s->close_reason : "client_restart";
  gint64 elapsed_ms = resend ? s->close_elapsed_ms : s->elapsed_ms;
  if (port == NULL)
    {
      recovery_free(recovery);
      return;
    }
  g_autoptr(GError) error = NULL;
  if (!resend
      && !ppm_journal_close_requested(journal, s->client_session_id, reason, elapsed_ms, &error))
    purple_debug_error("ppm", "journal: %s\n", error->message);
  port->ops->close(port->self, session_id, reason, elapsed_ms, ppm_platform_get_cancellable(),
                   on_recovery_closed, recovery);
}

void
ppm_journal_hook_recover(void)
{
  const PpmPort *port = ppm_platform_port();
  if (journal == NULL || port == NULL)
    return;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = ppm_journal_list_unfinished(journal, &error);
  if (sessions == NULL)
    {
      purple_debug_error("ppm", "journal: %s\n", error->message);
      return;
    }
  for (guint i = 0; i < sessions->len; i++)
    {
      PpmJournalSession *s = g_ptr_array_index(sessions, i);
      if (g_hash_table_contains(live, s->client_session_id))
        continue;
      Recovery *recovery = g_new0(Recovery, 1);
      recovery->session = g_ptr_array_steal_index(sessions, i--);
      purple_debug_info("ppm", "closing session %s left open by a previous run\n",
                        s->client_session_id);
      if (s->session_id != NULL)
        recovery_close(recovery, s->session_id);
      else
        {
          /* The open was never confirmed.  Posting it again could supersede
           * a call of this run with the same member; if the platform did
           * open it, the session expires and its hold is released. */
          mark_closed(recovery, 0, 0, NULL);
          recovery_free(recovery);
        }
    }
}
