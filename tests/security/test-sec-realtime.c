/* Money moves no faster than time (docs/billing-rules.md#money-moves-no-faster-than-time): the
 * backdating attack, the settlement of a superseded session, replays, and the interval invariants
 * checked from the database after every step of a seeded random walk of opens, charges, closes,
 * supersessions, expiries, replays and restarts on a platform clock the test moves.
 *
 * On SQLite by default; on PostgreSQL when run by with-pg-cluster (the
 * cluster's postgres then runs under the same faketime offset file as the
 * server, PPM_PG_FAKETIME). */
#include <sqlite3.h>
#include <string.h>
#ifdef SEC_WITH_LIBPQ
#include <libpq-fe.h>
#endif

#include "ppm-test-api.h"
#include "ppm-test-clock.h"
#include "ppm-test-missing.h"
#include "sec-server.h"

#define RATE 200 /* ppm_test_pair_init's 2.00 */

/* POST /v1/sessions for (model_token, model_handle, member_handle) with the
 * given client_session_id; *body (may be NULL) gets the request body. */
static PpmTestResponse *
open_with(PpmTestServer *server, const char *token, const char *model_handle,
          const char *member_handle, const char *csid, gint64 elapsed_ms, char **body)
{
  g_autofree char *text = g_strdup_printf(
      "{\"client_session_id\": \"%s\", \"protocol\": \"prpl-jabber\", \"model_handle\": \"%s\","
      " \"member_handle\": \"%s\", \"elapsed_ms\": %" G_GINT64_FORMAT "}",
      csid, model_handle, member_handle, elapsed_ms);
  PpmTestResponse *r
      = ppm_test_request(server, "POST", "/v1/sessions", token, NULL, text, strlen(text));

  if (body != NULL)
    *body = g_steal_pointer(&text);
  return r;
}

static gboolean
replayed(PpmTestResponse *r)
{
  return g_strcmp0(g_hash_table_lookup(r->headers, "idempotent-replayed"), "true") == 0;
}

/* Opens backdated `opens` times, each followed by charges seq 0..5 as fast
 * as the server answers; returns the periods taken from the member. */
static gint64
backdate_loop(PpmTestServer *server, PpmTestPair *pair, int opens, gint64 elapsed_ms,
              gint64 *shifted_opens)
{
  gint64 before = ppm_test_balance(server, pair->member_email);

  *shifted_opens = 0;
  for (int i = 0; i < opens; i++)
    {
      g_autofree char *csid = g_uuid_string_random();
      g_autoptr(PpmTestResponse) open = open_with(server, pair->model_token, pair->model_handle,
                                                  pair->member_handle, csid, elapsed_ms, NULL);

      ppm_assert_answer(open, 201, NULL);
      if (ppm_test_int(open, "offset_ms") > 1000)
        (*shifted_opens)++;
      for (gint64 seq = 0; seq <= 5; seq++)
        {
          g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair->model_token,
                                                         ppm_test_string(open, "session_id"), seq);

          if (r->status != 201)
            {
              ppm_assert_answer(r, 425, "too_early");
              break;
            }
        }
    }
  return (before - ppm_test_balance(server, pair->member_email)) / RATE;
}

/* The attack as found, at the default flags (60 s periods, 330 s of
 * backdating): 20 opens backdated 330 s with seq 0..5 each took 100
 * minutes; now the first takes its 6 and every later open is shifted past
 * them, so its charges wait for real time. */
static void
test_backdate_loop_default_flags(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  gint64 shifted, taken;

  ppm_test_pair_init(&pair, server, "drainer", "victim", "1000.00");
  taken = backdate_loop(server, &pair, 20, 330000, &shifted);
  g_assert_cmpint(taken, <=, 6);
  g_assert_cmpint(taken, ==, 6); /* the first open's backdated minutes are real */
  g_assert_cmpint(shifted, ==, 19);
  ppm_test_verify(server);
}

/* With 2 s periods one open may still backdate 165 periods (330 s), but the
 * loop as a whole takes no more than the backdating plus the time it ran. */
