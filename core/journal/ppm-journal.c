/* The journal's file: opening (moving a corrupt one aside), the schema, and
 * one function per record a billed session writes. */
#include "ppm-journal.h"

#include "ppm-log.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>

/* 0x50504d4a, "PPMJ": tells our file from any other SQLite database. */
#define PPM_JOURNAL_APPLICATION_ID 1347439946

struct _PpmJournal
{
  sqlite3 *db;
  char *path;
  char *moved_aside;
  /* SQL text -> its prepared write, reset after each use: preparing the same
   * few statements for every record cost as much CPU as the rest of a write. */
  GHashTable *writes;
};

GQuark
ppm_journal_error_quark(void)
{
  return g_quark_from_static_string("ppm-journal-error-quark");
}

static const char ppm_journal_schema[] = "CREATE TABLE IF NOT EXISTS sessions ("
                                         "  client_session_id TEXT PRIMARY KEY,"
                                         "  protocol TEXT NOT NULL,"
                                         "  model_handle TEXT NOT NULL,"
                                         "  member_handle TEXT NOT NULL,"
                                         "  started TEXT NOT NULL,"
                                         "  session_id TEXT,"
                                         "  periods_charged INTEGER NOT NULL DEFAULT 0,"
                                         "  total_minor INTEGER NOT NULL DEFAULT 0,"
                                         "  currency TEXT,"
                                         "  elapsed_ms INTEGER NOT NULL DEFAULT 0,"
                                         "  close_reason TEXT,"
                                         "  close_elapsed_ms INTEGER,"
                                         "  closed_periods INTEGER);"
                                         "CREATE TABLE IF NOT EXISTS charges ("
                                         "  client_session_id TEXT NOT NULL REFERENCES sessions,"
                                         "  seq INTEGER NOT NULL,"
                                         "  elapsed_ms INTEGER NOT NULL,"
                                         "  total_minor INTEGER NOT NULL,"
                                         "  currency TEXT,"
                                         "  PRIMARY KEY (client_session_id, seq));";

void
ppm_journal_session_free(PpmJournalSession *session)
{
  if (session == NULL)
    return;
  g_free(session->client_session_id);
  g_free(session->protocol);
  g_free(session->model_handle);
  g_free(session->member_handle);
  g_free(session->started);
  g_free(session->session_id);
  g_free(session->close_reason);
  g_free(session);
}

static gboolean
ppm_journal_fail(PpmJournal *journal, PpmJournalError code, GError **error, const char *what)
{
  g_set_error(error, PPM_JOURNAL_ERROR, code, "journal %s: %s: %s", journal->path, what,
              sqlite3_errmsg(journal->db));
  return FALSE;
}

static void
ppm_journal_statement_free(gpointer stmt)
{
  sqlite3_finalize(stmt);
}

/* Prepares `sql` and binds parameters from `types`: 's' a string (may be
 * NULL), 'i' a gint64.  NULL and `error` set with `code` on failure.  A
 * write's statement comes from and stays in journal->writes; a query's is
 * the caller's to finalize. */
static sqlite3_stmt *
ppm_journal_prepare_valist(PpmJournal *journal, PpmJournalError code, GError **error,
                           const char *sql, const char *types, va_list args)
{
  gboolean write = code == PPM_JOURNAL_ERROR_WRITE;
  sqlite3_stmt *stmt = write ? g_hash_table_lookup(journal->writes, sql) : NULL;

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v2(journal->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        {
          ppm_journal_fail(journal, code, error, "cannot prepare");
          return NULL;
        }
      if (write)
        g_hash_table_insert(journal->writes, g_strdup(sql), stmt);
    }
  for (int i = 0; types[i] != '\0'; i++)
    {
      if (types[i] == 'i')
        sqlite3_bind_int64(stmt, i + 1, va_arg(args, gint64));
      else
        sqlite3_bind_text(stmt, i + 1, va_arg(args, const char *), -1, SQLITE_TRANSIENT);
    }
  return stmt;
}

/* A query: ppm_journal_prepare_valist() with the parameters given here. */
static sqlite3_stmt *
ppm_journal_prepare_query(PpmJournal *journal, GError **error, const char *sql, const char *types,
                          ...)
{
  sqlite3_stmt *stmt;
  va_list args;

  va_start(args, types);
  stmt = ppm_journal_prepare_valist(journal, PPM_JOURNAL_ERROR_OPEN, error, sql, types, args);
  va_end(args);
  return stmt;
}

