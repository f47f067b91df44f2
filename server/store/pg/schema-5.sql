-- Schema version 5: opens count as lookups; members choose who may bill them.
-- A lookup records its handle, so that a recent one of the same handle is
-- found by one index range.
ALTER TABLE lookups ADD COLUMN protocol text;
ALTER TABLE lookups ADD COLUMN handle text;
CREATE INDEX lookups_handle ON lookups (model_id, protocol, handle, time_ms);

ALTER TABLE users ADD COLUMN allowed_models_only integer NOT NULL DEFAULT 0;
CREATE TABLE allowed_models (
  member_id bigint NOT NULL REFERENCES users (id),
  model_id bigint NOT NULL REFERENCES users (id),
  PRIMARY KEY (member_id, model_id)
);

-- ppm_lookup() answers billing_allowed too (CREATE OR REPLACE cannot change
-- a result type).
DROP FUNCTION IF EXISTS ppm_lookup(bigint, text, text, bigint, bigint);