static void
test_backdate_loop_short_periods(void)
{
  g_autoptr(SecServer) server = sec_server_start((const char *[]){ "--period-seconds", "2", NULL });
  g_auto(PpmTestPair) pair = { 0 };
  gint64 started, shifted, taken, ran_s;

  ppm_test_pair_init(&pair, server, "drainer", "victim", "1000.00");
  started = g_get_real_time();
  taken = backdate_loop(server, &pair, 80, 330000, &shifted);
  ran_s = (g_get_real_time() - started + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  g_test_message("80 opens took %" G_GINT64_FORMAT " periods in %" G_GINT64_FORMAT " s", taken,
                 ran_s);
  /* Disjoint 2 s intervals from the first receipt − 330 s up to the last
   * charge + its tolerance (1 s) and its own period. */
  g_assert_cmpint(taken, <=, (330 + ran_s + 1) / 2 + 1);
  g_assert_cmpint(taken, <, 80 * 6);
  g_assert_cmpint(shifted, ==, 79);
  ppm_test_verify(server);
}

/* A superseded session is settled at the platform's instant: a charge taken
 * early within the clock guard's tolerance, for a minute that had not begun,
 * goes back to the member, and the new session starts where the standing
 * charges end. */
static void
test_supersede_reverses_unbegun_charge(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) first = NULL, second = NULL, again = NULL;
  const char *id;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  /* t0 was 57 s ago: seq 1's minute begins in 3 s, within its 5 s of
   * tolerance. */
  first = ppm_test_open(server, &pair, 57000);
  ppm_assert_answer(first, 201, NULL);
  g_assert_cmpint(ppm_test_int(first, "offset_ms"), ==, 1000);
  id = ppm_test_string(first, "session_id");
  for (gint64 seq = 0; seq <= 1; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, id, seq);
      ppm_assert_answer(r, 201, NULL);
    }
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - 2 * RATE);

  second = ppm_test_open(server, &pair, 0);
  ppm_assert_answer(second, 201, NULL);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - RATE);
  /* Paid up to t0 + 60 s, about 3 s from now: the new first minute starts
   * there. */
  g_assert_cmpint(ppm_test_int(second, "offset_ms"), >, 1000 + 1000);
  g_assert_cmpint(ppm_test_int(second, "offset_ms"), <=, 1000 + 3000);
  again = ppm_test_charge(server, pair.model_token, id, 2);
  ppm_assert_answer(again, 409, "session_closed");
  ppm_test_verify(server);
}

/* A replay answers the first answer byte for byte, also once a later open
 * of the pair has shifted, superseded and settled things. */
static void
test_replays_after_shift(void)
{
  g_autoptr(SecServer) server = sec_server_start(NULL);
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *csid_a = g_uuid_string_random(), *csid_b = g_uuid_string_random();
  g_autoptr(PpmTestResponse) open_a = NULL, open_b = NULL, replay_a = NULL, replay_b = NULL;
  g_autoptr(PpmTestResponse) charge_a = NULL, replay_charge = NULL;
  const char *id_a;

  ppm_test_pair_init(&pair, server, "model", "member", "50.00");
  open_a = open_with(server, pair.model_token, pair.model_handle, pair.member_handle, csid_a,
                     330000, NULL);
  ppm_assert_answer(open_a, 201, NULL);
  id_a = ppm_test_string(open_a, "session_id");
  for (gint64 seq = 0; seq <= 2; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, id_a, seq);
      ppm_assert_answer(r, 201, NULL);
      if (seq == 1)
        charge_a = g_steal_pointer(&r);
    }
  open_b = open_with(server, pair.model_token, pair.model_handle, pair.member_handle, csid_b,
                     330000, NULL);
  ppm_assert_answer(open_b, 201, NULL);
  g_assert_cmpint(ppm_test_int(open_b, "offset_ms"), >, 1000);

  replay_a = open_with(server, pair.model_token, pair.model_handle, pair.member_handle, csid_a,
                       999999, NULL);
  ppm_assert_answer(replay_a, 201, NULL);
  g_assert_true(replayed(replay_a));
  g_assert_cmpstr(replay_a->body, ==, open_a->body);
  replay_b
      = open_with(server, pair.model_token, pair.model_handle, pair.member_handle, csid_b, 0, NULL);
  ppm_assert_answer(replay_b, 201, NULL);
  g_assert_true(replayed(replay_b));
  g_assert_cmpstr(replay_b->body, ==, open_b->body);
  replay_charge = ppm_test_charge(server, pair.model_token, id_a, 1);
  ppm_assert_answer(replay_charge, 201, NULL);
  g_assert_true(replayed(replay_charge));
  g_assert_cmpstr(replay_charge->body, ==, charge_a->body);
  ppm_test_verify(server);
}