/* Steps a write to its end and resets it for the next use: the number of
 * changed rows, or -1. */
static int
ppm_journal_step_write(PpmJournal *journal, sqlite3_stmt *stmt, GError **error)
{
  int rc;
  int changes = -1;

  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    ;
  if (rc == SQLITE_DONE)
    changes = sqlite3_changes(journal->db);
  else
    ppm_journal_fail(journal, PPM_JOURNAL_ERROR_WRITE, error, "cannot write");
  sqlite3_reset(stmt);
  return changes;
}

/* Runs one write with parameters as ppm_journal_prepare_valist() binds them.
 * Returns the number of changed rows, or -1. */
static int
ppm_journal_run(PpmJournal *journal, GError **error, const char *sql, const char *types, ...)
{
  sqlite3_stmt *stmt;
  va_list args;

  va_start(args, types);
  stmt = ppm_journal_prepare_valist(journal, PPM_JOURNAL_ERROR_WRITE, error, sql, types, args);
  va_end(args);
  return stmt != NULL ? ppm_journal_step_write(journal, stmt, error) : -1;
}

/* Runs "UPDATE sessions SET `assignments` WHERE client_session_id = ?" with
 * parameters from `types` and then the id; the session's row must exist. */
static gboolean
ppm_journal_update(PpmJournal *journal, const char *client_session_id, GError **error,
                   const char *assignments, const char *types, ...)
{
  g_autofree char *sql
      = g_strconcat("UPDATE sessions SET ", assignments, " WHERE client_session_id = ?", NULL);
  sqlite3_stmt *stmt;
  va_list args;
  int changes;

  va_start(args, types);
  stmt = ppm_journal_prepare_valist(journal, PPM_JOURNAL_ERROR_WRITE, error, sql, types, args);
  va_end(args);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text(stmt, (int)strlen(types) + 1, client_session_id, -1, SQLITE_TRANSIENT);
  changes = ppm_journal_step_write(journal, stmt, error);
  if (changes == 0)
    g_set_error(error, PPM_JOURNAL_ERROR, PPM_JOURNAL_ERROR_UNKNOWN, "journal %s: no session %s",
                journal->path, client_session_id);
  return changes > 0;
}

static gint64
ppm_journal_query_int(sqlite3 *db, const char *sql, gint64 fallback)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = fallback;

  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
    value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

/* TRUE when the file is a journal (or empty) and passes SQLite's quick check. */
static gboolean
ppm_journal_looks_sound(sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  gint64 tables, app_id;

  if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step(stmt) == SQLITE_ROW)
    ok = g_strcmp0((const char *)sqlite3_column_text(stmt, 0), "ok") == 0;
  sqlite3_finalize(stmt);
  if (!ok)
    return FALSE;
  tables = ppm_journal_query_int(db, "SELECT count(*) FROM sqlite_master", -1);
  app_id = ppm_journal_query_int(db, "PRAGMA application_id", -1);
  return tables == 0 || app_id == PPM_JOURNAL_APPLICATION_ID;
}

/* Opens and checks the file; *unsound is set when it is not a usable journal. */
static sqlite3 *
ppm_journal_open_db(const char *path, gboolean *unsound, GError **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  char *message = NULL;

  *unsound = FALSE;
  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes(db, 1);
      sqlite3_busy_timeout(db, 2000);
      if (!ppm_journal_looks_sound(db))
        {
          *unsound = TRUE;
          sqlite3_close(db);
          return NULL;
        }
      rc = sqlite3_exec(db,
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                        "PRAGMA foreign_keys=ON;",
                        NULL, NULL, &message);
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, ppm_journal_schema, NULL, NULL, &message);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, "PRAGMA application_id=" G_STRINGIFY(PPM_JOURNAL_APPLICATION_ID), NULL,
                      NULL, &message);
  if (rc != SQLITE_OK)
    {
      int primary = rc & 0xff;

      *unsound = primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
      g_set_error(error, PPM_JOURNAL_ERROR, PPM_JOURNAL_ERROR_OPEN, "journal %s: %s", path,
                  message != NULL ? message : sqlite3_errstr(rc));
      sqlite3_free(message);
      sqlite3_close(db);
      return NULL;
    }
  return db;
}

