/* The billing journal (core/journal) as the meter's journal hook wants it,
 * and the recovery of sessions a previous run left open. */
#pragma once

#include "ppm-meter.h"

G_BEGIN_DECLS

/* Opens the journal in the libpurple user dir; FALSE with an error when it
 * cannot be opened (billing then stops at the first record). */
gboolean ppm_journal_hook_open(GError **error);
void ppm_journal_hook_close(void);

/* Records one step of a session with core/journal's meter hook, keeping
 * track of this run's sessions; FALSE when it could not be written. */
gboolean ppm_journal_hook_record(const PpmJournalRecord *record, GError **error);

/* Settles the sessions a previous run left unfinished with
 * ppm_journal_recover(), leaving the calls of this run alone.  Runs once
 * signed in; does nothing while a recovery is still running. */
void ppm_journal_hook_recover(void);

G_END_DECLS