/* --- The random walk ------------------------------------------------- */

/* Read access to the server's database: SQLite (read-only, beside the
 * writer) or PostgreSQL. */
typedef struct
{
  sqlite3 *sqlite;
#ifdef SEC_WITH_LIBPQ
  PGconn *pg;
#endif
} Db;

static void
db_open(Db *db, PpmTestServer *server)
{
  if (g_str_has_prefix(server->db_uri, "sqlite:"))
    {
      g_assert_cmpint(sqlite3_open_v2(server->db_uri + strlen("sqlite:"), &db->sqlite,
                                      SQLITE_OPEN_READONLY, NULL),
                      ==, SQLITE_OK);
      sqlite3_busy_timeout(db->sqlite, 10000);
      return;
    }
#ifdef SEC_WITH_LIBPQ
  db->pg = PQconnectdb(server->db_uri);
  if (PQstatus(db->pg) != CONNECTION_OK)
    g_error("%s: %s", server->db_uri, PQerrorMessage(db->pg));
#else
  g_error("no PostgreSQL client library for %s", server->db_uri);
#endif
}

static void
db_close(Db *db)
{
  g_clear_pointer(&db->sqlite, sqlite3_close);
#ifdef SEC_WITH_LIBPQ
  g_clear_pointer(&db->pg, PQfinish);
#endif
}

/* The first column of the first row of `sql` as an integer (NULL: 0). */
static gint64
db_int(Db *db, const char *sql)
{
  gint64 value = 0;

  if (db->sqlite != NULL)
    {
      sqlite3_stmt *stmt = NULL;
      int rc;

      if (sqlite3_prepare_v2(db->sqlite, sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error("%s: %s", sql, sqlite3_errmsg(db->sqlite));
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
      else if (rc != SQLITE_DONE)
        g_error("%s: %s", sql, sqlite3_errmsg(db->sqlite));
      sqlite3_finalize(stmt);
      return value;
    }
#ifdef SEC_WITH_LIBPQ
  {
    PGresult *result = PQexec(db->pg, sql);

    if (PQresultStatus(result) != PGRES_TUPLES_OK && PQresultStatus(result) != PGRES_COMMAND_OK)
      g_error("%s: %s", sql, PQresultErrorMessage(result));
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0
        && !PQgetisnull(result, 0, 0))
      value = g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10);
    PQclear(result);
  }
#endif
  return value;
}

/* Where charge c of session s starts to pay, and its tolerance
 * min(max(5 s, 0.5 % of seq·period), period/2), in SQL both engines run. */
#define START "(s.t0_ms + s.offset_ms - 1000 + c.seq * s.period_seconds * 1000)"
#define SINCE "(c.seq * s.period_seconds * 1000)"
#define HALF "(s.period_seconds * 1000 / 2)"
#define FLOORED "(CASE WHEN " SINCE " / 200 > 5000 THEN " SINCE " / 200 ELSE 5000 END)"
#define TOL "(CASE WHEN " FLOORED " < " HALF " THEN " FLOORED " ELSE " HALF " END)"

typedef struct
{
  const char *what;
  const char *sql; /* counts the violations */
} Invariant;

