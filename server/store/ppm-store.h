/* The platform's storage: one table of high-level operations per database
 * engine.  Each operation is atomic inside the engine (one database
 * transaction) and returns only once that transaction is durable.  Every
 * operation may be called from any thread, concurrently.
 *
 * Engines: "sqlite:PATH" (ppm_store_sqlite_open(), server/store/sqlite/) and "postgresql://..." /
 * "postgres://..." (ppm_store_pg_open(), server/store/pg/).  Both must behave
 * exactly as documented here: the same checks in the same order with the same
 * error codes.  tests/server runs against both.
 *
 * Callers (routes, web pages, ppm-admin) call ppm_store_*() (the end of this
 * file; ppm-store-calls.c), one per operation, never store->ops: a wrapper makes the checks
 * that need no transaction once for every engine, then calls the engine's
 * operation.  Checks that must see the data inside the operation's
 * transaction (roles of stored users, expiry, limits) stay in the engines.
 *
 * Conventions for every operation:
 * - Times are milliseconds since the Unix epoch.  `now_ms` is the platform
 *   time of the request (CLOCK_REALTIME); an engine whose clock is the
 *   database's (PostgreSQL's clock_timestamp()) may use its own instead.
 * - Amounts are int64 minor units of the store's currency; callers have
 *   checked ranges (ppm-amount.h) before the call, engines check the
 *   results of their own arithmetic (ppm_int64_*_checked()); the fee is
 *   ppm_money_fee()'s (core/money), which cannot overflow.
 * - Failures a client can act on are GErrors in PPM_STORE_ERROR (see
 *   PpmStoreError: each code maps to one status and code (docs/api-errors.md) through
 *   ppm_store_error_status() / ppm_store_error_code()).  Anything else
 *   (I/O, a database fault) is PPM_STORE_ERROR_INTERNAL.  On any error
 *   nothing was changed, except where an operation says otherwise.
 * - Handles and their protocols arrive normalized (ppm_handle_normalize()),
 *   emails too (ppm_email_normalize()); engines store and compare them as
 *   given.
 * - Every operation that reads or changes sessions first closes the open
 *   sessions whose deadline passed, as sessions_tick() does (reason
 *   "expired", settled, hold released), so that available funds never count
 *   them.
 * - Charge k of a session pays for the interval [t0 + offset_ms − 1000 +
 *   k·period, + period) and is due at t0 + offset_ms + k·period, offset_ms
 *   being the session's (1000 + its shift, see session_open).  A session the
 *   platform ends (superseded, expired) is "settled at" an instant T: every
 *   charge due later than max(T, the time of its last charge) is reversed as
 *   close reverses it (docs/billing-rules.md, "Money moves no faster than time").
 * - Users are identified by int64 ids; sessions by their public id, a
 *   string of 32 lowercase hex characters (ppm_token_new_id()).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PPM_STORE_ERROR (ppm_store_error_quark())
GQuark ppm_store_error_quark(void);

typedef enum
{
  PPM_STORE_ERROR_INTERNAL,             /* 500 internal */
  PPM_STORE_ERROR_BAD_REQUEST,          /* 400 bad_request */
  PPM_STORE_ERROR_UNAUTHORIZED,         /* 401 unauthorized */
  PPM_STORE_ERROR_INSUFFICIENT_FUNDS,   /* 402 insufficient_funds */
  PPM_STORE_ERROR_FORBIDDEN,            /* 403 forbidden */
  PPM_STORE_ERROR_RATE_NOT_ACCEPTED,    /* 403 rate_not_accepted */
  PPM_STORE_ERROR_MODEL_NOT_ALLOWED,    /* 403 model_not_allowed (the member's allow-list) */
  PPM_STORE_ERROR_NOT_FOUND,            /* 404 not_found */
  PPM_STORE_ERROR_SESSION_CLOSED,       /* 409 session_closed */
  PPM_STORE_ERROR_IDEMPOTENCY_MISMATCH, /* 409 idempotency_mismatch */
  PPM_STORE_ERROR_HANDLE_TAKEN,         /* 409 handle_taken */
  PPM_STORE_ERROR_TOO_MANY_SESSIONS,    /* 409 too_many_sessions */
  PPM_STORE_ERROR_ALREADY_RATED,        /* 409 already_rated */
  PPM_STORE_ERROR_EMAIL_TAKEN,          /* 409 email_taken (sign-up, create-user) */
  PPM_STORE_ERROR_SESSION_EXPIRED,      /* 410 session_expired */
  PPM_STORE_ERROR_INVALID,              /* 422 invalid */
  PPM_STORE_ERROR_SEQ_GAP,              /* 422 seq_gap */
  PPM_STORE_ERROR_TOO_EARLY,            /* 425 too_early: see retry_after_s */
  PPM_STORE_ERROR_RATE_LIMITED,         /* 429 rate_limited: see retry_after_s */
  PPM_STORE_ERROR_BUSY,                 /* 503 busy: see retry_after_s */
} PpmStoreError;

guint ppm_store_error_status(const GError *error);
const char *ppm_store_error_code(const GError *error);

