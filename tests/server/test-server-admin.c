/* ppm-admin: every command's output line, its error lines, and that a
 * failed command changes nothing. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ppm-test-api.h"

static PpmTestServer *
start(void)
{
  g_autoptr(GError) error = NULL;
  PpmTestServer *server = ppm_test_server_start(NULL, NULL, &error);

  g_assert_no_error(error);
  return server;
}

/* Runs a command that must fail: one line on stderr naming `needle`. */
#define assert_admin_fails(server, stdin_text, needle, ...)                                        \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autoptr(GError) e_ = NULL;                                                                   \
    g_autofree char *out_ = ppm_test_admin(server, stdin_text, &e_, __VA_ARGS__, NULL);            \
    g_assert_null(out_);                                                                           \
    g_assert_nonnull(e_);                                                                          \
    g_assert_true(g_str_has_prefix(e_->message, "ppm-admin: "));                                   \
    g_assert_null(strchr(e_->message, '\n'));                                                      \
    if (strstr(e_->message, needle) == NULL)                                                       \
      g_error("expected \"%s\" in: %s", needle, e_->message);                                      \
  }                                                                                                \
  G_STMT_END

static void
test_users(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *token = NULL, *changed = NULL;

  out = ppm_test_admin(server, "secret-password\n", &error, "create-user", "--email",
                       "Amy@Example.com", "--role", "member", "--display-name", "Amy", NULL);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(out, "id="));
  g_assert_nonnull(strstr(out, "role=member"));
  assert_admin_fails(server, "secret-password\n", "already used", "create-user", "--email",
                     "amy@example.com", "--role", "member", "--display-name", "Amy 2");
  assert_admin_fails(server, "secret-password\n", "--role", "create-user", "--email",
                     "b@example.com", "--role", "admin", "--display-name", "B");
  assert_admin_fails(server, "short\n", "password", "create-user", "--email", "c@example.com",
                     "--role", "model", "--display-name", "C");
  assert_admin_fails(server, "", "password", "create-user", "--email", "c@example.com", "--role",
                     "model", "--display-name", "C");
  assert_admin_fails(server, "secret-password\n", "--display-name", "create-user", "--email",
                     "c@example.com", "--role", "model");
  assert_admin_fails(server, "secret-password\n", "email", "create-user", "--email", "nobody",
                     "--role", "model", "--display-name", "C");
  assert_admin_fails(server, NULL, "no such user", "balance", "--email", "c@example.com");
  assert_admin_fails(server, NULL, "unknown command", "explode");

  changed = ppm_test_admin(server, "another-password\n", &error, "set-password", "--email",
                           "amy@example.com", NULL);
  g_assert_no_error(error);
  g_assert_cmpstr(changed, ==, "ok");
  {
    g_autoptr(PpmTestResponse) old
        = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                        "{\"email\": \"amy@example.com\", \"password\": \"secret-password\"}");
    g_autoptr(PpmTestResponse) fresh
        = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                        "{\"email\": \"amy@example.com\", \"password\": \"another-password\"}");
    ppm_assert_answer(old, 401, "unauthorized");
    ppm_assert_answer(fresh, 200, NULL);
  }
  assert_admin_fails(server, "x\n", "password", "set-password", "--email", "amy@example.com");
}