static const Invariant invariants[] = {
  { "(i) a pair's standing charges cover overlapping intervals",
    "SELECT COUNT(*) FROM (SELECT st, MAX(en) OVER (PARTITION BY model_id, member_id ORDER BY st,"
    " id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end FROM (SELECT"
    " s.model_id, s.member_id, c.id, " START " AS st, " START " + s.period_seconds * 1000 AS en"
    " FROM charges c JOIN sessions s ON s.id = c.session_id WHERE c.reversal_id IS NULL) iv) w"
    " WHERE before_end > st" },
  { "(ii) a charge was taken before its interval's start − tol",
    "SELECT COUNT(*) FROM charges c JOIN sessions s ON s.id = c.session_id"
    " WHERE c.time_ms < " START " - " TOL },
  /* (iii) needs max_backdate_seconds: see walk_check(). */
  { "ledger: a transaction's entries do not sum to zero",
    "SELECT COUNT(*) FROM (SELECT transaction_id FROM entries GROUP BY transaction_id"
    " HAVING SUM(amount_minor) <> 0) t" },
  { "ledger: a wallet's balance is not the sum of its entries",
    "SELECT COUNT(*) FROM wallets w WHERE w.balance_minor <> (SELECT COALESCE(SUM(e.amount_minor),"
    " 0) FROM entries e WHERE e.wallet_id = w.id)" },
  { "ledger: a user's wallet is below zero",
    "SELECT COUNT(*) FROM wallets WHERE user_id IS NOT NULL AND balance_minor < 0" },
};

#define MODELS 3
#define MEMBERS 3
#define BACKDATE_S 60

typedef struct
{
  char *id;
  int model;
  int member;
  gboolean open;   /* as far as the walk knows */
  gint64 next_seq; /* the charges it took */
  gint64 t0_ms;    /* estimated on the platform's clock */
  char *open_body; /* the request, for replays */
  char *open_answer;
} WalkSession;

typedef struct
{
  char *session_id;
  gint64 seq;
  char *answer;
} WalkCharge;

typedef struct
{
  PpmTestClock *clock;
  Db db;
  GRand *rand;
  guint32 seed;
  int step;
  gint64 period_s;
  gint64 timeout_s;
  gint64 login_offset_s; /* the clock offset when the tokens were issued */
  PpmTestPair people[MODELS > MEMBERS ? MODELS : MEMBERS];
  GPtrArray *sessions; /* of WalkSession */
  GPtrArray *charges;  /* of WalkCharge: every 201 */
  guint counts[6];     /* opens, charges taken, closes, replays, expiries, restarts */
} Walk;

static void
walk_session_free(gpointer data)
{
  WalkSession *s = data;

  g_free(s->id);
  g_free(s->open_body);
  g_free(s->open_answer);
  g_free(s);
}

static void
walk_charge_free(gpointer data)
{
  WalkCharge *c = data;

  g_free(c->session_id);
  g_free(c->answer);
  g_free(c);
}

static PpmTestServer *
walk_server(Walk *w)
{
  return w->clock->server;
}

/* The platform's time as the walk estimates it. */
static gint64
walk_now_ms(Walk *w)
{
  return g_get_real_time() / 1000 + w->clock->offset_s * 1000;
}

static void
walk_fail(Walk *w, const char *what, const char *detail)
{
  g_error("seed %u step %d: %s%s%s", w->seed, w->step, what, detail ? ": " : "",
          detail ? detail : "");
}

/* Every answer the walk may get; anything else fails it. */
static void
walk_expect(Walk *w, PpmTestResponse *r, const char *const *codes)
{
  if (r->status >= 200 && r->status < 300)
    return;
  for (int i = 0; codes[i] != NULL; i++)
    if (g_strcmp0(ppm_test_error_code(r), codes[i]) == 0)
      return;
  walk_fail(w, "unexpected answer", r->body);
}

static WalkSession *
walk_pick(Walk *w, gboolean open)
{
  g_autoptr(GPtrArray) some = g_ptr_array_new();

  for (guint i = 0; i < w->sessions->len; i++)
    {
      WalkSession *s = g_ptr_array_index(w->sessions, i);
      if (s->open == open)
        g_ptr_array_add(some, s);
    }
  if (some->len == 0)
    return NULL;
  return g_ptr_array_index(some, g_rand_int_range(w->rand, 0, some->len));
}