typedef enum
{
  PPM_ROLE_MEMBER,
  PPM_ROLE_MODEL,
} PpmRole;

const char *ppm_role_to_string(PpmRole role);
gboolean ppm_role_from_string(const char *text, PpmRole *role);

/* The deployment's billing settings (ppm-server flags), fixed on a session
 * when it opens. */
typedef struct
{
  int period_seconds;       /* 1..3600 */
  int fee_bps;              /* 0..10000 */
  int hold_periods;         /* 1..60 */
  gint64 max_rate_minor;    /* the platform's cap on a model's rate */
  int max_backdate_seconds; /* 60..86400 */
  const char *public_url;   /* rate_url = public_url + "/account/sessions/ID/rate" */
} PpmBillingConfig;

/* The offset (docs/billing-rules.md#timeline): a charge falls due this long after its interval
 * starts.  A session's offset_ms is this plus its shift. */
#define PPM_OFFSET_MS 1000
/* A member's max_rate when never set: 10.00 in a two-digit currency, i.e.
 * 10 · 10^digits minor units (ppm_store_default_max_rate()). */
#define PPM_DEFAULT_MAX_RATE_UNITS 10
#define PPM_LOOKUPS_PER_MINUTE 30
/* The most periods an answer to a model shows: a lookup's
 * minutes_affordable, a charge's member_balance_periods. */
#define PPM_STORE_LOOKUP_MAX_MINUTES 60
/* A handle a model looked up this recently opens without counting again. */
#define PPM_STORE_LOOKUP_REMEMBER_SECONDS 600
#define PPM_MAX_OPEN_SESSIONS 3
#define PPM_MAX_HANDLES 10
#define PPM_ACCESS_TOKEN_SECONDS 3600
#define PPM_REFRESH_TOKEN_SECONDS (30 * 86400)
#define PPM_REFRESH_GRACE_SECONDS 60
#define PPM_LOGIN_MAX_FAILURES 10
#define PPM_LOGIN_WINDOW_SECONDS (15 * 60)

typedef struct
{
  gint64 id;
  char *email;
  PpmRole role;
  char *display_name;
  char *password_hash; /* argon2id string (crypto_pwhash_str) */
  gboolean disabled;
} PpmStoreUser;

void ppm_store_user_free(PpmStoreUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStoreUser, ppm_store_user_free)

typedef struct
{
  char *protocol;
  char *handle;
} PpmStoreHandle;

void ppm_store_handle_free(PpmStoreHandle *handle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStoreHandle, ppm_store_handle_free)

/* A user's email (protocol NULL) or one of its handles, as stored. */
typedef struct
{
  gint64 user_id;
  char *protocol;
  char *name;
} PpmStoreIdentity;

void ppm_store_identity_free(PpmStoreIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStoreIdentity, ppm_store_identity_free)

/* A stored identity and its new spelling: same user, and for a handle maybe
 * another protocol id; `to` NULL unlinks the handle `from`. */
typedef struct
{
  const PpmStoreIdentity *from;
  const PpmStoreIdentity *to;
} PpmStoreIdentityChange;

/* Everything GET /v1/me shows. */
typedef struct
{
  PpmStoreUser *user;
  gint64 balance_minor;   /* member: balance; model: earnings */
  gint64 available_minor; /* member: balance − holds of open sessions */
  gint64 max_rate_minor;  /* member: its cap (default applied) */
  gint64 rate_minor;      /* model: 0 when not set */
  GPtrArray *handles;     /* of PpmStoreHandle, ordered by protocol, handle */
} PpmStoreAccount;

void ppm_store_account_free(PpmStoreAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStoreAccount, ppm_store_account_free)

typedef enum
{
  PPM_STORE_LOOKUP_NOT_MEMBER,
  PPM_STORE_LOOKUP_UNFUNDED,
  PPM_STORE_LOOKUP_FUNDED,
} PpmStoreLookupStatus;

typedef struct
{
  PpmStoreLookupStatus status;
  char *display_name;        /* NULL for not_member */
  gint64 minutes_affordable; /* funded only */
  gboolean billing_allowed;  /* members: FALSE when the member's allow-list leaves the model out */
} PpmStoreLookup;

void ppm_store_lookup_free(PpmStoreLookup *lookup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStoreLookup, ppm_store_lookup_free)

/* A model as a member's allow-list shows it. */
typedef struct
{
  gint64 id;
  char *display_name;
  char *protocol; /* suggestions: the model's handle in the member's latest session with it */
  char *handle;
} PpmStoreAllowedModel;

/* Who may bill a member (docs/billing-rules.md#allow-list). */
typedef struct
{
  gboolean only;        /* only the allowed models may open sessions (off by default) */
  GPtrArray *allowed;   /* of PpmStoreAllowedModel (no handle), by display name */
  GPtrArray *suggested; /* of PpmStoreAllowedModel: models of the member's sessions not allowed
                         * yet, latest session first, at most PPM_ALLOWED_SUGGESTIONS */
} PpmStoreAllowList;

