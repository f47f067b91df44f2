/* The logical schema every engine keeps: the same tables and columns, so that
 * `ppm-admin copy` moves rows between engines as they are.
 *
 * meta          (key TEXT PK, value TEXT)  keys: currency, alive_ms, web-form-key
 * users         (id, email (normalized, unique), role ('member'|'model'),
 *                display_name, password_hash, disabled (0|1),
 *                rate_minor (NULL: not set), max_rate_minor (NULL: default),
 *                created_ms, allowed_models_only (0|1: only the models of
 *                allowed_models may bill this member))
 * wallets       (id, user_id (NULL for system wallets, unique), name (unique:
 *                'user:ID', 'platform:fees', 'platform:funding'), balance_minor)
 * handles       (protocol, handle (both normalized), user_id)
 *               PK (protocol, handle)
 * tokens        (id, user_id, access_hash (unique), refresh_hash (unique),
 *                access_expires_ms, refresh_expires_ms, rotated_ms (NULL),
 *                revoked (0|1))
 * login_failures(id, email, address, time_ms)
 * lookups       (id, model_id, time_ms, protocol, handle (NULL before
 *                schema 5))  the lookups and the opens that counted as one
 * allowed_models(member_id, model_id)  PK (member_id, model_id)
 * sessions      (id, public_id (unique), model_id, member_id, client_session_id,
 *                protocol, model_handle, member_handle, rate_minor,
 *                period_seconds, fee_bps, hold_periods, hold_minor, t0_ms,
 *                opened_ms, deadline_ms, timeout_ms, state ('open'|'closed'),
 *                reason (NULL while open), ended_ms (NULL), close_elapsed_ms
 *                (NULL), open_body, close_body (NULL), offset_ms (the open
 *                answer's: 1000 + shift; charge k's interval starts at t0 +
 *                offset_ms − 1000 + k·period))
 *                unique (model_id, client_session_id)
 * charges       (id, session_id (sessions.id), seq, amount_minor, fee_minor,
 *                time_ms, transaction_id, reversal_id (NULL: stands), body)
 *                unique (session_id, seq)
 * transactions  (id, time_ms, kind ('deposit'|'charge'|'reversal'|'payout'),
 *                session_id (sessions.id or NULL))
 * entries       (id, transaction_id, wallet_id, amount_minor,
 *                balance_after_minor)
 * ratings       (id, session_id (sessions.id), user_id, stars, comment (NULL),
 *                time_ms)  unique (session_id, user_id)
 * app_ratings   (id, user_id, session_id (sessions.id or NULL), stars,
 *                comment (NULL), time_ms)
 *
 * Every id is an int64 assigned in increasing order.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  const char *const *columns; /* NULL-terminated, in the order rows carry them */
} PpmStoreTable;

/* In an order that satisfies every reference; NULL-terminated by name. */
extern const PpmStoreTable ppm_store_tables[];

#define PPM_WALLET_FEES "platform:fees"
#define PPM_WALLET_FUNDING "platform:funding"

G_END_DECLS