static void
walk_open(Walk *w)
{
  int model = g_rand_int_range(w->rand, 0, MODELS), member = g_rand_int_range(w->rand, 0, MEMBERS);
  int kind = g_rand_int_range(w->rand, 0, 100);
  gint64 elapsed = kind < 35 ? 0
                   : kind < 75
                       ? g_rand_int_range(w->rand, 0, BACKDATE_S * 1000)
                       : g_rand_int_range(w->rand, BACKDATE_S * 1000, 3 * BACKDATE_S * 1000);
  g_autofree char *csid = g_uuid_string_random(), *body = NULL, *sql = NULL;
  gint64 before = walk_now_ms(w);
  g_autoptr(PpmTestResponse) r
      = open_with(walk_server(w), w->people[model].model_token, w->people[model].model_handle,
                  w->people[member].member_handle, csid, elapsed, &body);
  WalkSession *s;

  walk_expect(w, r, (const char *[]){ "insufficient_funds", "too_many_sessions", NULL });
  if (r->status != 201)
    return;
  g_assert_false(replayed(r));
  for (guint i = 0; i < w->sessions->len; i++)
    {
      WalkSession *other = g_ptr_array_index(w->sessions, i);
      if (other->model == model && other->member == member)
        other->open = FALSE; /* superseded */
    }
  s = g_new0(WalkSession, 1);
  s->id = g_strdup(ppm_test_string(r, "session_id"));
  s->model = model;
  s->member = member;
  s->open = TRUE;
  s->t0_ms = before - MIN(elapsed, BACKDATE_S * 1000);
  s->open_body = g_steal_pointer(&body);
  s->open_answer = g_strdup(r->body);
  g_ptr_array_add(w->sessions, s);
  w->counts[0]++;
  /* The answer's offset is the one stored and used. */
  sql = g_strdup_printf("SELECT offset_ms FROM sessions WHERE public_id = '%s'", s->id);
  if (db_int(&w->db, sql) != ppm_test_int(r, "offset_ms") || ppm_test_int(r, "offset_ms") < 1000)
    walk_fail(w, "the open's offset_ms is not the session's", r->body);
  /* The platform's clock (the database's on PostgreSQL) is the one the walk
   * moves. */
  g_free(sql);
  sql = g_strdup_printf("SELECT opened_ms FROM sessions WHERE public_id = '%s'", s->id);
  if (ABS(db_int(&w->db, sql) - before) > 5000)
    walk_fail(w, "the platform's clock does not follow the walk's", NULL);
}

/* The next seq, or (burst) as many as the platform takes. */
static void
walk_charge(Walk *w)
{
  WalkSession *s = walk_pick(w, TRUE);
  int burst = g_rand_int_range(w->rand, 0, 100) < 30 ? 8 : 1;

  if (s == NULL)
    {
      walk_open(w);
      return;
    }
  for (int i = 0; i < burst && s->open; i++)
    {
      g_autoptr(PpmTestResponse) r
          = ppm_test_charge(walk_server(w), w->people[s->model].model_token, s->id, s->next_seq);
      WalkCharge *c;

      walk_expect(w, r,
                  (const char *[]){ "too_early", "insufficient_funds", "session_closed",
                                    "session_expired", NULL });
      if (r->status == 409 || r->status == 410)
        s->open = FALSE;
      if (r->status != 201)
        return;
      g_assert_false(replayed(r));
      c = g_new0(WalkCharge, 1);
      c->session_id = g_strdup(s->id);
      c->seq = s->next_seq++;
      c->answer = g_strdup(r->body);
      g_ptr_array_add(w->charges, c);
      w->counts[1]++;
    }
}

/* A seq beyond the next, or a charge on a closed session: refused. */
static void
walk_charge_wrong(Walk *w)
{
  gboolean closed = g_rand_boolean(w->rand);
  WalkSession *s = walk_pick(w, !closed);
  g_autoptr(PpmTestResponse) r = NULL;

  if (s == NULL)
    return;
  r = ppm_test_charge(walk_server(w), w->people[s->model].model_token, s->id,
                      s->next_seq + (closed ? 0 : 1 + g_rand_int_range(w->rand, 0, 3)));
  if (r->status < 400)
    walk_fail(w, "a wrong charge was taken", r->body);
  walk_expect(w, r, (const char *[]){ "seq_gap", "session_closed", "session_expired", NULL });
  if (r->status == 409 || r->status == 410)
    s->open = FALSE;
}