#define PPM_ALLOWED_SUGGESTIONS 10

/* Empty lists, switch off (engines fill it in). */
void ppm_allow_list_init(PpmStoreAllowList *list);
void ppm_allow_list_clear(PpmStoreAllowList *list);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpmStoreAllowList, ppm_allow_list_clear)

typedef struct
{
  const char *client_session_id;
  const char *protocol;
  const char *model_handle;  /* normalized */
  const char *member_handle; /* normalized */
  gint64 elapsed_ms;         /* >= 0 */
} PpmStoreOpenParams;

/* The answer of an open, charge or close: the JSON body text and whether it
 * is a replay of the stored first answer. */
typedef struct
{
  char *body;
  gboolean replayed;
} PpmStoredAnswer;

void ppm_stored_answer_clear(PpmStoredAnswer *answer);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpmStoredAnswer, ppm_stored_answer_clear)

typedef struct
{
  char *session_id;
  gint64 started_ms;  /* the estimated t0 */
  gint64 ended_ms;    /* 0 while open */
  char *reason;       /* NULL while open */
  char *counterparty; /* the other user's display name */
  gint64 periods_charged;
  gint64 total_minor;
} PpmStoreSessionItem;

typedef struct
{
  gint64 id; /* the history entry's id (newest has the highest) */
  gint64 time_ms;
  const char *kind;    /* static: deposit, charge, refund, earning, payout */
  gint64 amount_minor; /* signed, as seen by this user */
  gint64 balance_after_minor;
  char *session_id;   /* may be NULL */
  char *counterparty; /* may be NULL */
} PpmStoreTransactionItem;

typedef struct
{
  GPtrArray *items;   /* PpmStoreSessionItem or PpmStoreTransactionItem, newest first */
  gint64 next_before; /* 0 when there is no further page */
} PpmStorePage;

void ppm_page_clear(PpmStorePage *page);

/* What refund_session did. */
typedef struct
{
  gint64 refunded_minor; /* returned to the member by this refund */
  gint64 stood_charges;  /* charges still standing after it */
  gint64 stood_minor;    /* their sum */
} PpmStoreRefund;

/* What an asynchronous charge gives its callback; owned by the engine, valid
 * during the callback only. */
typedef struct
{
  PpmStoredAnswer answer;
  gint64 retry_after_s;
  GError *error; /* NULL when the charge succeeded */
} PpmStoreChargeResult;

typedef void (*PpmStoreChargeDone)(const PpmStoreChargeResult *result, gpointer user_data);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PpmStorePage, ppm_page_clear)

/* One row of a table for `ppm-admin copy`: the values of the columns named by
 * ppm_store_tables[] (ppm-store-schema.h), as text (integers in decimal), NULL
 * for SQL NULL. */
typedef gboolean (*PpmStoreRowFunc)(const char *table, const char *const *values,
                                    gpointer user_data, GError **error);

typedef struct _PpmStore PpmStore;