static void
test_money_commands(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL;
  g_autofree char *funded = NULL, *paid = NULL, *rate = NULL, *cap = NULL;
  const char *bad_amounts[] = { "20.001", "-1", "1e5", "2,00", ".5", "5.", "", "abc", " 1" };

  ppm_test_pair_init(&pair, server, "model", "member", NULL);
  funded
      = ppm_test_admin_ok(server, "fund", "--email", pair.member_email, "--amount", "20.5", NULL);
  g_assert_cmpstr(funded, ==, "20.50 USD");
  for (gsize i = 0; i < G_N_ELEMENTS(bad_amounts); i++)
    assert_admin_fails(server, NULL, "amount", "fund", "--email", pair.member_email, "--amount",
                       bad_amounts[i]);
  assert_admin_fails(server, NULL, "greater than zero", "fund", "--email", pair.member_email,
                     "--amount", "0.00");
  assert_admin_fails(server, NULL, "10^11", "fund", "--email", pair.member_email, "--amount",
                     "1000000000.01");
  assert_admin_fails(server, NULL, "members", "fund", "--email", pair.model_email, "--amount",
                     "1.00");
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2050);

  rate = ppm_test_admin_ok(server, "set-rate", "--email", pair.model_email, "--amount", "3", NULL);
  g_assert_cmpstr(rate, ==, "3.00 USD");
  assert_admin_fails(server, NULL, "greater than zero", "set-rate", "--email", pair.model_email,
                     "--amount", "0");
  assert_admin_fails(server, NULL, "not a model", "set-rate", "--email", pair.member_email,
                     "--amount", "1.00");
  cap = ppm_test_admin_ok(server, "set-max-rate", "--email", pair.member_email, "--amount", "12.00",
                          NULL);
  g_assert_cmpstr(cap, ==, "12.00 USD");

  open = ppm_test_open(server, &pair, 300000);
  for (int seq = 0; seq < 3; seq++)
    {
      g_autoptr(PpmTestResponse) r
          = ppm_test_charge(server, pair.model_token, ppm_test_string(open, "session_id"), seq);
      ppm_assert_answer(r, 201, NULL);
    }
  /* 3 × 3.00 less 20 %: the model earned 7.20. */
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 720);
  assert_admin_fails(server, NULL, "not enough", "payout", "--email", pair.model_email, "--amount",
                     "7.21");
  /* Above a deposit's limit a payout is refused for want of earnings alone. */
  assert_admin_fails(server, NULL, "not enough", "payout", "--email", pair.model_email, "--amount",
                     "1000000000.01");
  paid = ppm_test_admin_ok(server, "payout", "--email", pair.model_email, "--amount", "7.00", NULL);
  g_assert_cmpstr(paid, ==, "0.20 USD");
  /* The model kept 0.20, less than any charge's 2.40 share: nothing can be
   * reversed, and the command says so. */
  assert_admin_fails(server, NULL, "3 charges (9.00 USD) not refunded", "refund", "--session",
                     ppm_test_string(open, "session_id"));
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 20);
  assert_admin_fails(server, NULL, "no such session", "refund", "--session", "feedbeef");
  ppm_test_verify(server);
}

static void
test_refund_returns_charges(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL;
  g_autofree char *refunded = NULL, *again = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  open = ppm_test_open(server, &pair, 300000);
  for (int seq = 0; seq < 2; seq++)
    {
      g_autoptr(PpmTestResponse) r
          = ppm_test_charge(server, pair.model_token, ppm_test_string(open, "session_id"), seq);
      ppm_assert_answer(r, 201, NULL);
    }
  refunded
      = ppm_test_admin_ok(server, "refund", "--session", ppm_test_string(open, "session_id"), NULL);
  g_assert_cmpstr(refunded, ==, "4.00 USD");
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000);
  g_assert_cmpint(ppm_test_balance(server, pair.model_email), ==, 0);
  again
      = ppm_test_admin_ok(server, "refund", "--session", ppm_test_string(open, "session_id"), NULL);
  g_assert_cmpstr(again, ==, "0.00 USD");
  ppm_test_verify(server);
}

