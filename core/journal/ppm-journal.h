/* The crash-safe journal of billed sessions: a SQLite file (WAL,
 * synchronous=FULL) in a directory the caller chooses.  Every write is on
 * disk when the call returns, so the caller acts on a result only after the
 * journal knows it.  After a crash, ppm_journal_list_unfinished() tells which
 * sessions still have to be closed on the platform. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PPM_JOURNAL_ERROR (ppm_journal_error_quark())
GQuark ppm_journal_error_quark(void);

typedef enum
{
  PPM_JOURNAL_ERROR_OPEN,    /* the file cannot be opened or created */
  PPM_JOURNAL_ERROR_WRITE,   /* a write failed (disk full, I/O error) */
  PPM_JOURNAL_ERROR_UNKNOWN, /* no such client_session_id */
} PpmJournalError;

#define PPM_JOURNAL_FILE_NAME "ppm-journal.sqlite"

typedef struct _PpmJournal PpmJournal;

/* A session the journal shows not closed on the platform. */
typedef struct
{
  char *client_session_id;
  char *protocol;
  char *model_handle;
  char *member_handle;
  char *started;          /* wall time of the first record, RFC 3339, for people */
  char *session_id;       /* NULL if the open was never confirmed */
  gint64 periods_charged; /* confirmed charges */
  gint64 total_minor;     /* from the last confirmed charge */
  gint64 elapsed_ms;      /* the last journaled elapsed_ms */
  char *close_reason;     /* a close was requested but not confirmed; else NULL */
  gint64 close_elapsed_ms;
} PpmJournalSession;

void ppm_journal_session_free(PpmJournalSession *session);

/* Opens or creates DIR/ppm-journal.sqlite.  A file that is not a readable
 * journal is renamed to ppm-journal.sqlite.corrupt-TIMESTAMP (with a warning)
 * and a fresh journal is created. */
PpmJournal *ppm_journal_open(const char *dir, GError **error);
void ppm_journal_free(PpmJournal *journal);
/* Where ppm_journal_open() moved a corrupt journal, or NULL. */
const char *ppm_journal_get_moved_aside(PpmJournal *journal);
/* Caps the file at about `bytes` (0: no cap); writes beyond fail with
 * PPM_JOURNAL_ERROR_WRITE exactly as on a full disk. */
void ppm_journal_set_size_limit(PpmJournal *journal, gint64 bytes);

/* Before the first post of an open. */
gboolean ppm_journal_open_requested(PpmJournal *journal, const char *client_session_id,
                                    const char *protocol, const char *model_handle,
                                    const char *member_handle, GError **error);
gboolean ppm_journal_opened(PpmJournal *journal, const char *client_session_id,
                            const char *session_id, gint64 elapsed_ms, GError **error);
gboolean ppm_journal_charge_confirmed(PpmJournal *journal, const char *client_session_id,
                                      gint64 seq, gint64 elapsed_ms, gint64 total_minor,
                                      const char *currency, GError **error);
/* Keeps the latest elapsed_ms, for a client_restart close after a crash. */
gboolean ppm_journal_note_elapsed(PpmJournal *journal, const char *client_session_id,
                                  gint64 elapsed_ms, GError **error);
gboolean ppm_journal_close_requested(PpmJournal *journal, const char *client_session_id,
                                     const char *reason, gint64 elapsed_ms, GError **error);
/* The close's answer: the session is finished. */
gboolean ppm_journal_closed(PpmJournal *journal, const char *client_session_id,
                            gint64 periods_charged, gint64 total_minor, const char *currency,
                            GError **error);

/* Sessions not closed yet (PpmJournalSession*), oldest first. */
GPtrArray *ppm_journal_list_unfinished(PpmJournal *journal, GError **error);
/* The periods_charged a confirmed close reported, or -1 if not closed. */
gint64 ppm_journal_get_closed_periods(PpmJournal *journal, const char *client_session_id,
                                      GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmJournal, ppm_journal_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmJournalSession, ppm_journal_session_free)

G_END_DECLS