typedef struct
{
  void (*close)(PpmStore *store);

  /* --- Users (ppm-admin, sign-up) --- */

  /* Creates a user.  Email already used (as given: normalized) → EMAIL_TAKEN.
   * A member gets a wallet at 0 and max_rate unset (default applies); a model
   * a wallet at 0 and no rate. */
  gboolean (*create_user)(PpmStore *store, const char *email, PpmRole role,
                          const char *display_name, const char *password_hash, gint64 *user_id,
                          GError **error);
  /* Looks a user up by (normalized) email or by id.  NOT_FOUND. */
  PpmStoreUser *(*get_user_by_email)(PpmStore *store, const char *email, GError **error);
  PpmStoreUser *(*get_user_by_id)(PpmStore *store, gint64 user_id, GError **error);
  /* Sets the password hash of user `user_id`; revokes every token of the user
   * except the pair whose access token hash is `keep_access_hash` (may be
   * NULL).  NOT_FOUND. */
  gboolean (*set_password)(PpmStore *store, gint64 user_id, const char *password_hash,
                           const char *keep_access_hash, GError **error);
  /* Disables the user and revokes all its tokens.  NOT_FOUND. */
  gboolean (*disable_user)(PpmStore *store, gint64 user_id, GError **error);
  /* Revokes every token of the user.  NOT_FOUND. */
  gboolean (*revoke_tokens)(PpmStore *store, gint64 user_id, GError **error);

  /* --- Login throttling (per normalized email and client address) --- */

  /* Before a password is checked: counts the attempt as a failure in the
   * same atomic step as the check, so that concurrent guesses are counted
   * one after the other.  RATE_LIMITED (with *retry_after_s, and nothing
   * recorded) when PPM_LOGIN_MAX_FAILURES failures were recorded within the
   * PPM_LOGIN_WINDOW_SECONDS before now; the retry is when the oldest of them
   * leaves the window (at least 1 s). */
  gboolean (*login_attempt)(PpmStore *store, const char *email, const char *address, gint64 now_ms,
                            gint64 *retry_after_s, GError **error);
  /* After a right password: forgets every failure of the pair, the
   * attempt's own included. */
  gboolean (*login_forget)(PpmStore *store, const char *email, const char *address, GError **error);

  /* --- Tokens (only BLAKE2b hashes, ppm_token_hash()) --- */

  /* Stores a new pair for the user: access valid until now + 1 h, refresh
   * until now + 30 d. */
  gboolean (*tokens_issue)(PpmStore *store, gint64 user_id, const char *access_hash,
                           const char *refresh_hash, gint64 now_ms, GError **error);
  /* Rotates: the refresh token `old_refresh_hash` must exist, not be revoked,
   * not be expired, belong to an enabled user, and either never have been
   * rotated or have been rotated less than PPM_REFRESH_GRACE_SECONDS ago;
   * else UNAUTHORIZED.  Marks it rotated (keeping the first rotation time),
   * stores the new pair, returns the user. */
  PpmStoreUser *(*tokens_refresh)(PpmStore *store, const char *old_refresh_hash,
                                  const char *access_hash, const char *refresh_hash, gint64 now_ms,
                                  GError **error);
  /* The user of a valid access token (exists, not revoked, not expired, user
   * enabled); else UNAUTHORIZED. */
  PpmStoreUser *(*tokens_authenticate)(PpmStore *store, const char *access_hash, gint64 now_ms,
                                       GError **error);
  /* Revokes the pair the access token belongs to (the access token and the
   * refresh token issued with it).  UNAUTHORIZED if unknown. */
  gboolean (*tokens_revoke_pair)(PpmStore *store, const char *access_hash, GError **error);

  /* --- Accounts --- */

  /* NOT_FOUND. */
  PpmStoreAccount *(*account_get)(PpmStore *store, gint64 user_id, GError **error);
  /* A model's rate / a member's cap; the caller checked role and range. */
  gboolean (*set_rate)(PpmStore *store, gint64 user_id, gint64 rate_minor, GError **error);
  gboolean (*set_max_rate)(PpmStore *store, gint64 user_id, gint64 max_rate_minor, GError **error);
  /* Links (protocol, handle) to the user: already linked to it → no change;
   * linked to another user → HANDLE_TAKEN; the user has PPM_MAX_HANDLES
   * handles → INVALID.  Links of one user are serialized, so concurrent ones
   * never pass the limit together. */
  gboolean (*handle_link)(PpmStore *store, gint64 user_id, const char *protocol, const char *handle,
                          GError **error);
  /* Unlinks; NOT_FOUND unless linked to this user. */
  gboolean (*handle_unlink)(PpmStore *store, gint64 user_id, const char *protocol,
                            const char *handle, GError **error);

  /* --- Lookup (a model about to answer) --- */

  /* First the limit: PPM_LOOKUPS_PER_MINUTE lookups of this model in the last
   * 60 s → RATE_LIMITED, retry when the oldest leaves the window (≥ 1 s); a
   * refused lookup is not counted.  The lookup is recorded with its
   * (protocol, handle) (see session_open_count).  Then: handle not linked to
   * an enabled member → not_member.  rate = the model's rate, or one unit
   * (1.00) if unset; price = max(rate, one unit).  funded when available ≥
   * rate, then minutes_affordable = clamp(available / price, 1, 60); else
   * unfunded.  billing_allowed: FALSE when the member allows only the models
   * on its list and this model is not on it. */
  PpmStoreLookup *(*lookup)(PpmStore *store, gint64 model_id, const char *protocol,
                            const char *handle, gint64 now_ms, gint64 *retry_after_s,
                            GError **error);
  /* An open counts as a lookup of its member_handle, so that opens cannot
   * probe who is a member (docs/billing-rules.md#guards).  Called before session_open,
   * in a transaction of its own, so that the count stays when the open is
   * then refused.  Nothing is counted (TRUE) when: an open by this model with
   * this client_session_id exists (session_open replays or refuses it);
   * (protocol, model_handle) is not linked to this model (session_open
   * refuses it); this model looked (protocol, member_handle) up, or an open
   * of it counted, in the last PPM_STORE_LOOKUP_REMEMBER_SECONDS.  Otherwise it is
   * a lookup as to the limit (RATE_LIMITED with *retry_after_s, member or
   * not) and is recorded as one. */
  gboolean (*session_open_count)(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                                 gint64 now_ms, gint64 *retry_after_s, GError **error);

  /* --- Allow-list (a member chooses who may bill it) --- */

  /* The member's switch, list and suggestions; the caller checked the role. */
  gboolean (*allow_list_get)(PpmStore *store, gint64 member_id, PpmStoreAllowList *list,
                             GError **error);
  gboolean (*allow_list_set_only)(PpmStore *store, gint64 member_id, gboolean only, GError **error);
  /* Adds the user `model_id` (by email: get_user_by_email), or when it is 0
   * the user whose linked handle is (protocol, handle); already on the list
   * → no change.  No such user, or not a model → NOT_FOUND, the same answer
   * for both. */
  gboolean (*allow_list_add)(PpmStore *store, gint64 member_id, gint64 model_id,
                             const char *protocol, const char *handle, GError **error);
  /* NOT_FOUND unless the model is on the member's list. */
  gboolean (*allow_list_remove)(PpmStore *store, gint64 member_id, gint64 model_id, GError **error);

  /* --- Sessions (docs/billing-rules.md: Guards, Holds, Idempotency, Ending) --- */

  /* Checks, in this order:
   * 1. an open by this model with this client_session_id exists: protocol,
   *    model_handle and member_handle equal → its stored answer, replayed;
   *    else IDEMPOTENCY_MISMATCH;
   * 2. (protocol, model_handle) linked to this model, else FORBIDDEN;
   *    (the route has counted the open as a lookup by now:
   *    session_open_count);
   * 3. (protocol, member_handle) linked to an enabled member, else NOT_FOUND;
   *    the member allows only the models on its list and this model is not
   *    on it → MODEL_NOT_ALLOWED;
   * 4. the model has a rate, rate ≤ the member's max_rate (default 10.00) and
   *    ≤ config->max_rate_minor, else RATE_NOT_ACCEPTED;
   * 5. the pair's open session, if any, is locked, then the platform's
   *    instant T is read (on PostgreSQL the database's clock; on SQLite the
   *    writer's, at the start of the job) and that session is settled at T
   *    and closed with reason "superseded", ended at T, its hold released;
   * 6. the member has PPM_MAX_OPEN_SESSIONS open sessions → TOO_MANY_SESSIONS;
   * 7. n = min(hold_periods, available / rate); n < 1 → INSUFFICIENT_FUNDS.
   * A failure at any step leaves everything as it was (also step 5).
   * Then the session opens with rate, period, offset, fee_bps, hold_periods
   * fixed; t0 = T − min(elapsed_ms, max_backdate_seconds·1000); offset_ms =
   * PPM_OFFSET_MS + shift, shift = max(0, paid_up_to − t0), paid_up_to the
   * end of the interval of the pair's latest standing charge (over its
   * sessions that ended in the last two hours: older ones cannot reach past
   * t0); hold = n·rate; its expiry timeout = max(max_backdate_s, 2·period_s
   * + 60) s after the last successful request.  The 201 body
   * (ppm_answer_open(), with that offset_ms) is stored for replay. */
  gboolean (*session_open)(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                           const PpmBillingConfig *config, gint64 now_ms, PpmStoredAnswer *answer,
                           GError **error);
  /* Charge `seq`.  Checks, in this order:
   * 0. the access token hash must be a valid model's, as tokens_authenticate
   *    checks, else UNAUTHORIZED, or FORBIDDEN "for models only";
   * 1. session unknown or of another model → NOT_FOUND;
   * 2. a charge (session, seq) is recorded → its stored answer, replayed;
   * 3. session closed → SESSION_CLOSED, unless it expired (reason "expired",
   *    or open with its deadline passed: it is then expired with its hold
   *    released, and that change stays although the request fails) →
   *    SESSION_EXPIRED;
   * 4. seq > next seq (= number of charges) → SEQ_GAP;
   * 5. now < the start of charge seq's interval (t0 + offset_ms − 1000 +
   *    seq·period) − tol, tol = min(max(5000, seq·period/200), period/2) ms
   *    → TOO_EARLY, retry_after_s = ceil(difference / 1000), at least 1;
   * 6. amount = rate, taken first from the session's hold and the rest from
   *    the member's available funds; not enough → INSUFFICIENT_FUNDS.
   * Then, atomically: member balance −rate by one conditional update
   * (balance ≥ rate); model +(rate − fee); platform:fees +fee, fee =
   * ppm_money_fee(rate, fee_bps); the hold is topped up from available
   * funds to at most hold_periods·rate, in whole periods; the session's
   * deadline restarts.  Answer (the bytes of ppm_answer_charge()): seq, charged = rate,
   * total = sum of the session's charges, secured_periods = hold / rate,
   * member_balance_periods = min((available + this session's hold) / rate
   * after the charge, PPM_STORE_LOOKUP_MAX_MINUTES): 0 exactly when the next
   * period cannot be paid, and never the exact balance.  Stored for replay.  `elapsed_ms` is
   * informational. Returns at once: `done` is called from a thread of the engine once the
   * transaction is durable (or failed), so that no caller's thread waits for
   * a commit or a round trip to the database. */
  void (*session_charge_submit)(PpmStore *store, const char *access_hash, const char *session_id,
                                gint64 seq, gint64 elapsed_ms, gint64 now_ms,
                                PpmStoreChargeDone done, gpointer user_data);
  /* Close (rate_url from ppm_store_session_close()).  1. unknown / another
   * model's → NOT_FOUND; 2. closed by an earlier close → its stored answer,
   * replayed; 3. closed as superseded → SESSION_CLOSED; expired (as in
   * charge) → SESSION_EXPIRED.  now is read once the session is locked.  Then: unless reason is
   * "client_restart", every charge whose due time after t0 (the session's offset_ms + seq·period
   * ms) is later than elapsed_ms is reversed (member +amount, model −(amount − fee), platform:fees
   * −fee, the model's debit conditional: a charge whose reversal would take the model below zero
   * stays).  The hold is released.  Answer (the bytes of ppm_answer_close()): periods_charged and
   * total of the charges that stand, reversed, duration_ms = elapsed_ms, rate_url.  Stored for
   * replay. */
  gboolean (*session_close)(PpmStore *store, gint64 model_id, const char *session_id,
                            const char *reason, gint64 elapsed_ms, const char *rate_url,
                            gint64 now_ms, PpmStoredAnswer *answer, GError **error);
  /* Expires every open session whose deadline passed (settled at now, hold
   * released, reason "expired", ended at its deadline) and records now as the
   * last time the platform was alive. */
  gboolean (*sessions_tick)(PpmStore *store, gint64 now_ms, GError **error);
  /* At start: moves the deadline of every open session later by
   * now − (the last recorded alive time), the downtime. */
  gboolean (*sessions_resume)(PpmStore *store, gint64 now_ms, GError **error);

  /* --- Ratings --- */

  /* The user must be the session's member or model, else NOT_FOUND; no
   * standing charge (none was taken, or every one was reversed) → INVALID:
   * an unpaid call has no show to rate; rated by this user before →
   * ALREADY_RATED.  stars and comment checked by caller. */
  gboolean (*session_rate)(PpmStore *store, gint64 user_id, const char *session_id, int stars,
                           const char *comment, gint64 now_ms, GError **error);
  /* session_id may be NULL; if given it must be one of the user's sessions,
   * else INVALID. */
  gboolean (*app_rate)(PpmStore *store, gint64 user_id, int stars, const char *comment,
                       const char *session_id, gint64 now_ms, GError **error);

  /* --- History (newest first; `before` 0 = from the newest; an item is
   * listed when its id < before; next_before = the last item's id when more
   * exist) --- */

  /* Sessions where the user is the member or the model; ids are internal
   * row ids. */
  gboolean (*sessions_page)(PpmStore *store, gint64 user_id, gint64 before, int limit,
                            PpmStorePage *page, GError **error);
  /* The user's wallet entries, kinds as docs/billing-rules.md#history-kinds says: a member's charge
   * is "charge" (negative), a model's "earning"; reversals are "refund". */
  gboolean (*transactions_page)(PpmStore *store, gint64 user_id, gint64 before, int limit,
                                PpmStorePage *page, GError **error);

  /* --- Identities (ppm_store_open(): stored spellings made normal) --- */

  /* Every user's email and every linked handle, as stored, appended to
   * `identities` (of PpmStoreIdentity). */
  gboolean (*identities_list)(PpmStore *store, GPtrArray *identities, GError **error);
  /* Applies `changes` (of PpmStoreIdentityChange) in order, in one transaction.
   * A change whose `from` is no longer stored (another process applied it)
   * changes nothing. */
  gboolean (*identities_rewrite)(PpmStore *store, GArray *changes, GError **error);

  /* --- Admin --- */

  /* Deposit to a member (ppm_store_fund() checked the amount): member
   * +amount, platform:funding −amount; the resulting balance must stay ≤
   * 10^15 else INVALID.  NOT_FOUND / FORBIDDEN (not a member).  Returns the
   * new balance. */
  gboolean (*fund)(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
                   gint64 *balance_minor, GError **error);
  /* Payout from a model (ppm_store_payout() checked the amount): model −amount (conditional:
   * INSUFFICIENT_FUNDS), platform:funding +amount.  FORBIDDEN if not a model. */
  gboolean (*payout)(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
                     gint64 *balance_minor, GError **error);
  /* Reverses every charge of the session not reversed yet (as close does,
   * each on its own: one the model's earnings cannot pay back stays, the
   * others are reversed); NOT_FOUND.  Returns the amount returned to the
   * member and the charges that stood, their count and sum (0 when all were
   * reversed).  A later refund reverses what stood if it can then. */
  gboolean (*refund_session)(PpmStore *store, const char *session_id, gint64 now_ms,
                             PpmStoreRefund *refund, GError **error);
  /* Ledger invariants: every transaction's entries sum to zero, every
   * wallet's balance equals the sum of its entries, no user wallet below zero.
   * Returns TRUE and *problem NULL when all hold; TRUE with *problem set to a
   * one-line description otherwise. */
  gboolean (*verify)(PpmStore *store, char **problem, GError **error);
  /* A consistent copy into a new file (engines that have files; NULL
   * otherwise: ppm_store_backup() refuses). */
  gboolean (*backup)(PpmStore *store, const char *path, GError **error);
  /* The value stored under `key` in the meta table, storing `value` first
   * when there is none: processes racing on one database all get the one
   * stored.  For what every server of a database must agree on (the web
   * forms' key). */
  char *(*meta_claim)(PpmStore *store, const char *key, const char *value, GError **error);
  /* Every row of every table of ppm_store_tables, in that order. */
  gboolean (*export_rows)(PpmStore *store, PpmStoreRowFunc func, gpointer user_data,
                          GError **error);
  /* Copies every row ppm_store_export_rows(source) gives into this store, in
   * one transaction, keeping ids; this store must be empty (no users, no
   * ledger) else INVALID.  ppm_store_import_rows() checked the currencies. */
  gboolean (*import_rows)(PpmStore *store, PpmStore *source, GError **error);
} PpmStoreOps;