static void
test_links(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autofree char *linked = NULL, *unlinked = NULL;

  ppm_test_user(server, "a@example.com", "model");
  ppm_test_user(server, "b@example.com", "member");
  linked = ppm_test_admin_ok(server, "link", "--email", "a@example.com", "--protocol",
                             "prpl-jabber", "--handle", "A@Localhost/Desk", NULL);
  g_assert_cmpstr(linked, ==, "linked prpl-jabber a@localhost");
  assert_admin_fails(server, NULL, "another account", "link", "--email", "b@example.com",
                     "--protocol", "prpl-jabber", "--handle", "a@localhost");
  assert_admin_fails(server, NULL, "not linked", "unlink", "--email", "b@example.com", "--protocol",
                     "prpl-jabber", "--handle", "a@localhost");
  assert_admin_fails(server, NULL, "not valid", "link", "--email", "b@example.com", "--protocol",
                     "bad protocol", "--handle", "x");
  unlinked = ppm_test_admin_ok(server, "unlink", "--email", "a@example.com", "--protocol",
                               "prpl-jabber", "--handle", "a@localhost", NULL);
  g_assert_cmpstr(unlinked, ==, "unlinked prpl-jabber a@localhost");
}

static void
test_demo(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autofree char *out = ppm_test_admin_ok(server, "demo", NULL);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  g_autoptr(GRegex) format
      = g_regex_new("^role=(model|member) email=(\\S+) password=(\\S+) protocol=prpl-jabber"
                    " handle=(model|member)@localhost balance=(\\d+\\.\\d\\d)$",
                    0, 0, NULL);

  g_assert_cmpint(g_strv_length(lines), ==, 2);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *role = NULL, *email = NULL, *password = NULL, *balance = NULL;
      g_autoptr(PpmTestResponse) login = NULL, me = NULL;

      g_assert_true(g_regex_match(format, lines[i], 0, &match));
      role = g_match_info_fetch(match, 1);
      email = g_match_info_fetch(match, 2);
      password = g_match_info_fetch(match, 3);
      balance = g_match_info_fetch(match, 5);
      g_assert_cmpstr(balance, ==, g_str_equal(role, "member") ? "20.00" : "0.00");
      login = ppm_test_call(server, "POST", "/v1/auth/login", NULL,
                            "{\"email\": \"%s\", \"password\": \"%s\"}", email, password);
      ppm_assert_answer(login, 200, NULL);
      me = ppm_test_call(server, "GET", "/v1/me", ppm_test_string(login, "access_token"), NULL);
      if (g_str_equal(role, "model"))
        g_assert_cmpint(ppm_test_int(me, "rate.amount_minor"), ==, 200);
      else
        g_assert_cmpint(ppm_test_int(me, "balance.amount_minor"), ==, 2000);
    }
  assert_admin_fails(server, NULL, "exist", "demo");
  ppm_test_verify(server);
}

static void
test_backup_and_copy(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *file = g_build_filename(server->dir, "backup.db", NULL);
  g_autofree char *copy = g_build_filename(server->dir, "copy.db", NULL);
  g_autofree char *file_uri = g_strconcat("sqlite:", file, NULL);
  g_autofree char *copy_uri = g_strconcat("sqlite:", copy, NULL);
  g_autofree char *ok = NULL, *copied = NULL;
  PpmTestServer view = { 0 };

  if (!g_str_has_prefix(server->db_uri, "sqlite:"))
    {
      g_test_skip("backup is for SQLite databases");
      return;
    }
  ppm_test_pair_init(&pair, server, "model", "member", "12.34");
  ok = ppm_test_admin_ok(server, "backup", file, NULL);
  g_assert_cmpstr(ok, ==, "ok");
  assert_admin_fails(server, NULL, "exists", "backup", file);
  copied = ppm_test_admin_ok(server, "copy", "--to", copy_uri, NULL);
  g_assert_cmpstr(copied, ==, "ok");
  assert_admin_fails(server, NULL, "not empty", "copy", "--to", copy_uri);

  /* Both copies hold the same money and pass verify. */
  view.db_uri = file_uri;
  g_assert_cmpint(ppm_test_balance(&view, pair.member_email), ==, 1234);
  ppm_test_verify(&view);
  view.db_uri = copy_uri;
  g_assert_cmpint(ppm_test_balance(&view, pair.member_email), ==, 1234);
  ppm_test_verify(&view);
  g_remove(file);
  g_remove(copy);
}