static void
walk_close(Walk *w)
{
  static const char *const reasons[] = { "local_hangup", "remote_hangup", "client_restart" };
  WalkSession *s = walk_pick(w, TRUE);
  gint64 elapsed;
  g_autoptr(PpmTestResponse) r = NULL;

  if (s == NULL)
    return;
  elapsed = walk_now_ms(w) - s->t0_ms
            + g_rand_int_range(w->rand, -2 * (int)w->period_s * 1000, (int)w->period_s * 1000);
  r = ppm_test_close(walk_server(w), w->people[s->model].model_token, s->id,
                     reasons[g_rand_int_range(w->rand, 0, G_N_ELEMENTS(reasons))], MAX(0, elapsed));
  walk_expect(w, r, (const char *[]){ "session_closed", "session_expired", NULL });
  s->open = FALSE;
  w->counts[2]++;
}

/* A recorded open or charge, posted again: its first answer, byte for byte. */
static void
walk_replay(Walk *w)
{
  g_autoptr(PpmTestResponse) r = NULL;
  const char *first;

  if (g_rand_boolean(w->rand) && w->charges->len > 0)
    {
      WalkCharge *c = g_ptr_array_index(w->charges, g_rand_int_range(w->rand, 0, w->charges->len));
      WalkSession *s = NULL;

      for (guint i = 0; s == NULL; i++)
        if (g_str_equal(((WalkSession *)g_ptr_array_index(w->sessions, i))->id, c->session_id))
          s = g_ptr_array_index(w->sessions, i);
      r = ppm_test_charge(walk_server(w), w->people[s->model].model_token, c->session_id, c->seq);
      first = c->answer;
    }
  else if (w->sessions->len > 0)
    {
      WalkSession *s
          = g_ptr_array_index(w->sessions, g_rand_int_range(w->rand, 0, w->sessions->len));

      r = ppm_test_request(walk_server(w), "POST", "/v1/sessions", w->people[s->model].model_token,
                           NULL, s->open_body, strlen(s->open_body));
      first = s->open_answer;
    }
  else
    return;
  if (r->status != 201 || !replayed(r) || g_strcmp0(r->body, first) != 0)
    walk_fail(w, "a replay is not the first answer", r->body);
  w->counts[3]++;
}

static void
walk_login(Walk *w)
{
  for (int i = 0; i < MODELS; i++)
    {
      g_free(w->people[i].model_token);
      w->people[i].model_token = ppm_test_login(walk_server(w), w->people[i].model_email);
    }
  w->login_offset_s = w->clock->offset_s;
}

static void
walk_advance(Walk *w, gint64 seconds)
{
  ppm_test_clock_advance(w->clock, seconds);
  /* Access tokens last an hour of the server's time. */
  if (w->clock->offset_s - w->login_offset_s > 3000)
    walk_login(w);
}

static void
walk_restart(Walk *w)
{
  g_autoptr(GError) error = NULL;

  if (!ppm_test_clock_restart(w->clock, &error))
    walk_fail(w, "restart", error->message);
  w->counts[5]++;
}

static void
walk_step(Walk *w)
{
  int r = g_rand_int_range(w->rand, 0, 1000);

  if (r < 280)
    walk_charge(w);
  else if (r < 320)
    walk_charge_wrong(w);
  else if (r < 480)
    walk_open(w);
  else if (r < 550)
    walk_close(w);
  else if (r < 630)
    walk_replay(w);
  else if (r < 960)
    walk_advance(w, g_rand_int_range(w->rand, 0, 100) < 75
                        ? g_rand_int_range(w->rand, 1, 4)
                        : g_rand_int_range(w->rand, w->period_s, 2 * w->period_s + 1));
  else if (r < 990)
    {
      /* Past every open session's deadline; the tick or the next request
       * expires them. */
      walk_advance(w, w->timeout_s + g_rand_int_range(w->rand, 1, 10));
      w->counts[4]++;
    }
  else
    walk_restart(w);
}