struct _PpmStore
{
  const PpmStoreOps *ops;
  char *currency; /* ISO 4217, fixed when the database was created */
  int digits;     /* its minor digits */
};

/* How opening treats the schema (in) and what it found (out).  The schema
 * is created or migrated under a lock every process on the database shares,
 * so that servers starting at once migrate it once.  A schema newer than
 * this program's is refused (INTERNAL), the database unchanged. */
typedef struct
{
  gboolean no_migrate; /* in: an older schema, or none, is refused, not migrated */
  int from;            /* out: the version found, 0 for none */
  int to;              /* out: the version after opening, this program's */
} PpmStoreMigration;

/* Opens (creating and migrating the schema) the database at `uri`:
 * "sqlite:PATH", a bare PATH, or "postgresql://" / "postgres://".  A new
 * database gets `currency`; an existing one keeps its own.  Then stored
 * emails and handles are normalized (ppm_store_normalize_identities()):
 * fails when two accounts would share one. */
PpmStore *ppm_store_open(const char *uri, const char *currency, GError **error);
/* ppm_store_open() as `migration` says.  Without `create`, a missing SQLite
 * file is NOT_FOUND (a PostgreSQL database always exists already: the
 * server creates databases; an empty one gets the schema).  With
 * no_migrate a missing SQLite file is not created either. */