/* The schema versions there are (schema-N.sql in PPM_SQLITE_SCHEMA_DIR). */
static int
sqlite_schema_versions(void)
{
  int n = 0;

  for (;;)
    {
      g_autofree char *name = g_strdup_printf("schema-%d.sql", n + 1);
      g_autofree char *path = g_build_filename(g_getenv("PPM_SQLITE_SCHEMA_DIR"), name, NULL);

      if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return n;
      n++;
    }
}

/* A SQLite database of schema version 1 holding a member is brought to the
 * latest version by the next program that opens it, and serves as before. */
static void
test_sqlite_upgrade_from_1(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("ppm-upgrade-XXXXXX", &error);
  g_autofree char *path = g_build_filename(dir, "old.db", NULL);
  g_autofree char *schema_path
      = g_build_filename(g_getenv("PPM_SQLITE_SCHEMA_DIR"), "schema-1.sql", NULL);
  g_autofree char *schema = NULL;
  g_autofree char *version = NULL;
  PpmTestServer view = { 0 };
  sqlite3 *db = NULL;

  g_assert_no_error(error);
  g_assert_true(g_file_get_contents(schema_path, &schema, NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, schema, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint(
      sqlite3_exec(db,
                   "CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT;"
                   "INSERT INTO schema_version VALUES (1);"
                   "INSERT INTO meta VALUES ('currency', 'EUR');"
                   "INSERT INTO users (id, email, role, display_name, password_hash, created_ms)"
                   " VALUES (7, 'old@example.org', 'member', 'Old', '-', 0);"
                   "INSERT INTO wallets (user_id, name, balance_minor) VALUES (7, 'user:7', 0);",
                   NULL, NULL, NULL),
      ==, SQLITE_OK);
  sqlite3_close(db);

  view.db_uri = g_strconcat("sqlite:", path, NULL);
  g_free(ppm_test_admin_ok(&view, "fund", "--email", "old@example.org", "--amount", "5.00", NULL));
  g_assert_cmpint(ppm_test_balance(&view, "old@example.org"), ==, 500);
  ppm_test_verify(&view);
  g_assert_cmpint(sqlite_schema_versions(), >=, 4);
  version = g_strdup_printf("%d", sqlite_schema_versions());
  ppm_test_server_assert_sql(&view, "SELECT MAX(version) FROM schema_version", version);
  /* Columns of later versions (3: offset_ms, 4: allowed_models_only). */
  ppm_test_server_assert_sql(&view, "SELECT COUNT(offset_ms) FROM sessions", "0");
  ppm_test_server_assert_sql(&view, "SELECT allowed_models_only FROM users WHERE id = 7", "0");

  g_free(view.db_uri);
  for (const char *const *suffix = (const char *const[]){ "", "-wal", "-shm", NULL }; *suffix;
       suffix++)
    {
      g_autofree char *file = g_strconcat(path, *suffix, NULL);
      g_remove(file);
    }
  g_rmdir(dir);
}

/* Damages the SQLite ledger behind the platform's back. */
/* A charge's total counts the session's standing charges only: after a
 * refund of an open session, the next charge's total is that charge alone
 * (the engines count reversed charges rather than summing every charge). */
static void
test_charge_after_refund_totals_standing(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL;
  g_autofree char *refunded = NULL;
  const char *session_id;
  gint64 rate;

  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  open = ppm_test_open(server, &pair, 300000);
  session_id = ppm_test_string(open, "session_id");
  rate = ppm_test_int(open, "rate.amount_minor");
  for (int seq = 0; seq < 3; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, session_id, seq);
      ppm_assert_answer(r, 201, NULL);
      g_assert_cmpint(ppm_test_int(r, "total.amount_minor"), ==, (seq + 1) * rate);
    }
  refunded = ppm_test_admin_ok(server, "refund", "--session", session_id, NULL);
  g_assert_cmpstr(refunded, ==, "6.00 USD");
  for (int seq = 3; seq < 5; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, session_id, seq);
      ppm_assert_answer(r, 201, NULL);
      g_assert_cmpint(ppm_test_int(r, "seq"), ==, seq);
      g_assert_cmpint(ppm_test_int(r, "total.amount_minor"), ==, (seq - 2) * rate);
    }
  ppm_test_verify(server);
}

