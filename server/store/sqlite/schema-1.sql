-- Schema version 1: the first schema (ppm-store-schema.h).

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('member', 'model')), display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, rate_minor INTEGER,
  max_rate_minor INTEGER, created_ms INTEGER NOT NULL) STRICT;
CREATE TABLE wallets (id INTEGER PRIMARY KEY, user_id INTEGER UNIQUE REFERENCES users (id),
  name TEXT NOT NULL UNIQUE, balance_minor INTEGER NOT NULL,
  CHECK (user_id IS NULL OR balance_minor >= 0)) STRICT;
CREATE TABLE handles (protocol TEXT NOT NULL, handle TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id), PRIMARY KEY (protocol, handle)) STRICT;
CREATE INDEX handles_user ON handles (user_id);
CREATE TABLE tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),
  access_hash TEXT NOT NULL UNIQUE, refresh_hash TEXT NOT NULL UNIQUE,
  access_expires_ms INTEGER NOT NULL, refresh_expires_ms INTEGER NOT NULL,
  rotated_ms INTEGER, revoked INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE INDEX tokens_user ON tokens (user_id);
CREATE TABLE login_failures (id INTEGER PRIMARY KEY, email TEXT NOT NULL,
  address TEXT NOT NULL, time_ms INTEGER NOT NULL) STRICT;
CREATE INDEX login_failures_key ON login_failures (email, address, time_ms);
CREATE TABLE lookups (id INTEGER PRIMARY KEY, model_id INTEGER NOT NULL,
  time_ms INTEGER NOT NULL) STRICT;
CREATE INDEX lookups_model ON lookups (model_id, time_ms);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, public_id TEXT NOT NULL UNIQUE,
  model_id INTEGER NOT NULL REFERENCES users (id),
  member_id INTEGER NOT NULL REFERENCES users (id), client_session_id TEXT NOT NULL,
  protocol TEXT NOT NULL, model_handle TEXT NOT NULL, member_handle TEXT NOT NULL,
  rate_minor INTEGER NOT NULL, period_seconds INTEGER NOT NULL, fee_bps INTEGER NOT NULL,
  hold_periods INTEGER NOT NULL, hold_minor INTEGER NOT NULL, t0_ms INTEGER NOT NULL,
  opened_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL, timeout_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')), reason TEXT, ended_ms INTEGER,
  close_elapsed_ms INTEGER, open_body TEXT NOT NULL, close_body TEXT,
  UNIQUE (model_id, client_session_id)) STRICT;
CREATE INDEX sessions_member ON sessions (member_id, state);
CREATE INDEX sessions_pair ON sessions (model_id, member_id, state);
CREATE INDEX sessions_deadline ON sessions (state, deadline_ms);
CREATE TABLE transactions (id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('deposit', 'charge', 'reversal', 'payout')),
  session_id INTEGER REFERENCES sessions (id)) STRICT;
CREATE TABLE entries (id INTEGER PRIMARY KEY,
  transaction_id INTEGER NOT NULL REFERENCES transactions (id),
  wallet_id INTEGER NOT NULL REFERENCES wallets (id), amount_minor INTEGER NOT NULL,
  balance_after_minor INTEGER NOT NULL) STRICT;
CREATE INDEX entries_wallet ON entries (wallet_id, id);
CREATE INDEX entries_transaction ON entries (transaction_id);
CREATE TABLE charges (id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions (id), seq INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL, fee_minor INTEGER NOT NULL, time_ms INTEGER NOT NULL,
  transaction_id INTEGER NOT NULL REFERENCES transactions (id),
  reversal_id INTEGER REFERENCES transactions (id), body TEXT NOT NULL,
  UNIQUE (session_id, seq)) STRICT;
CREATE TABLE ratings (id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  user_id INTEGER NOT NULL REFERENCES users (id), stars INTEGER NOT NULL, comment TEXT,
  time_ms INTEGER NOT NULL, UNIQUE (session_id, user_id)) STRICT;
CREATE TABLE app_ratings (id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  session_id INTEGER REFERENCES sessions (id), stars INTEGER NOT NULL, comment TEXT,
  time_ms INTEGER NOT NULL) STRICT;
INSERT INTO wallets (name, balance_minor) VALUES ('platform:fees', 0),
  ('platform:funding', 0);
