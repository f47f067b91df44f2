/* What the next start does with a journal left by a crash or an unload
 * (docs/billing-rules.md#crash-recovery): every session it shows open is closed on the
 * platform with reason client_restart and its last journaled elapsed_ms, a
 * close that was requested but not confirmed is sent again with its original
 * reason, no charge is posted, and each answer is written back.  An open that
 * was never confirmed is posted again with the same client_session_id first,
 * since the platform may hold funds for it, and then closed the same way.
 * Sessions of calls still going on in this run are left alone. */
#pragma once

#include "ppm-journal.h"
#include "ppm-port.h"

G_BEGIN_DECLS

typedef struct
{
  guint closed;    /* confirmed by the platform, or already closed or gone there */
  guint forgotten; /* the open was never confirmed and the platform refuses it again,
                      or a call in `skip` bills the same pair (its open supersedes
                      this one): nothing to close, nothing charged */
  guint pending;   /* no usable answer (offline, signed out): left for the next try */
  guint skipped;   /* listed in `skip`: a call of this run, not touched */
} PpmJournalRecovery;

/* Called once, when every unfinished session is settled or left pending;
 * `error` is set only when the journal itself failed. */
typedef void (*PpmJournalRecoverDone)(const PpmJournalRecovery *recovery, const GError *error,
                                      gpointer user_data);

/* Call once signed in.  `journal` must outlive the recovery unless
 * `cancellable` is cancelled first (then `done` is not called); the port
 * must stay usable until a close in flight is answered (a PpmApi does).
 *
 * `skip`, when not NULL, is a set of client_session_ids (char*, hashed with
 * g_str_hash) whose sessions belong to calls of this run: they are neither
 * re-opened nor closed.  It is looked up when each session's turn comes, so
 * an id added meanwhile still counts; the recovery holds a reference. */
void ppm_journal_recover(PpmJournal *journal, const PpmPort *port, GHashTable *skip,
                         GCancellable *cancellable, PpmJournalRecoverDone done, gpointer user_data);

G_END_DECLS