static void
damage(PpmTestServer *server, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint(sqlite3_open(server->db_uri + strlen("sqlite:"), &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close(db);
}

static void
test_verify_finds_damage(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };

  if (!g_str_has_prefix(server->db_uri, "sqlite:"))
    {
      g_test_skip("damages a SQLite file");
      return;
    }
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  ppm_test_verify(server);
  damage(server, "UPDATE wallets SET balance_minor = balance_minor + 1 WHERE user_id IS NOT NULL"
                 " AND balance_minor > 0");
  assert_admin_fails(server, NULL, "balance", "verify");
  damage(server, "UPDATE wallets SET balance_minor = balance_minor - 1 WHERE user_id IS NOT NULL"
                 " AND balance_minor > 0;"
                 "UPDATE entries SET amount_minor = amount_minor + 5"
                 " WHERE id = (SELECT MIN (id) FROM entries)");
  assert_admin_fails(server, NULL, "sum to zero", "verify");
}

/* create-user applies the checks of the sign-up page: a plausible address
 * (ppm_email_normalize()); 1..100 bytes and no control or bidi character in
 * the display name. */
static void
test_create_user_checks_like_signup(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autoptr(GError) error = NULL;
  g_autofree char *longest = g_strnfill(100, 'n'), *too_long = g_strnfill(101, 'n');
  g_autofree char *out = NULL;
  const char *bad_emails[] = { "a b@example.com",  "a@b@example.com",
                               "@example.com",     "amy@",
                               "amy@example.com.", "amy\xe2\x80\x8b@example.com" };

  for (gsize i = 0; i < G_N_ELEMENTS(bad_emails); i++)
    assert_admin_fails(server, "secret-password\n", "--email", "create-user", "--email",
                       bad_emails[i], "--role", "member", "--display-name", "Amy");
  assert_admin_fails(server, "secret-password\n", "--display-name", "create-user", "--email",
                     "amy@example.com", "--role", "member", "--display-name", "Amy\tB");
  assert_admin_fails(server, "secret-password\n", "--display-name", "create-user", "--email",
                     "amy@example.com", "--role", "member", "--display-name", too_long);
  out = ppm_test_admin(server, "secret-password\n", &error, "create-user", "--email",
                       "amy@example.com", "--role", "member", "--display-name", longest, NULL);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(out, "id="));
}

/* Runs ppm-admin itself (no test helper between) and returns its raw stderr;
 * the command must fail with status 1. */
static char *
admin_stderr(const char *db_uri, const char *const *args, int expected_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  char *err = NULL;
  int status;

  g_ptr_array_add(argv, (gpointer)g_getenv("PPM_ADMIN_BIN"));
  g_assert_nonnull(argv->pdata[0]);
  if (db_uri != NULL)
    {
      g_ptr_array_add(argv, "--db");
      g_ptr_array_add(argv, (gpointer)db_uri);
    }
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add(argv, (gpointer)args[i]);
  g_ptr_array_add(argv, NULL);
  g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out,
               &err, &status, &error);
  g_assert_no_error(error);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, expected_status);
  g_assert_cmpstr(out, ==, "");
  return err;
}

/* Every error is exactly one line on stderr, ending in a newline, also when
 * the message itself holds a line break. */
