-- The store's operations that must be atomic and safe with several ppm-server
-- processes on one database.  Each is one function call, so one round trip.
-- Replaced at every start (CREATE OR REPLACE), under the migration lock.
--
-- Errors a client can act on are raised with SQLSTATE PP001, the message
-- being ppm-store.h's error code ("not_found", ...), the hint the words for
-- people (the same as the SQLite engine's) and the detail, when there is
-- one, the Retry-After seconds.  A raise rolls everything back.
--
-- Lock order, the same everywhere so that transactions cannot deadlock:
-- sessions row, then the member's wallet, then the model's, then system
-- wallets.  Releasing a hold takes no wallet lock: it only ever makes more
-- money available.

CREATE OR REPLACE FUNCTION ppm_fail(code text, words text, retry_after_s bigint DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'PP001', MESSAGE = code, HINT = words,
    DETAIL = coalesce(retry_after_s::text, '');
END $$;

-- Platform time: the database's clock, the same for every server process.
CREATE OR REPLACE FUNCTION ppm_clock_ms() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
$$;

-- STABLE as to_json() is: then it is inlined where it is called, not run
-- as a function of its own each time.
CREATE OR REPLACE FUNCTION ppm_money_json(amount bigint, currency text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT format('{"amount_minor":%s,"currency":%s}', amount, to_json(currency))
$$;

-- The platform's fee on a charge, the rule of ppm_money_fee() in core/money
-- (docs/billing-rules.md#fee): (amount · fee_bps + 5000) div 10000, in numeric
-- so that no product overflows.  tests/pg/test-pg-fees.c checks that both
-- give the same fee.  IMMUTABLE and not STRICT: inlined where it is called.
CREATE OR REPLACE FUNCTION ppm_money_fee(amount bigint, fee_bps integer)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT div(amount::numeric * fee_bps + 5000, 10000)::bigint
$$;

-- Adds `amount` to a wallet and writes the entry; the wallet's balance after.
-- `conditional`: refuse (NULL) rather than take the wallet below zero.
CREATE OR REPLACE FUNCTION ppm_post(tx bigint, wallet bigint, amount bigint,
                                    conditional boolean DEFAULT false)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  after bigint;
BEGIN
  UPDATE wallets SET balance_minor = balance_minor + amount
    WHERE id = wallet AND (NOT conditional OR balance_minor + amount >= 0)
    RETURNING balance_minor INTO after;
  IF after IS NOT NULL THEN
    INSERT INTO entries (transaction_id, wallet_id, amount_minor, balance_after_minor)
      VALUES (tx, wallet, amount, after);
  END IF;
  RETURN after;
END $$;

-- Posts a batch of charges' fees to platform:fees: the i-th fee belongs to
-- transaction p_txs[i].  Once per batch, as its last write: that row is
-- every charge's, so it is locked only from here to the commit, and each
-- fee entry still gets its balance after, in entry order.
CREATE OR REPLACE FUNCTION ppm_post_fees(p_txs bigint[], p_fees bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  wallet bigint;
  after bigint;
BEGIN
  IF coalesce(cardinality(p_txs), 0) = 0 THEN
    RETURN;
  END IF;
  UPDATE wallets SET balance_minor = balance_minor + (SELECT sum(f) FROM unnest(p_fees) f)
    WHERE name = 'platform:fees'
    RETURNING id, balance_minor INTO wallet, after;
  INSERT INTO entries (transaction_id, wallet_id, amount_minor, balance_after_minor)
    SELECT x.tx, wallet, x.fee, after - sum(x.fee) OVER () + sum(x.fee) OVER (ORDER BY x.n)
      FROM unnest(p_txs, p_fees) WITH ORDINALITY AS x (tx, fee, n)
      ORDER BY x.n;
END $$;

-- The small lookups below are plpgsql, not sql: a sql function that reads a
-- table is parsed and planned again at every call (it cannot be inlined),
-- while plpgsql keeps its plans for the connection's life.  On the charge
-- path that planning was a quarter of the database's work.

-- The user of a valid access token: it exists, is not revoked, has not
-- expired at `now_ms`, and its user is enabled.  Every token check on
-- PostgreSQL (PPM_PG_TOKENS_AUTH, ppm_charge_batch()) goes through here.
CREATE OR REPLACE FUNCTION ppm_token_user(access_hash text, now_ms bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT t.user_id FROM tokens t JOIN users u ON u.id = t.user_id
            WHERE t.access_hash = ppm_token_user.access_hash AND t.revoked = 0
              AND t.access_expires_ms > ppm_token_user.now_ms AND u.disabled = 0);
END $$;

CREATE OR REPLACE FUNCTION ppm_wallet_of(user_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT w.id FROM wallets w WHERE w.user_id = ppm_wallet_of.user_id);
END $$;

CREATE OR REPLACE FUNCTION ppm_system_wallet(wallet_name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT w.id FROM wallets w WHERE w.name = wallet_name);
END $$;

-- A member's money not held by open sessions.
CREATE OR REPLACE FUNCTION ppm_available(member bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT w.balance_minor - coalesce((SELECT sum(s.hold_minor) FROM sessions s
                                               WHERE s.member_id = member
                                                 AND s.state = 'open'), 0)
            FROM wallets w WHERE w.user_id = member);
END $$;

-- ---------------------------------------------------------------- users

CREATE OR REPLACE FUNCTION ppm_create_user(p_email text, p_role text, p_name text,
                                           p_hash text, p_now bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  new_id bigint;
BEGIN
  INSERT INTO users (email, role, display_name, password_hash, created_ms)
    VALUES (p_email, p_role, p_name, p_hash, p_now)
    ON CONFLICT (email) DO NOTHING
    RETURNING id INTO new_id;
  IF new_id IS NULL THEN
    PERFORM ppm_fail('email_taken', 'this email is already used');
  END IF;
  INSERT INTO wallets (user_id, name) VALUES (new_id, 'user:' || new_id);
  RETURN new_id;
END $$;

-- Revokes the user's tokens except the pair of `keep_access` (may be NULL).
CREATE OR REPLACE FUNCTION ppm_user_update(p_user bigint, p_hash text, p_disable boolean,
                                           p_keep_access text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET password_hash = coalesce(p_hash, password_hash),
                   disabled = CASE WHEN p_disable THEN 1 ELSE disabled END
    WHERE id = p_user;
  IF NOT FOUND THEN
    PERFORM ppm_fail('not_found', 'no such user');
  END IF;
  UPDATE tokens SET revoked = 1
    WHERE user_id = p_user AND revoked = 0
      AND access_hash IS DISTINCT FROM p_keep_access;
END $$;

CREATE OR REPLACE FUNCTION ppm_tokens_refresh(p_old text, p_access text, p_refresh text,
                                              p_now bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  t tokens%ROWTYPE;
BEGIN
  SELECT * INTO t FROM tokens WHERE refresh_hash = p_old FOR UPDATE;
  IF NOT FOUND OR t.revoked <> 0 OR t.refresh_expires_ms <= p_now
     OR (t.rotated_ms IS NOT NULL AND p_now - t.rotated_ms >= 60000)
     OR NOT EXISTS (SELECT 1 FROM users WHERE id = t.user_id AND disabled = 0) THEN
    PERFORM ppm_fail('unauthorized', 'invalid or expired token');
  END IF;
  UPDATE tokens SET rotated_ms = coalesce(rotated_ms, p_now) WHERE id = t.id;
  INSERT INTO tokens (user_id, access_hash, refresh_hash, access_expires_ms,
                      refresh_expires_ms)
    VALUES (t.user_id, p_access, p_refresh, p_now + 3600 * 1000::bigint,
            p_now + 30 * 86400 * 1000::bigint);
  RETURN t.user_id;
END $$;

-- At most 10 handles (PPM_MAX_HANDLES) a user: the user's row is locked
-- first, so that two links of one user cannot both see 9.
CREATE OR REPLACE FUNCTION ppm_handle_link(p_user bigint, p_protocol text, p_handle text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  owner bigint;
BEGIN
  PERFORM 1 FROM users WHERE id = p_user FOR UPDATE;
  SELECT user_id INTO owner FROM handles WHERE protocol = p_protocol AND handle = p_handle;
  IF owner = p_user THEN
    RETURN;
  ELSIF owner IS NULL AND (SELECT count(*) FROM handles WHERE user_id = p_user) >= 10 THEN
    PERFORM ppm_fail('invalid', 'an account links at most 10 handles: unlink one first');
  END IF;
  INSERT INTO handles (protocol, handle, user_id) VALUES (p_protocol, p_handle, p_user)
    ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    PERFORM ppm_fail('handle_taken', 'this handle is linked to another account');
  END IF;
END $$;

-- Counts an event of `key` in a sliding window and refuses the event when
-- `max_events` are already in it: the retry is when the oldest leaves.
CREATE OR REPLACE FUNCTION ppm_window_retry(oldest bigint, events bigint, max_events integer,
                                            window_ms bigint, p_now bigint)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN events >= max_events
              THEN greatest(1, ceil((oldest + window_ms - p_now) / 1000.0)::bigint)
         END
$$;

DROP FUNCTION IF EXISTS ppm_login_check(text, text, bigint);

-- Counts a login attempt as a failure before its password is checked, in
-- one step with the check: a lock per (email, address) serializes the
-- pair's attempts, so concurrent guesses are counted one after the other.
-- The two-key lock (class 1, then the pair's hash) is apart from the
-- migration's one-key lock.
CREATE OR REPLACE FUNCTION ppm_login_attempt(p_email text, p_address text, p_now bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  retry bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(1, hashtext(lower(p_email) || ' ' || p_address));
  DELETE FROM login_failures
    WHERE email = lower(p_email) AND address = p_address AND time_ms <= p_now - 15 * 60 * 1000;
  SELECT ppm_window_retry(min(time_ms), count(*), 10, 15 * 60 * 1000, p_now) INTO retry
    FROM login_failures
    WHERE email = p_email AND address = p_address
      AND time_ms > p_now - 15 * 60 * 1000;
  IF retry IS NOT NULL THEN
    PERFORM ppm_fail('rate_limited', 'too many failed logins', retry);
  END IF;
  INSERT INTO login_failures (email, address, time_ms) VALUES (lower(p_email), p_address, p_now);
END $$;

-- ---------------------------------------------------------------- lookup

-- Counts a lookup of (protocol, handle) by the model against its limit of
-- 30 a minute and records it; rate_limited over the limit.  The model's row
-- serializes its lookups, so the window count is exact.
CREATE OR REPLACE FUNCTION ppm_lookup_count(p_model bigint, p_protocol text, p_handle text,
                                            p_now bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  retry bigint;
BEGIN
  PERFORM 1 FROM users WHERE id = p_model FOR UPDATE;
  SELECT ppm_window_retry(min(time_ms), count(*), 30, 60000, p_now) INTO retry
    FROM lookups WHERE model_id = p_model AND time_ms > p_now - 60000;
  IF retry IS NOT NULL THEN
    PERFORM ppm_fail('rate_limited', 'too many lookups', retry);
  END IF;
  INSERT INTO lookups (model_id, time_ms, protocol, handle)
    VALUES (p_model, p_now, p_protocol, p_handle);
END $$;

-- Whether the member lets the model bill it: its allow-list is off, or the
-- model is on it.
CREATE OR REPLACE FUNCTION ppm_allow_list_permits(p_member bigint, p_model bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT allowed_models_only = 0
         OR EXISTS (SELECT 1 FROM allowed_models
                      WHERE member_id = p_member AND model_id = p_model)
    FROM users WHERE id = p_member
$$;

CREATE OR REPLACE FUNCTION ppm_lookup(p_model bigint, p_protocol text, p_handle text,
                                      p_now bigint, p_unit bigint,
                                      OUT status text, OUT display_name text,
                                      OUT minutes bigint, OUT billing_allowed boolean)
LANGUAGE plpgsql AS $$
DECLARE
  member users%ROWTYPE;
  rate bigint;
  available bigint;
BEGIN
  PERFORM ppm_lookup_count(p_model, p_protocol, p_handle, p_now);
  SELECT coalesce(rate_minor, p_unit) INTO rate FROM users WHERE id = p_model;

  SELECT u.* INTO member FROM handles h JOIN users u ON u.id = h.user_id
    WHERE h.protocol = p_protocol AND h.handle = p_handle
      AND u.role = 'member' AND u.disabled = 0;
  IF NOT FOUND THEN
    status := 'not_member';
    RETURN;
  END IF;
  display_name := member.display_name;
  billing_allowed := ppm_allow_list_permits(member.id, p_model);
  available := ppm_available(member.id);
  IF available >= rate THEN
    status := 'funded';
    minutes := least(greatest(available / greatest(rate, p_unit), 1), 60);
  ELSE
    status := 'unfunded';
  END IF;
END $$;

-- session_open_count (ppm-store.h): an open counts as a lookup of its
-- member handle unless ppm_open() will replay or refuse it as forbidden, or
-- the model looked that handle up in the last 10 minutes.  Its own
-- transaction, so that the count stays when the open is then refused.
CREATE OR REPLACE FUNCTION ppm_open_count(p_model bigint, p_csid text, p_protocol text,
                                          p_model_handle text, p_member_handle text,
                                          p_now bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM sessions WHERE model_id = p_model AND client_session_id = p_csid)
     OR NOT EXISTS (SELECT 1 FROM handles WHERE protocol = p_protocol
                      AND handle = p_model_handle AND user_id = p_model)
     OR EXISTS (SELECT 1 FROM lookups WHERE model_id = p_model AND protocol = p_protocol
                  AND handle = p_member_handle AND time_ms > p_now - 600000) THEN
    RETURN;
  END IF;
  PERFORM ppm_lookup_count(p_model, p_protocol, p_member_handle, p_now);
END $$;

-- ---------------------------------------------------------------- sessions

-- Where charge `seq` of a session starts to pay
-- (docs/billing-rules.md#money-moves-no-faster-than-time): t0 + shift + seq·period; it falls due 1 s (the offset
-- without shift) later.
CREATE OR REPLACE FUNCTION ppm_interval_start(t0_ms bigint, offset_ms bigint, seq bigint,
                                              period_ms bigint)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT t0_ms + offset_ms - 1000 + seq * period_ms
$$;

-- A session the platform ends (superseded, expired) is settled as a close at
-- `p_now` would be, but never before its last charge: the charges whose
-- interval had not begun are reversed.  The caller holds the session's lock.
CREATE OR REPLACE FUNCTION ppm_settle(p_session bigint, p_now bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ppm_reverse_after(p_session,
                            greatest(p_now, (SELECT max(c.time_ms) FROM charges c
                                               WHERE c.session_id = p_session))
                              - (SELECT s.t0_ms FROM sessions s WHERE s.id = p_session),
                            p_now);
END $$;

-- Marks an open session whose deadline passed as expired, settled at `p_now`.
CREATE OR REPLACE FUNCTION ppm_expire(p_session bigint, p_now bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ppm_settle(p_session, p_now);
  UPDATE sessions SET state = 'closed', reason = 'expired', ended_ms = deadline_ms,
                      hold_minor = 0
    WHERE id = p_session AND state = 'open';
END $$;

-- Refuses a request on a closed session: expired or closed.
CREATE OR REPLACE FUNCTION ppm_closed(reason text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF reason = 'expired' THEN
    PERFORM ppm_fail('session_expired', 'the session expired');
  END IF;
  PERFORM ppm_fail('session_closed', 'the session is closed');
END $$;

-- Step 1-7 of session_open (ppm-store.h).  Returns the stored body of a
-- replay, else NULL after inserting the session; the caller then builds the
-- body from the OUT values and stores it in the same transaction.
CREATE OR REPLACE FUNCTION ppm_open(p_model bigint, p_public_id text, p_csid text,
                                    p_protocol text, p_model_handle text,
                                    p_member_handle text, p_elapsed bigint,
                                    p_period integer, p_fee_bps integer, p_hold_periods integer,
                                    p_max_rate bigint, p_default_max_rate bigint,
                                    p_max_backdate_s integer, p_now bigint,
                                    OUT replay_body text, OUT rate bigint,
                                    OUT member_name text, OUT secured bigint,
                                    OUT offset_ms bigint)
LANGUAGE plpgsql AS $$
DECLARE
  s sessions%ROWTYPE;
  model users%ROWTYPE;
  member users%ROWTYPE;
  previous bigint;
  open_count bigint;
  available bigint;
  periods bigint;
  timeout bigint;
  t0 bigint;
BEGIN
  p_now := coalesce(p_now, ppm_clock_ms());
  -- The model's row serializes its opens: a repeat waits for the first.
  SELECT * INTO model FROM users WHERE id = p_model FOR UPDATE;
  SELECT * INTO s FROM sessions WHERE model_id = p_model AND client_session_id = p_csid;
  IF FOUND THEN
    IF s.protocol = p_protocol AND s.model_handle = p_model_handle
       AND s.member_handle = p_member_handle THEN
      replay_body := s.open_body;
      RETURN;
    END IF;
    PERFORM ppm_fail('idempotency_mismatch', 'client_session_id was used with other handles');
  END IF;

  IF NOT EXISTS (SELECT 1 FROM handles WHERE protocol = p_protocol
                   AND handle = p_model_handle AND user_id = p_model) THEN
    PERFORM ppm_fail('forbidden', 'model_handle is not linked to this account');
  END IF;
  SELECT u.* INTO member FROM handles h JOIN users u ON u.id = h.user_id
    WHERE h.protocol = p_protocol AND h.handle = p_member_handle
      AND u.role = 'member' AND u.disabled = 0;
  IF NOT FOUND THEN
    PERFORM ppm_fail('not_found', 'member_handle is not a member');
  END IF;
  IF NOT ppm_allow_list_permits(member.id, p_model) THEN
    PERFORM ppm_fail('model_not_allowed', 'the member does not accept billing from this model');
  END IF;
  rate := model.rate_minor;
  IF rate IS NULL OR rate > coalesce(member.max_rate_minor, p_default_max_rate)
     OR rate > p_max_rate THEN
    PERFORM ppm_fail('rate_not_accepted',
                   'the rate is not set or above the member''s or the platform''s cap');
  END IF;

  SELECT id INTO previous FROM sessions
    WHERE model_id = p_model AND member_id = member.id AND state = 'open' FOR UPDATE;
  -- The platform's instant, read once that session is locked: a charge of it
  -- that we waited for is not later.
  p_now := ppm_clock_ms();
  IF previous IS NOT NULL THEN
    PERFORM ppm_settle(previous, p_now);
    UPDATE sessions SET state = 'closed', reason = 'superseded', ended_ms = p_now,
                        hold_minor = 0
      WHERE id = previous;
  END IF;

  PERFORM 1 FROM wallets WHERE user_id = member.id FOR UPDATE;
  SELECT count(*) INTO open_count FROM sessions WHERE member_id = member.id AND state = 'open';
  IF open_count >= 3 THEN
    PERFORM ppm_fail('too_many_sessions', 'the member has too many open sessions');
  END IF;
  available := ppm_available(member.id);
  periods := least(p_hold_periods, available / rate);
  IF periods < 1 THEN
    PERFORM ppm_fail('insufficient_funds', 'the member cannot pay one period');
  END IF;

  timeout := greatest(p_max_backdate_s, 2 * p_period + 60) * 1000::bigint;
  t0 := p_now - least(p_elapsed, p_max_backdate_s * 1000::bigint);
  -- The shift (docs/billing-rules.md#money-moves-no-faster-than-time): how
  -- far past t0 the pair's standing charges already pay.  None of its sessions is open now.  A standing charge's interval
  -- begins at most period/2 (the clock guard's tolerance) after the charge,
  -- so it ends at most 1.5 periods after its session ended, and a period is
  -- at most an hour: older sessions cannot reach past t0.
  SELECT 1000 + greatest(0, coalesce(max(ppm_interval_start(o.t0_ms, o.offset_ms, c.seq + 1,
                                                            o.period_seconds * 1000::bigint)),
                                     0) - t0)
    INTO offset_ms
    FROM sessions o JOIN charges c ON c.session_id = o.id AND c.reversal_id IS NULL
    WHERE o.model_id = p_model AND o.member_id = member.id
      AND o.ended_ms > t0 - 2 * 3600 * 1000::bigint;
  INSERT INTO sessions (public_id, model_id, member_id, client_session_id, protocol,
                        model_handle, member_handle, rate_minor, period_seconds, fee_bps,
                        hold_periods, hold_minor, t0_ms, opened_ms, deadline_ms, timeout_ms,
                        state, open_body, offset_ms)
    VALUES (p_public_id, p_model, member.id, p_csid, p_protocol, p_model_handle,
            p_member_handle, rate, p_period, p_fee_bps, p_hold_periods, periods * rate,
            t0, p_now, p_now + timeout, timeout, 'open', '', ppm_open.offset_ms);
  member_name := member.display_name;
  secured := periods;
END $$;

-- The session of `p_public_id` if `p_model` owns it, locked; else not_found.
CREATE OR REPLACE FUNCTION ppm_session_of(p_model bigint, p_public_id text)
RETURNS sessions LANGUAGE plpgsql AS $$
DECLARE
  s sessions%ROWTYPE;
BEGIN
  SELECT * INTO s FROM sessions WHERE public_id = p_public_id AND model_id = p_model
    FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM ppm_fail('not_found', 'no such session');
  END IF;
  RETURN s;
END $$;

-- session_charge (ppm-store.h), refusals returned rather than raised, so that
-- ppm_charge_batch() can take many charges in one transaction: `error` is
-- the API's error code, `words` its message, `retry_after` the seconds of
-- too_early; nothing is changed then, except the expiry of a session whose
-- deadline passed, which must stay.  The hottest path of the platform: few
-- statements, and no row that other sessions' charges need: a posted
-- charge's fee is returned (posted_tx, posted_fee) for the batch to post.
CREATE OR REPLACE FUNCTION ppm_charge_try(p_model bigint, p_public_id text, p_seq bigint,
                                          p_currency text, p_now bigint,
                                          OUT body text, OUT replayed boolean, OUT error text,
                                          OUT words text, OUT retry_after bigint,
                                          OUT posted_tx bigint, OUT posted_fee bigint)
LANGUAGE plpgsql AS $$
DECLARE
  s record;
  period_ms bigint;
  due bigint;
  member_wallet bigint;
  balance bigint;
  holds bigint;
  available bigint;
  hold bigint;
  topup bigint;
  fee bigint;
  standing bigint;
  member_after bigint;
BEGIN
  replayed := false;
  p_now := coalesce(p_now, ppm_clock_ms());
  -- The batch locked the session first, so a concurrent first post of this
  -- seq has committed and is seen here.  Every charge of a session is of
  -- its rate, so its total is a count.
  SELECT ss.id, ss.state, ss.reason, ss.member_id, ss.model_id, ss.rate_minor,
         ss.period_seconds, ss.fee_bps, ss.hold_periods, ss.hold_minor, ss.t0_ms,
         ss.offset_ms, ss.deadline_ms, ss.timeout_ms,
         (SELECT c.body FROM charges c WHERE c.session_id = ss.id AND c.seq = p_seq)
           AS stored_body,
         (SELECT coalesce(max(c.seq) + 1, 0) FROM charges c
            WHERE c.session_id = ss.id) AS next_seq,
         (SELECT count(*) FROM charges c
            WHERE c.session_id = ss.id AND c.reversal_id IS NOT NULL) AS reversed
    INTO s FROM sessions ss WHERE ss.public_id = p_public_id AND ss.model_id = p_model
    FOR UPDATE OF ss;
  IF NOT FOUND THEN
    SELECT 'not_found', 'no such session' INTO error, words;
    RETURN;
  END IF;
  body := s.stored_body;
  replayed := body IS NOT NULL;
  IF replayed THEN
    RETURN;
  END IF;

  IF s.state = 'closed' AND s.reason = 'expired' THEN
    SELECT 'session_expired', 'the session expired' INTO error, words;
    RETURN;
  ELSIF s.state = 'closed' THEN
    SELECT 'session_closed', 'the session is closed' INTO error, words;
    RETURN;
  END IF;
  IF s.deadline_ms < p_now THEN
    PERFORM ppm_expire(s.id, p_now);
    SELECT 'session_expired', 'the session expired' INTO error, words;
    RETURN;
  END IF;

  IF p_seq > s.next_seq THEN
    SELECT 'seq_gap', format('seq %s expected, got %s', s.next_seq, p_seq) INTO error, words;
    RETURN;
  END IF;

  period_ms := s.period_seconds * 1000::bigint;
  due := ppm_interval_start(s.t0_ms, s.offset_ms, p_seq, period_ms)
         - least(greatest(5000, p_seq * period_ms / 200), period_ms / 2);
  IF p_now < due THEN
    SELECT 'too_early', format('charge %s is not due yet', p_seq),
           greatest(1, ceil((due - p_now) / 1000.0)::bigint)
      INTO error, words, retry_after;
    RETURN;
  END IF;

  -- The debit first: it locks the member's wallet as a SELECT ... FOR UPDATE
  -- would, in one statement instead of two.  A refusal below puts it back.
  UPDATE wallets SET balance_minor = balance_minor - s.rate_minor
    WHERE user_id = s.member_id AND balance_minor >= s.rate_minor
    RETURNING id, balance_minor,
              (SELECT coalesce(sum(o.hold_minor), 0) FROM sessions o
                 WHERE o.member_id = s.member_id AND o.state = 'open')
      INTO member_wallet, member_after, holds;
  IF NOT FOUND THEN
    SELECT 'insufficient_funds', 'not enough funds' INTO error, words;
    RETURN;
  END IF;
  balance := member_after + s.rate_minor;
  available := balance - holds;
  IF s.hold_minor + available < s.rate_minor THEN
    UPDATE wallets SET balance_minor = balance WHERE id = member_wallet;
    SELECT 'insufficient_funds', 'not enough funds' INTO error, words;
    RETURN;
  END IF;

  -- The charge comes out of the hold first; then the hold is topped up again
  -- in whole periods from what is still available.
  fee := ppm_money_fee(s.rate_minor, s.fee_bps);
  hold := greatest(s.hold_minor - s.rate_minor, 0);
  available := (balance - s.rate_minor) - (holds - s.hold_minor) - hold;
  topup := greatest(least(s.hold_periods - hold / s.rate_minor, available / s.rate_minor), 0);
  hold := hold + topup * s.rate_minor;
  available := available - topup * s.rate_minor;
  standing := s.next_seq + 1 - s.reversed;
  -- The bytes of ppm_answer_charge() (test-pg-answers compares them).
  body := format('{"seq":%s,"charged":%s,"total":%s,"secured_periods":%s,'
                 '"member_balance_periods":%s}',
                 p_seq, ppm_money_json(s.rate_minor, p_currency),
                 ppm_money_json(standing * s.rate_minor, p_currency),
                 hold / s.rate_minor, least((available + hold) / s.rate_minor, 60));

  -- The rest of the charge in one statement: one plan, one executor run
  -- instead of five.  The fee is the batch's to post (ppm_post_fees()).
  -- LEFT JOIN model: a model without a wallet (a bug) must fail on the NOT
  -- NULL wallet_id, not post a charge that credits no one.
  WITH tx AS (
         INSERT INTO transactions (time_ms, kind, session_id) VALUES (p_now, 'charge', s.id)
           RETURNING id),
       model AS (
         UPDATE wallets SET balance_minor = balance_minor + (s.rate_minor - fee)
           WHERE user_id = s.model_id RETURNING id, balance_minor),
       held AS (
         UPDATE sessions SET hold_minor = hold, deadline_ms = p_now + s.timeout_ms
           WHERE id = s.id),
       charged AS (
         INSERT INTO charges (session_id, seq, amount_minor, fee_minor, time_ms, transaction_id,
                              body)
           SELECT s.id, p_seq, s.rate_minor, fee, p_now, tx.id, body FROM tx),
       posted AS (
         INSERT INTO entries (transaction_id, wallet_id, amount_minor, balance_after_minor)
           SELECT tx.id, v.wallet, v.amount, v.after
             FROM tx LEFT JOIN model ON true,
                  LATERAL (VALUES (member_wallet, -s.rate_minor, member_after),
                                  (model.id, s.rate_minor - fee, model.balance_minor))
                    AS v (wallet, amount, after))
  SELECT tx.id INTO posted_tx FROM tx;
  posted_fee := fee;
END $$;

-- Many charges in one transaction: the i-th of each array is one request's
-- access token hash, session public id, seq and time (ms, for the token's
-- expiry).  The token is checked by ppm_token_user() and must be a
-- model's; then ppm_charge_try().  One row per charge, in order; a refusal
-- of one leaves the others to commit.  Every row the batch may change is
-- locked first: its sessions, then their members' and models' wallets, each
-- in id order; platform:fees last, by ppm_post_fees().  Two batches (of one
-- server or of several) then never wait for each other in a cycle, whatever
-- their charges and their order.
CREATE OR REPLACE FUNCTION ppm_charge_batch(p_hashes text[], p_sessions text[], p_seqs bigint[],
                                            p_nows bigint[], p_currency text)
RETURNS TABLE (body text, replayed boolean, error text, words text, retry_after bigint)
LANGUAGE plpgsql AS $$
DECLARE
  model bigint;
  model_role text;
  charged record;
  fee_txs bigint[] := '{}';
  fees bigint[] := '{}';
BEGIN
  PERFORM 1 FROM sessions WHERE public_id = ANY (p_sessions) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM wallets
    WHERE user_id IN (SELECT unnest(ARRAY[member_id, model_id]) FROM sessions
                        WHERE public_id = ANY (p_sessions))
    ORDER BY id FOR UPDATE;
  FOR n IN 1 .. coalesce(cardinality(p_sessions), 0) LOOP
    SELECT u.id, u.role INTO model, model_role FROM users u
      WHERE u.id = ppm_token_user(p_hashes[n], p_nows[n]);
    IF NOT FOUND THEN
      SELECT NULL, false, 'unauthorized', 'invalid or expired token', NULL
        INTO body, replayed, error, words, retry_after;
    ELSIF model_role <> 'model' THEN
      SELECT NULL, false, 'forbidden', 'for models only', NULL
        INTO body, replayed, error, words, retry_after;
    ELSE
      -- An assignment, not a SELECT ... FROM: no executor to start for it.
      charged := ppm_charge_try(model, p_sessions[n], p_seqs[n], p_currency, NULL);
      body := charged.body;
      replayed := charged.replayed;
      error := charged.error;
      words := charged.words;
      retry_after := charged.retry_after;
      IF charged.posted_tx IS NOT NULL THEN
        fee_txs := fee_txs || charged.posted_tx;
        fees := fees || charged.posted_fee;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;
  PERFORM ppm_post_fees(fee_txs, fees);
END $$;

-- Reverses one standing charge; false (and nothing changed) when the model's
-- wallet cannot give its part back.
CREATE OR REPLACE FUNCTION ppm_reverse(p_charge bigint, p_now bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  c charges%ROWTYPE;
  s sessions%ROWTYPE;
  member_wallet bigint;
  tx bigint;
BEGIN
  SELECT * INTO c FROM charges WHERE id = p_charge AND reversal_id IS NULL;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  SELECT * INTO s FROM sessions WHERE id = c.session_id;
  member_wallet := ppm_wallet_of(s.member_id);
  PERFORM 1 FROM wallets WHERE id = member_wallet FOR UPDATE; -- the lock order
  INSERT INTO transactions (time_ms, kind, session_id) VALUES (p_now, 'reversal', s.id)
    RETURNING id INTO tx;
  IF ppm_post(tx, ppm_wallet_of(s.model_id), -(c.amount_minor - c.fee_minor), true) IS NULL THEN
    DELETE FROM transactions WHERE id = tx; -- the charge stands
    RETURN false;
  END IF;
  PERFORM ppm_post(tx, member_wallet, c.amount_minor);
  PERFORM ppm_post(tx, ppm_system_wallet('platform:fees'), -c.fee_minor);
  UPDATE charges SET reversal_id = tx WHERE id = c.id;
  RETURN true;
END $$;

-- Reverses the standing charges of a session due (offset + seq·period after
-- t0) after `after_ms` (NULL: all); the amount given back.
CREATE OR REPLACE FUNCTION ppm_reverse_after(p_session bigint, after_ms bigint, p_now bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  c charges%ROWTYPE;
  period_ms bigint;
  offset_ms bigint;
  reversed bigint := 0;
BEGIN
  SELECT s.period_seconds * 1000::bigint, s.offset_ms INTO period_ms, offset_ms
    FROM sessions s WHERE s.id = p_session;
  FOR c IN SELECT * FROM charges
             WHERE session_id = p_session AND reversal_id IS NULL
               AND (after_ms IS NULL OR offset_ms + seq * period_ms > after_ms)
             ORDER BY seq LOOP
    IF ppm_reverse(c.id, p_now) THEN
      reversed := reversed + c.amount_minor;
    END IF;
  END LOOP;
  RETURN reversed;
END $$;

CREATE OR REPLACE FUNCTION ppm_close(p_model bigint, p_public_id text, p_reason text,
                                     p_elapsed bigint, p_rate_url text, p_currency text,
                                     p_now bigint,
                                     OUT body text, OUT replayed boolean, OUT error text)
LANGUAGE plpgsql AS $$
DECLARE
  s sessions%ROWTYPE;
  reversed bigint := 0;
  periods bigint;
  total bigint;
BEGIN
  s := ppm_session_of(p_model, p_public_id);
  -- Read once the session is locked, as open does: the end is never before
  -- a charge.
  p_now := coalesce(p_now, ppm_clock_ms());
  IF s.close_body IS NOT NULL THEN
    body := s.close_body;
    replayed := true;
    RETURN;
  END IF;
  replayed := false;
  IF s.state = 'closed' THEN
    PERFORM ppm_closed(s.reason);
  END IF;
  IF s.deadline_ms < p_now THEN
    PERFORM ppm_expire(s.id, p_now);
    error := 'session_expired';
    RETURN;
  END IF;

  IF p_reason <> 'client_restart' THEN
    reversed := ppm_reverse_after(s.id, p_elapsed, p_now);
  END IF;
  SELECT count(*), coalesce(sum(amount_minor), 0) INTO periods, total FROM charges
    WHERE session_id = s.id AND reversal_id IS NULL;
  -- The bytes of ppm_answer_close() (test-pg-answers compares them).
  body := format('{"session_id":%s,"periods_charged":%s,"total":%s,"reversed":%s,'
                 '"duration_ms":%s,"rate_url":%s}',
                 to_json(s.public_id), periods, ppm_money_json(total, p_currency),
                 ppm_money_json(reversed, p_currency), p_elapsed, to_json(p_rate_url));
  UPDATE sessions SET state = 'closed', reason = p_reason, ended_ms = p_now,
                      close_elapsed_ms = p_elapsed, hold_minor = 0, close_body = body
    WHERE id = s.id;
END $$;

CREATE OR REPLACE FUNCTION ppm_tick(p_now bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  due bigint;
BEGIN
  p_now := coalesce(p_now, ppm_clock_ms());
  -- Sessions busy in a charge right now are not past their deadline.
  FOR due IN SELECT id FROM sessions WHERE state = 'open' AND deadline_ms < p_now
               ORDER BY id FOR UPDATE SKIP LOCKED LOOP
    PERFORM ppm_expire(due, p_now);
  END LOOP;
  INSERT INTO meta (key, value) VALUES ('alive_ms', p_now::text)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
END $$;

CREATE OR REPLACE FUNCTION ppm_resume(p_now bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  alive bigint;
BEGIN
  p_now := coalesce(p_now, ppm_clock_ms());
  SELECT value::bigint INTO alive FROM meta WHERE key = 'alive_ms' FOR UPDATE;
  IF alive IS NOT NULL AND p_now > alive THEN
    UPDATE sessions SET deadline_ms = deadline_ms + (p_now - alive) WHERE state = 'open';
  END IF;
  INSERT INTO meta (key, value) VALUES ('alive_ms', p_now::text)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
END $$;

-- ---------------------------------------------------------------- ratings

-- The internal id of a session of `p_user` (member or model), or NULL.
CREATE OR REPLACE FUNCTION ppm_session_of_user(p_user bigint, p_public_id text)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT s.id FROM sessions s WHERE s.public_id = p_public_id
            AND (s.member_id = p_user OR s.model_id = p_user));
END $$;

CREATE OR REPLACE FUNCTION ppm_session_rate(p_user bigint, p_public_id text, p_stars integer,
                                            p_comment text, p_now bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  sid bigint := ppm_session_of_user(p_user, p_public_id);
BEGIN
  IF sid IS NULL THEN
    PERFORM ppm_fail('not_found', 'no such session');
  ELSIF NOT EXISTS (SELECT 1 FROM charges WHERE session_id = sid AND reversal_id IS NULL) THEN
    PERFORM ppm_fail('invalid', 'nothing to rate: no minute of this call stands paid');
  END IF;
  INSERT INTO ratings (session_id, user_id, stars, comment, time_ms)
    VALUES (sid, p_user, p_stars, p_comment, p_now)
    ON CONFLICT (session_id, user_id) DO NOTHING;
  IF NOT FOUND THEN
    PERFORM ppm_fail('already_rated', 'already rated');
  END IF;
END $$;

CREATE OR REPLACE FUNCTION ppm_app_rate(p_user bigint, p_stars integer, p_comment text,
                                        p_public_id text, p_now bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  sid bigint;
BEGIN
  IF p_public_id IS NOT NULL THEN
    sid := ppm_session_of_user(p_user, p_public_id);
    IF sid IS NULL THEN
      PERFORM ppm_fail('invalid', 'session_id: no such session');
    END IF;
  END IF;
  INSERT INTO app_ratings (user_id, session_id, stars, comment, time_ms)
    VALUES (p_user, sid, p_stars, p_comment, p_now);
END $$;

-- ---------------------------------------------------------------- admin

-- Its first form also checked the amount, which ppm_store_fund() and
-- ppm_store_payout() check now.
DROP FUNCTION IF EXISTS ppm_move_funds(bigint, bigint, text, bigint, bigint, bigint);

-- A deposit (positive, to a member) or a payout (negative, from a model),
-- against platform:funding.  The user's balance after.
CREATE OR REPLACE FUNCTION ppm_move_funds(p_user bigint, p_amount bigint, p_role text,
                                          p_max_balance bigint, p_now bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  user_role text;
  tx bigint;
  after bigint;
BEGIN
  SELECT role INTO user_role FROM users WHERE id = p_user;
  IF NOT FOUND THEN
    PERFORM ppm_fail('not_found', 'no such user');
  ELSIF user_role <> p_role THEN
    PERFORM ppm_fail('forbidden', CASE WHEN p_amount > 0 THEN 'only members are funded'
                                       ELSE 'only models are paid out' END);
  END IF;
  INSERT INTO transactions (time_ms, kind)
    VALUES (p_now, CASE WHEN p_amount > 0 THEN 'deposit' ELSE 'payout' END)
    RETURNING id INTO tx;
  after := ppm_post(tx, ppm_wallet_of(p_user), p_amount, true);
  IF after IS NULL THEN
    PERFORM ppm_fail('insufficient_funds', 'not enough funds');
  ELSIF after > p_max_balance THEN
    PERFORM ppm_fail('invalid', 'the balance would exceed the limit');
  END IF;
  PERFORM ppm_post(tx, ppm_system_wallet('platform:funding'), -p_amount);
  RETURN after;
END $$;

-- Its first form returned the refunded amount alone.
DROP FUNCTION IF EXISTS ppm_refund_session(text, bigint);

-- Reverses every standing charge it can; the charges the model's earnings
-- could not pay back stand, and are counted.
CREATE OR REPLACE FUNCTION ppm_refund(p_public_id text, p_now bigint, OUT refunded bigint,
                                      OUT stood_charges bigint, OUT stood_minor bigint)
LANGUAGE plpgsql AS $$
DECLARE
  sid bigint;
BEGIN
  SELECT id INTO sid FROM sessions WHERE public_id = p_public_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM ppm_fail('not_found', 'no such session');
  END IF;
  refunded := ppm_reverse_after(sid, NULL, p_now);
  SELECT count(*), coalesce(sum(amount_minor), 0) INTO stood_charges, stood_minor
    FROM charges WHERE session_id = sid AND reversal_id IS NULL;
END $$;

-- The first ledger invariant that fails, or NULL.  STABLE: every statement
-- sees the same snapshot, so charges committing meanwhile cannot make the
-- checks disagree.
CREATE OR REPLACE FUNCTION ppm_verify() RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  problem text;
BEGIN
  SELECT format('transaction %s: entries sum to %s', transaction_id, sum(amount_minor))
    INTO problem FROM entries GROUP BY transaction_id HAVING sum(amount_minor) <> 0
    ORDER BY transaction_id LIMIT 1;
  IF problem IS NOT NULL THEN
    RETURN problem;
  END IF;
  SELECT format('wallet %s: balance %s but its entries sum to %s', w.name,
                w.balance_minor, coalesce(e.total, 0))
    INTO problem
    FROM wallets w
    LEFT JOIN (SELECT wallet_id, sum(amount_minor) AS total FROM entries
               GROUP BY wallet_id) e ON e.wallet_id = w.id
    WHERE w.balance_minor <> coalesce(e.total, 0)
    ORDER BY w.id LIMIT 1;
  IF problem IS NOT NULL THEN
    RETURN problem;
  END IF;
  SELECT format('wallet %s is below zero: %s', name, balance_minor) INTO problem
    FROM wallets WHERE user_id IS NOT NULL AND balance_minor < 0 ORDER BY id LIMIT 1;
  RETURN problem;
END $$;