static void
walk_check(Walk *w)
{
  g_autofree char *backdate = g_strdup_printf(
      "SELECT COUNT(*) FROM sessions WHERE t0_ms + offset_ms - 1000 < opened_ms - %d",
      BACKDATE_S * 1000);
  gint64 bad;

  db_int(&w->db, w->db.sqlite != NULL ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
  for (guint i = 0; i < G_N_ELEMENTS(invariants); i++)
    if ((bad = db_int(&w->db, invariants[i].sql)) != 0)
      walk_fail(w, invariants[i].what, NULL);
  if ((bad = db_int(&w->db, backdate)) != 0)
    walk_fail(w, "(iii) an interval starts before its open's receipt − max_backdate_seconds", NULL);
  db_int(&w->db, "COMMIT");
}

static gint64
env_int(const char *name, gint64 fallback)
{
  const char *text = g_getenv(name);

  return text != NULL && *text != '\0' ? g_ascii_strtoll(text, NULL, 10) : fallback;
}

static void
test_random_walk_invariants(void)
{
  static const int periods[] = { 2, 5, 10 };
  g_autoptr(GError) error = NULL;
  g_autofree char *period = NULL, *backdate = g_strdup_printf("%d", BACKDATE_S);
  Walk w = { 0 };
  gint64 steps = env_int("PPM_REALTIME_STEPS", 1200);

  w.seed = (guint32)env_int("PPM_REALTIME_SEED", g_random_int());
  w.rand = g_rand_new_with_seed(w.seed);
  w.period_s = periods[g_rand_int_range(w.rand, 0, G_N_ELEMENTS(periods))];
  w.timeout_s = MAX(BACKDATE_S, 2 * w.period_s + 60);
  g_test_message("PPM_REALTIME_SEED=%u PPM_REALTIME_STEPS=%" G_GINT64_FORMAT
                 " (period %" G_GINT64_FORMAT " s)",
                 w.seed, steps, w.period_s);
  period = g_strdup_printf("%" G_GINT64_FORMAT, w.period_s);
  w.clock = ppm_test_clock_start(
      (const char *[]){ "--period-seconds", period, "--max-backdate-seconds", backdate, NULL },
      &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      ppm_test_missing(error->message);
      g_rand_free(w.rand);
      return;
    }
  g_assert_no_error(error);
  w.sessions = g_ptr_array_new_with_free_func(walk_session_free);
  w.charges = g_ptr_array_new_with_free_func(walk_charge_free);
  for (int i = 0; i < MODELS; i++)
    {
      g_autofree char *model = g_strdup_printf("model%d", i),
                      *member = g_strdup_printf("member%d", i);

      /* The last member can pay for a few periods only. */
      ppm_test_pair_init(&w.people[i], w.clock->server, model, member,
                         i == MEMBERS - 1 ? "12.00" : "1000.00");
    }
  db_open(&w.db, w.clock->server);
  for (w.step = 0; w.step < steps; w.step++)
    {
      walk_step(&w);
      walk_check(&w);
      if (w.step % 250 == 249)
        ppm_test_verify(walk_server(&w));
    }
  ppm_test_verify(walk_server(&w));
  g_test_message("%u opens, %u charges taken, %u closes, %u replays, %u expiries, %u restarts",
                 w.counts[0], w.counts[1], w.counts[2], w.counts[3], w.counts[4], w.counts[5]);
  g_assert_cmpuint(w.counts[0], >, 0);
  g_assert_cmpuint(w.counts[1], >, 0);

  db_close(&w.db);
  for (int i = 0; i < MODELS; i++)
    ppm_test_pair_clear(&w.people[i]);
  g_ptr_array_unref(w.sessions);
  g_ptr_array_unref(w.charges);
  g_rand_free(w.rand);
  ppm_test_clock_free(w.clock);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/realtime/backdate-loop-takes-at-most-six-periods",
                  test_backdate_loop_default_flags);
  g_test_add_func("/security/realtime/backdate-loop-short-periods-bounded-by-time",
                  test_backdate_loop_short_periods);
  g_test_add_func("/security/realtime/supersede-reverses-unbegun-charge",
                  test_supersede_reverses_unbegun_charge);
  g_test_add_func("/security/realtime/replays-answer-first-answer-after-shift",
                  test_replays_after_shift);
  /* Last: on PostgreSQL it moves the cluster's clock for good. */
  g_test_add_func("/security/realtime/random-walk-invariants", test_random_walk_invariants);
  return g_test_run();
}