static void
test_error_lines_end_with_newline(void)
{
  g_autoptr(PpmTestServer) server = start();
  const char *const no_command[] = { NULL };
  const char *const unknown[] = { "no\nsuch", NULL };
  const char *const no_value[] = { "fund", "--email", NULL };
  const char *const missing_flag[] = { "fund", NULL };
  const char *const no_user[] = { "balance", "--email", "nobody@example.com", NULL };
  const char *const no_password[] = { "create-user", "--email", "a@example.com",
                                      "--role",      "member",  "--display-name",
                                      "A",           NULL };
  const char *const verify[] = { "verify", NULL };
  struct
  {
    const char *db;
    const char *const *args;
    int status; /* 64: a usage error */
  } cases[] = {
    { NULL, no_command, 64 },
    { server->db_uri, unknown, 64 },
    { server->db_uri, no_value, 64 },
    { server->db_uri, missing_flag, 64 },
    { server->db_uri, no_user, 1 },
    { server->db_uri, no_password, 1 },
    { "sqlite:/nonexistent-dir/ppm.db", verify, 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_autofree char *err = admin_stderr(cases[i].db, cases[i].args, cases[i].status);

      g_test_message("case %" G_GSIZE_FORMAT ": %s", i, err);
      g_assert_true(g_str_has_prefix(err, "ppm-admin: "));
      g_assert_true(g_str_has_suffix(err, "\n"));
      /* The first line break is the last character. */
      g_assert_cmpuint(strcspn(err, "\n"), ==, strlen(err) - 1);
    }
}

/* Runs ppm-admin ARGS in `dir` with PPM_DB set to `env_db` (unset when
 * NULL); returns its exit status, standard output in *out. */
static int
admin_run(const char *dir, const char *env_db, char **out, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_auto(GStrv) env = g_environ_unsetenv(g_get_environ(), "PPM_DB");
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add(argv, (gpointer)g_getenv("PPM_ADMIN_BIN"));
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add(argv, (gpointer)args[i]);
  g_ptr_array_add(argv, NULL);
  if (env_db != NULL)
    env = g_environ_setenv(env, "PPM_DB", env_db, TRUE);
  g_spawn_sync(dir, (char **)argv->pdata, env, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, out, &err,
               &status, &error);
  g_assert_no_error(error);
  g_test_message("ppm-admin %s: %s", args[0], err);
  g_assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* An unknown option or a missing value is a usage error (64) that changes
 * nothing; --opt=value and --opt value both work. */
static void
test_usage_errors_change_nothing(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_auto(PpmTestPair) pair = { 0 };
  g_autofree char *db = g_strconcat("--db=", server->db_uri, NULL);
  g_autofree char *out = NULL, *joined = NULL;

  ppm_test_pair_init(&pair, server, "model", "member", "10.00");
  g_assert_cmpint(admin_run(NULL, NULL, &out,
                            (const char *const[]){ db, "fund", "--email", pair.member_email,
                                                   "--amount", "5.00", "--dry-run", "yes", NULL }),
                  ==, 64);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(
      admin_run(NULL, NULL, &out,
                (const char *const[]){ db, "fund", "--amount", "5.00", "--email", NULL }),
      ==, 64);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(admin_run(NULL, NULL, &out,
                            (const char *const[]){ db, "fund", "--amount=5.00", "extra", "--email",
                                                   pair.member_email, NULL }),
                  ==, 64);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 1000);
  joined = g_strconcat("--email=", pair.member_email, NULL);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(admin_run(NULL, NULL, &out,
                            (const char *const[]){ db, "fund", joined, "--amount", "5.00", NULL }),
                  ==, 0);
  g_assert_cmpstr(out, ==, "15.00 USD\n");
}

/* Only init, create-user, demo or --create make a database. */
static void
test_no_database_by_accident(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-admin-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "ppm.db", NULL);
  g_autofree char *out = NULL;

  g_assert_cmpint(admin_run(dir, NULL, &out,
                            (const char *const[]){ "balance", "--email", "a@example.com", NULL }),
                  ==, 1);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(admin_run(dir, NULL, &out, (const char *const[]){ "backup", "b.db", NULL }), ==,
                  1);
  g_assert_cmpstr(out, ==, "");
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(admin_run(dir, NULL, &out, (const char *const[]){ "--create", "verify", NULL }),
                  ==, 0);
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
  g_remove(path);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(admin_run(dir, NULL, &out, (const char *const[]){ "init", NULL }), ==, 0);
  g_assert_cmpstr(out, ==, "ok\n");
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
  /* An existing database keeps its currency. */
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(
      admin_run(dir, NULL, &out, (const char *const[]){ "init", "--currency=EUR", NULL }), ==, 1);
  g_remove(path);
  g_rmdir(dir);
}