PpmStore *ppm_store_open_migrating(const char *uri, const char *currency, gboolean create,
                                   PpmStoreMigration *migration, GError **error);
void ppm_store_free(PpmStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmStore, ppm_store_free)

/* Respells the stored emails and handles the way ppm_email_normalize() and
 * ppm_handle_normalize() do, in one transaction, writing nothing when all
 * are normal already.  When two users' emails, or one handle of two users,
 * become one, fails (INTERNAL) with one line listing each collision and its
 * user ids, and changes nothing: accounts are never merged.  Two spellings
 * of one handle of one user become one link.  Stored values that cannot be
 * normalized (an email or handle refused today) are left as they are, with
 * a warning. */
gboolean ppm_store_normalize_identities(PpmStore *store, GError **error);

/* PPM_DEFAULT_MAX_RATE_UNITS in the store's minor units. */
gint64 ppm_store_default_max_rate(const PpmStore *store);

/* FORBIDDEN "for models only" or "for members only" unless `user` has
 * `role`: the one place of that rule for the routes and the engines. */
gboolean ppm_user_require_role(const PpmStoreUser *user, PpmRole role, GError **error);

/* The model whose access token hash `access_hash` is, for
 * session_charge_submit: UNAUTHORIZED as tokens_authenticate, FORBIDDEN "for
 * models only" for a member. */
