#include "ppm-journal-hook.h"

#include "ppm-journal-meter.h"
#include "ppm-journal-recovery.h"
#include "ppm-platform.h"

#include <purple.h>

static PpmJournal *journal;
/* client_session_ids of the meters of this run: recovery leaves them alone. */
static GHashTable *live;
/* Cancelled before the journal closes: the recovery then stops touching it. */
static GCancellable *recovering;

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
  g_cancellable_cancel(recovering);
  g_clear_object(&recovering);
  g_clear_pointer(&journal, ppm_journal_free);
  g_clear_pointer(&live, g_hash_table_unref);
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
  if (r->kind == PPM_JOURNAL_OPEN_REQUESTED)
    g_hash_table_add(live, g_strdup(r->client_session_id));
  else if (r->kind == PPM_JOURNAL_CLOSED)
    g_hash_table_remove(live, r->client_session_id);
  return ppm_journal_meter_hook(NULL, r, journal, error);
}

static void
on_recovered(const PpmJournalRecovery *counts, const GError *error, gpointer user_data)
{
  if (error != NULL)
    purple_debug_error("ppm", "journal: %s\n", error->message);
  else
    purple_debug_info("ppm",
                      "sessions of a previous run: %u closed, %u forgotten, %u pending, "
                      "%u left to calls of this run\n",
                      counts->closed, counts->forgotten, counts->pending, counts->skipped);
  g_clear_object(&recovering);
}

void
ppm_journal_hook_recover(void)
{
  const PpmPort *port = ppm_platform_port();
  /* One at a time: a second sign-in while one runs would close twice. */
  if (journal == NULL || port == NULL || recovering != NULL)
    return;
  recovering = g_cancellable_new();
  ppm_journal_recover(journal, port, live, recovering, on_recovered, NULL);
}