/* PPM_DB names the database when --db is absent; --db wins. */
static void
test_ppm_db_environment(void)
{
  g_autofree char *dir = g_dir_make_tmp("ppm-admin-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "env.db", NULL);
  g_autofree char *uri = g_strconcat("sqlite:", path, NULL);
  g_autofree char *out = NULL;

  g_assert_cmpint(admin_run(dir, uri, &out, (const char *const[]){ "init", NULL }), ==, 0);
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(admin_run(dir, uri, &out, (const char *const[]){ "verify", NULL }), ==, 0);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(
      admin_run(dir, uri, &out, (const char *const[]){ "--db", "sqlite:none.db", "verify", NULL }),
      ==, 1);
  g_remove(path);
  g_rmdir(dir);
}

/* A backup holds password hashes: only its owner may read it. */
static void
test_backup_mode_0600(void)
{
  g_autoptr(PpmTestServer) server = start();
  g_autofree char *file = g_build_filename(server->dir, "private.db", NULL);
  g_autofree char *ok = NULL;
  GStatBuf st;

  if (!g_str_has_prefix(server->db_uri, "sqlite:"))
    {
      g_test_skip("backup is for SQLite databases");
      return;
    }
  umask(022);
  ok = ppm_test_admin_ok(server, "backup", file, NULL);
  g_assert_cmpstr(ok, ==, "ok");
  g_assert_cmpint(g_stat(file, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_remove(file);
}

/* --help for the program and each command, and --version, exit 0. */
static void
test_help_and_version(void)
{
  const char *const commands[] = { "init", "create-user", "fund", "backup", "copy", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint(admin_run(NULL, NULL, &out, (const char *const[]){ "--version", NULL }), ==, 0);
  g_assert_true(g_str_has_prefix(out, "ppm-admin "));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(admin_run(NULL, NULL, &out, (const char *const[]){ "--help", NULL }), ==, 0);
  g_assert_nonnull(strstr(out, "set-max-rate"));
  for (gsize i = 0; commands[i] != NULL; i++)
    {
      g_clear_pointer(&out, g_free);
      g_assert_cmpint(
          admin_run(NULL, NULL, &out, (const char *const[]){ commands[i], "--help", NULL }), ==, 0);
      g_assert_nonnull(strstr(out, commands[i]));
    }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/admin/users", test_users);
  g_test_add_func("/server/admin/create-user-checks-like-signup",
                  test_create_user_checks_like_signup);
  g_test_add_func("/server/admin/money-commands", test_money_commands);
  g_test_add_func("/server/admin/refund-returns-charges", test_refund_returns_charges);
  g_test_add_func("/server/admin/charge-after-refund-totals-standing",
                  test_charge_after_refund_totals_standing);
  g_test_add_func("/server/admin/links", test_links);
  g_test_add_func("/server/admin/demo", test_demo);
  g_test_add_func("/server/admin/backup-and-copy", test_backup_and_copy);
  g_test_add_func("/server/admin/sqlite-upgrade-from-1", test_sqlite_upgrade_from_1);
  g_test_add_func("/server/admin/verify-finds-damage", test_verify_finds_damage);
  g_test_add_func("/server/admin/error-lines-end-with-newline", test_error_lines_end_with_newline);
  g_test_add_func("/server/admin/usage-errors-change-nothing", test_usage_errors_change_nothing);
  g_test_add_func("/server/admin/no-database-by-accident", test_no_database_by_accident);
  g_test_add_func("/server/admin/ppm-db-environment", test_ppm_db_environment);
  g_test_add_func("/server/admin/backup-mode-0600", test_backup_mode_0600);
  g_test_add_func("/server/admin/help-and-version", test_help_and_version);
  return g_test_run();
}