gboolean ppm_store_authenticate_model(PpmStore *store, const char *access_hash, gint64 now_ms,
                                      gint64 *model_id, GError **error);

/* Puts a model on the member's allow-list: the user of `email` when it is
 * not NULL, else the user linked to (protocol, handle), both as typed: they
 * are normalized here (INVALID when they cannot be).  Nobody, and somebody
 * who is not a model, are one NOT_FOUND with one message, so that the answer
 * never tells which emails exist. */
gboolean ppm_store_allow_model(PpmStore *store, gint64 member_id, const char *email,
                               const char *protocol, const char *handle, GError **error);

/* --- The calls: each runs the engine's operation of the same name
 * (PpmStoreOps above is their contract), after the checks named here. --- */

gboolean ppm_store_create_user(PpmStore *store, const char *email, PpmRole role,
                               const char *display_name, const char *password_hash, gint64 *user_id,
                               GError **error);
PpmStoreUser *ppm_store_get_user_by_email(PpmStore *store, const char *email, GError **error);
PpmStoreUser *ppm_store_get_user_by_id(PpmStore *store, gint64 user_id, GError **error);
gboolean ppm_store_set_password(PpmStore *store, gint64 user_id, const char *password_hash,
                                const char *keep_access_hash, GError **error);
gboolean ppm_store_disable_user(PpmStore *store, gint64 user_id, GError **error);
gboolean ppm_store_revoke_tokens(PpmStore *store, gint64 user_id, GError **error);

gboolean ppm_store_login_attempt(PpmStore *store, const char *email, const char *address,
                                 gint64 now_ms, gint64 *retry_after_s, GError **error);
gboolean ppm_store_login_forget(PpmStore *store, const char *email, const char *address,
                                GError **error);

gboolean ppm_store_tokens_issue(PpmStore *store, gint64 user_id, const char *access_hash,
                                const char *refresh_hash, gint64 now_ms, GError **error);
PpmStoreUser *ppm_store_tokens_refresh(PpmStore *store, const char *old_refresh_hash,
                                       const char *access_hash, const char *refresh_hash,
                                       gint64 now_ms, GError **error);