/* Renames the journal and its WAL files to NAME.corrupt-TIMESTAMP. */
static char *
ppm_journal_move_aside(const char *path, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%S%fZ");
  g_autofree char *target = g_strdup_printf("%s.corrupt-%s", path, stamp);
  static const char *const suffixes[] = { "-wal", "-shm" };

  if (g_rename(path, target) != 0)
    {
      int saved = errno;

      g_set_error(error, PPM_JOURNAL_ERROR, PPM_JOURNAL_ERROR_OPEN,
                  "journal %s is unreadable and cannot be moved aside: %s", path,
                  g_strerror(saved));
      return NULL;
    }
  for (gsize i = 0; i < G_N_ELEMENTS(suffixes); i++)
    {
      g_autofree char *from = g_strconcat(path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat(target, suffixes[i], NULL);

      if (g_file_test(from, G_FILE_TEST_EXISTS))
        g_rename(from, to);
    }
  ppm_log_warning("The billing journal %s was unreadable; it was moved to %s and a new one started",
                  path, target);
  return g_steal_pointer(&target);
}

PpmJournal *
ppm_journal_open(const char *dir, GError **error)
{
  g_autoptr(PpmJournal) journal = g_new0(PpmJournal, 1);
  g_autoptr(GError) first_error = NULL;
  gboolean unsound;

  if (g_mkdir_with_parents(dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error(error, PPM_JOURNAL_ERROR, PPM_JOURNAL_ERROR_OPEN, "cannot create %s: %s", dir,
                  g_strerror(saved));
      return NULL;
    }
  journal->path = g_build_filename(dir, PPM_JOURNAL_FILE_NAME, NULL);
  journal->writes
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, ppm_journal_statement_free);
  journal->db = ppm_journal_open_db(journal->path, &unsound, &first_error);
  if (journal->db == NULL && unsound)
    {
      journal->moved_aside = ppm_journal_move_aside(journal->path, error);
      if (journal->moved_aside == NULL)
        return NULL;
      journal->db = ppm_journal_open_db(journal->path, &unsound, error);
    }
  else if (journal->db == NULL)
    g_propagate_error(error, g_steal_pointer(&first_error));
  if (journal->db == NULL)
    return NULL;
  return g_steal_pointer(&journal);
}

void
ppm_journal_free(PpmJournal *journal)
{
  if (journal == NULL)
    return;
  /* sqlite3_close() refuses to close with statements left. */
  g_clear_pointer(&journal->writes, g_hash_table_unref);
  sqlite3_close(journal->db);
  g_free(journal->path);
  g_free(journal->moved_aside);
  g_free(journal);
}

const char *
ppm_journal_get_moved_aside(PpmJournal *journal)
{
  return journal->moved_aside;
}

void
ppm_journal_set_size_limit(PpmJournal *journal, gint64 bytes)
{
  gint64 page_size = ppm_journal_query_int(journal->db, "PRAGMA page_size", 4096);
  g_autofree char *sql = g_strdup_printf("PRAGMA max_page_count=%" G_GINT64_FORMAT,
                                         bytes > 0 ? MAX(bytes / page_size, 1) : G_MAXUINT32);

  sqlite3_exec(journal->db, sql, NULL, NULL, NULL);
}

gboolean
ppm_journal_open_requested(PpmJournal *journal, const char *client_session_id, const char *protocol,
                           const char *model_handle, const char *member_handle, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree char *started = g_date_time_format_iso8601(now);

  /* A repeated open request keeps the first record. */
  return ppm_journal_run(journal, error,
                         "INSERT INTO sessions (client_session_id, protocol, model_handle,"
                         " member_handle, started) VALUES (?, ?, ?, ?, ?)"
                         " ON CONFLICT (client_session_id) DO NOTHING",
                         "sssss", client_session_id, protocol, model_handle, member_handle, started)
         >= 0;
}

gboolean
ppm_journal_opened(PpmJournal *journal, const char *client_session_id, const char *session_id,
                   gint64 elapsed_ms, GError **error)
{
  return ppm_journal_update(journal, client_session_id, error,
                            "session_id = ?, elapsed_ms = max(elapsed_ms, ?)", "si", session_id,
                            elapsed_ms);
}

gboolean
ppm_journal_charge_confirmed(PpmJournal *journal, const char *client_session_id, gint64 seq,
                             gint64 elapsed_ms, gint64 total_minor, const char *currency,
                             GError **error)
{
  if (ppm_journal_run(journal, error, "BEGIN IMMEDIATE", "") < 0)
    return FALSE;
  if (ppm_journal_update(journal, client_session_id, error,
                         "periods_charged = max(periods_charged, ? + 1),"
                         " elapsed_ms = max(elapsed_ms, ?), total_minor = ?, currency = ?",
                         "iiis", seq, elapsed_ms, total_minor, currency)
      && ppm_journal_run(journal, error,
                         "INSERT INTO charges VALUES (?, ?, ?, ?, ?)"
                         " ON CONFLICT (client_session_id, seq) DO NOTHING",
                         "siiis", client_session_id, seq, elapsed_ms, total_minor, currency)
             >= 0
      && ppm_journal_run(journal, error, "COMMIT", "") >= 0)
    return TRUE;
  sqlite3_exec(journal->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
ppm_journal_note_elapsed(PpmJournal *journal, const char *client_session_id, gint64 elapsed_ms,
                         GError **error)
{
  return ppm_journal_update(journal, client_session_id, error, "elapsed_ms = max(elapsed_ms, ?)",
                            "i", elapsed_ms);
}

gboolean
ppm_journal_close_requested(PpmJournal *journal, const char *client_session_id, const char *reason,
                            gint64 elapsed_ms, GError **error)
{
  /* The first close request wins: a resend keeps its original reason. */
  return ppm_journal_update(journal, client_session_id, error,
                            "close_reason = coalesce(close_reason, ?),"
                            " close_elapsed_ms = coalesce(close_elapsed_ms, ?)",
                            "si", reason, elapsed_ms);
}

gboolean
ppm_journal_closed(PpmJournal *journal, const char *client_session_id, gint64 periods_charged,
                   gint64 total_minor, const char *currency, GError **error)
{
  return ppm_journal_update(journal, client_session_id, error,
                            "closed_periods = ?, total_minor = ?, currency = coalesce(?, currency)",
                            "iis", periods_charged, total_minor, currency);
}

static char *
ppm_journal_column_text(sqlite3_stmt *stmt, int column)
{
  return g_strdup((const char *)sqlite3_column_text(stmt, column));
}

GPtrArray *
ppm_journal_list_unfinished(PpmJournal *journal, GError **error)
{
  g_autoptr(GPtrArray) sessions
      = g_ptr_array_new_with_free_func((GDestroyNotify)ppm_journal_session_free);
  sqlite3_stmt *stmt = ppm_journal_prepare_query(
      journal, error,
      "SELECT client_session_id, protocol, model_handle, member_handle, started, session_id,"
      " periods_charged, elapsed_ms, close_reason, close_elapsed_ms, total_minor"
      " FROM sessions WHERE closed_periods IS NULL ORDER BY rowid",
      "");
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    {
      PpmJournalSession *session = g_new0(PpmJournalSession, 1);

      session->client_session_id = ppm_journal_column_text(stmt, 0);
      session->protocol = ppm_journal_column_text(stmt, 1);
      session->model_handle = ppm_journal_column_text(stmt, 2);
      session->member_handle = ppm_journal_column_text(stmt, 3);
      session->started = ppm_journal_column_text(stmt, 4);
      session->session_id = ppm_journal_column_text(stmt, 5);
      session->periods_charged = sqlite3_column_int64(stmt, 6);
      session->elapsed_ms = sqlite3_column_int64(stmt, 7);
      session->close_reason = ppm_journal_column_text(stmt, 8);
      session->close_elapsed_ms = sqlite3_column_int64(stmt, 9);
      session->total_minor = sqlite3_column_int64(stmt, 10);
      g_ptr_array_add(sessions, session);
    }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE)
    {
      ppm_journal_fail(journal, PPM_JOURNAL_ERROR_OPEN, error, "cannot read");
      return NULL;
    }
  return g_steal_pointer(&sessions);
}

gint64
ppm_journal_get_closed_periods(PpmJournal *journal, const char *client_session_id, GError **error)
{
  sqlite3_stmt *stmt = ppm_journal_prepare_query(
      journal, error, "SELECT closed_periods FROM sessions WHERE client_session_id = ?", "s",
      client_session_id);
  gint64 periods = -1;
  int rc;

  if (stmt == NULL)
    return -1;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
    periods = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    ppm_journal_fail(journal, PPM_JOURNAL_ERROR_OPEN, error, "cannot read");
  return periods;
}
