-- Schema version 4: opens count as lookups; members choose who may bill them.
-- A lookup records its handle, so that a recent one of the same handle is
-- found by one index range.

ALTER TABLE lookups ADD COLUMN protocol TEXT;
ALTER TABLE lookups ADD COLUMN handle TEXT;
CREATE INDEX lookups_handle ON lookups (model_id, protocol, handle, time_ms);
ALTER TABLE users ADD COLUMN allowed_models_only INTEGER NOT NULL DEFAULT 0;
CREATE TABLE allowed_models (member_id INTEGER NOT NULL REFERENCES users (id),
  model_id INTEGER NOT NULL REFERENCES users (id), PRIMARY KEY (member_id, model_id))
  STRICT;
