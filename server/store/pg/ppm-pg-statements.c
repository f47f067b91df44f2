/* The SQL of every prepared statement.  The logic that must be atomic lives
 * in functions.sql, so each operation stays one round trip. */
#include "ppm-pg.h"

#define USER_SELECT "SELECT " PPM_PG_USER_COLUMNS " FROM users u "

/* A user's sessions' counterparty and standing charges, for history pages. */
#define COUNTERPARTY(user) "CASE WHEN s.member_id = " user " THEN s.model_id ELSE s.member_id END"

const char *const ppm_pg_statements[PPM_PG_N_STATEMENTS] = {
  [PPM_PG_USER_BY_EMAIL] = USER_SELECT "WHERE u.email = $1",
  [PPM_PG_USER_BY_ID] = USER_SELECT "WHERE u.id = $1",
  [PPM_PG_CREATE_USER] = "SELECT ppm_create_user($1, $2, $3, $4, $5)",
  [PPM_PG_USER_UPDATE] = "SELECT ppm_user_update($1, $2, $3, $4)",
  [PPM_PG_LOGIN_ATTEMPT] = "SELECT ppm_login_attempt($1, $2, $3)",
  [PPM_PG_LOGIN_FORGET] = "DELETE FROM login_failures WHERE email = $1 AND address = $2",
  [PPM_PG_TOKENS_ISSUE] = "INSERT INTO tokens (user_id, access_hash, refresh_hash, "
                          "access_expires_ms, refresh_expires_ms) "
                          "VALUES ($1, $2, $3, $4::bigint + 3600 * 1000, "
                          "$4::bigint + 30 * 86400 * 1000::bigint)",
  [PPM_PG_TOKENS_REFRESH] = USER_SELECT "JOIN ppm_tokens_refresh($1, $2, $3, $4) AS r (id) "
                                        "ON r.id = u.id",
  [PPM_PG_TOKENS_AUTH] = USER_SELECT "WHERE u.id = ppm_token_user($1, $2)",
  [PPM_PG_TOKENS_REVOKE_PAIR] = "UPDATE tokens SET revoked = 1 WHERE access_hash = $1 "
                                "RETURNING id",
  [PPM_PG_ACCOUNT_GET] = "SELECT " PPM_PG_USER_COLUMNS ", w.balance_minor, ppm_available(u.id), "
                         "u.max_rate_minor, u.rate_minor, "
                         "(SELECT json_agg(json_build_array(h.protocol, h.handle) "
                         "ORDER BY h.protocol, h.handle) FROM handles h WHERE h.user_id = u.id) "
                         "FROM users u JOIN wallets w ON w.user_id = u.id WHERE u.id = $1",
  [PPM_PG_SET_RATE] = "UPDATE users SET rate_minor = $2 WHERE id = $1 RETURNING id",
  [PPM_PG_SET_MAX_RATE] = "UPDATE users SET max_rate_minor = $2 WHERE id = $1 RETURNING id",
  [PPM_PG_HANDLE_LINK] = "SELECT ppm_handle_link($1, $2, $3)",
  [PPM_PG_HANDLE_UNLINK] = "DELETE FROM handles WHERE user_id = $1 AND protocol = $2 "
                           "AND handle = $3 RETURNING user_id",
  [PPM_PG_LOOKUP] = "SELECT status, display_name, minutes, billing_allowed "
                    "FROM ppm_lookup($1, $2, $3, $4, $5)",
  [PPM_PG_OPEN_COUNT] = "SELECT ppm_open_count($1, $2, $3, $4, $5, $6)",
  [PPM_PG_ALLOW_LIST_ONLY] = "SELECT allowed_models_only FROM users WHERE id = $1",
  [PPM_PG_ALLOW_LIST_ALLOWED] = "SELECT u.id, u.display_name, NULL, NULL FROM allowed_models a "
                                "JOIN users u ON u.id = a.model_id WHERE a.member_id = $1 "
                                "ORDER BY u.display_name, u.id",
  [PPM_PG_ALLOW_LIST_SUGGESTED]
  = "SELECT u.id, u.display_name, s.protocol, s.model_handle "
    "FROM (SELECT model_id, max(id) AS latest FROM sessions WHERE member_id = $1 "
    "GROUP BY model_id) m "
    "JOIN sessions s ON s.id = m.latest JOIN users u ON u.id = m.model_id "
    "WHERE NOT EXISTS (SELECT 1 FROM allowed_models a "
    "WHERE a.member_id = $1 AND a.model_id = m.model_id) "
    "ORDER BY m.latest DESC LIMIT $2",
  [PPM_PG_ALLOW_LIST_SET_ONLY] = "UPDATE users SET allowed_models_only = $2 WHERE id = $1",
  [PPM_PG_ALLOW_LIST_ADD] = "WITH m AS (SELECT id FROM users WHERE role = 'model' AND "
                            "id = CASE WHEN $2 > 0 THEN $2 ELSE (SELECT user_id FROM handles "
                            "WHERE protocol = $3 AND handle = $4) END), "
                            "added AS (INSERT INTO allowed_models (member_id, model_id) "
                            "SELECT $1, id FROM m ON CONFLICT DO NOTHING) "
                            "SELECT id FROM m",
  [PPM_PG_ALLOW_LIST_REMOVE] = "DELETE FROM allowed_models WHERE member_id = $1 "
                               "AND model_id = $2 RETURNING model_id",
  [PPM_PG_OPEN] = "SELECT replay_body, rate, member_name, secured, offset_ms FROM "
                  "ppm_open($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
  [PPM_PG_OPEN_BODY] = "UPDATE sessions SET open_body = $2 WHERE public_id = $1",
  [PPM_PG_CHARGE_BATCH] = "SELECT body, replayed, error, words, retry_after FROM "
                          "ppm_charge_batch($1, $2, $3, $4, $5)",
  [PPM_PG_CLOSE] = "SELECT body, replayed, error FROM ppm_close($1, $2, $3, $4, $5, $6, $7)",
  [PPM_PG_TICK] = "SELECT ppm_tick($1)",
  [PPM_PG_RESUME] = "SELECT ppm_resume($1)",
  [PPM_PG_SESSION_RATE] = "SELECT ppm_session_rate($1, $2, $3, $4, $5)",
  [PPM_PG_APP_RATE] = "SELECT ppm_app_rate($1, $2, $3, $4, $5)",
  [PPM_PG_SESSIONS_PAGE]
  = "SELECT s.id, s.public_id, s.t0_ms, s.ended_ms, s.reason, cp.display_name, "
    "(SELECT count(*) FROM charges c WHERE c.session_id = s.id AND c.reversal_id IS NULL), "
    "(SELECT coalesce(sum(c.amount_minor), 0) FROM charges c "
    "WHERE c.session_id = s.id AND c.reversal_id IS NULL) "
    "FROM sessions s JOIN users cp ON cp.id = " COUNTERPARTY(
        "$1") " "
              "WHERE (s.member_id = $1 OR s.model_id = $1) AND ($2 = 0 OR s.id < $2) "
              "ORDER BY s.id DESC LIMIT $3",
  [PPM_PG_TRANSACTIONS_PAGE]
  = "SELECT e.id, t.time_ms, t.kind, e.amount_minor, e.balance_after_minor, s.public_id, "
    "cp.display_name "
    "FROM entries e JOIN transactions t ON t.id = e.transaction_id "
    "LEFT JOIN sessions s ON s.id = t.session_id "
    "LEFT JOIN users cp ON cp.id = " COUNTERPARTY(
        "$1") " "
              "WHERE e.wallet_id = ppm_wallet_of($1) AND ($2 = 0 OR e.id < $2) "
              "ORDER BY e.id DESC LIMIT $3",
  [PPM_PG_MOVE_FUNDS] = "SELECT ppm_move_funds($1, $2, $3, $4, $5)",
  [PPM_PG_REFUND] = "SELECT refunded, stood_charges, stood_minor FROM ppm_refund($1, $2)",
  [PPM_PG_VERIFY] = "SELECT ppm_verify()",
};