PpmStoreUser *ppm_store_tokens_authenticate(PpmStore *store, const char *access_hash, gint64 now_ms,
                                            GError **error);
gboolean ppm_store_tokens_revoke_pair(PpmStore *store, const char *access_hash, GError **error);

PpmStoreAccount *ppm_store_account_get(PpmStore *store, gint64 user_id, GError **error);
gboolean ppm_store_set_rate(PpmStore *store, gint64 user_id, gint64 rate_minor, GError **error);
gboolean ppm_store_set_max_rate(PpmStore *store, gint64 user_id, gint64 max_rate_minor,
                                GError **error);
gboolean ppm_store_handle_link(PpmStore *store, gint64 user_id, const char *protocol,
                               const char *handle, GError **error);
gboolean ppm_store_handle_unlink(PpmStore *store, gint64 user_id, const char *protocol,
                                 const char *handle, GError **error);

PpmStoreLookup *ppm_store_lookup(PpmStore *store, gint64 model_id, const char *protocol,
                                 const char *handle, gint64 now_ms, gint64 *retry_after_s,
                                 GError **error);
gboolean ppm_store_session_open_count(PpmStore *store, gint64 model_id,
                                      const PpmStoreOpenParams *params, gint64 now_ms,
                                      gint64 *retry_after_s, GError **error);

gboolean ppm_store_allow_list_get(PpmStore *store, gint64 member_id, PpmStoreAllowList *list,
                                  GError **error);
gboolean ppm_store_allow_list_set_only(PpmStore *store, gint64 member_id, gboolean only,
                                       GError **error);
/* allow_list_add: ppm_store_allow_model(). */
gboolean ppm_store_allow_list_remove(PpmStore *store, gint64 member_id, gint64 model_id,
                                     GError **error);

gboolean ppm_store_session_open(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                                const PpmBillingConfig *config, gint64 now_ms,
                                PpmStoredAnswer *answer, GError **error);
void ppm_store_session_charge_submit(PpmStore *store, const char *access_hash,
                                     const char *session_id, gint64 seq, gint64 elapsed_ms,
                                     gint64 now_ms, PpmStoreChargeDone done, gpointer user_data);
/* The answer's rate_url is config->public_url + "/account/sessions/ID/rate". */
gboolean ppm_store_session_close(PpmStore *store, gint64 model_id, const char *session_id,
                                 const char *reason, gint64 elapsed_ms,
                                 const PpmBillingConfig *config, gint64 now_ms,
                                 PpmStoredAnswer *answer, GError **error);
gboolean ppm_store_sessions_tick(PpmStore *store, gint64 now_ms, GError **error);
gboolean ppm_store_sessions_resume(PpmStore *store, gint64 now_ms, GError **error);

gboolean ppm_store_session_rate(PpmStore *store, gint64 user_id, const char *session_id, int stars,
                                const char *comment, gint64 now_ms, GError **error);
gboolean ppm_store_app_rate(PpmStore *store, gint64 user_id, int stars, const char *comment,
                            const char *session_id, gint64 now_ms, GError **error);

gboolean ppm_store_sessions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                                 PpmStorePage *page, GError **error);
gboolean ppm_store_transactions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                                     PpmStorePage *page, GError **error);

/* A deposit is 1..PPM_MAX_DEPOSIT_MINOR, else INVALID. */
gboolean ppm_store_fund(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
                        gint64 *balance_minor, GError **error);
/* A payout is 1..PPM_MAX_BALANCE_MINOR, else INVALID. */
gboolean ppm_store_payout(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
                          gint64 *balance_minor, GError **error);
gboolean ppm_store_refund_session(PpmStore *store, const char *session_id, gint64 now_ms,
                                  PpmStoreRefund *refund, GError **error);
gboolean ppm_store_verify(PpmStore *store, char **problem, GError **error);
/* INVALID when the engine has no file to copy. */
gboolean ppm_store_backup(PpmStore *store, const char *path, GError **error);
char *ppm_store_meta_claim(PpmStore *store, const char *key, const char *value, GError **error);
gboolean ppm_store_export_rows(PpmStore *store, PpmStoreRowFunc func, gpointer user_data,
                               GError **error);
/* INVALID when the two stores' currencies differ. */
gboolean ppm_store_import_rows(PpmStore *store, PpmStore *source, GError **error);

/* Engines. */
PpmStore *ppm_store_sqlite_open(const char *path, const char *currency,
                                PpmStoreMigration *migration, GError **error);
#ifdef PPM_WITH_POSTGRESQL
PpmStore *ppm_store_pg_open(const char *conninfo, const char *currency,
                            PpmStoreMigration *migration, GError **error);
#endif
/* For the engines, under their migration lock: records in `migration` that
 * the database is at version `found` and this program at `known`; FALSE
 * (INTERNAL) when the schema must not be touched: newer, or older with
 * no_migrate. */
gboolean ppm_store_migration_check(PpmStoreMigration *migration, int found, int known,
                                   GError **error);

G_END_DECLS
