-- Schema version 4: money moves no faster than time.  A session's charges
-- cover intervals that start offset_ms − 1000 after its t0
-- (docs/billing-rules.md#money-moves-no-faster-than-time); sessions opened
-- before this version have no shift.  An open finds the pair's sessions that
-- ended recently by their end.
ALTER TABLE sessions ADD COLUMN offset_ms bigint NOT NULL DEFAULT 1000;
CREATE INDEX sessions_pair_ended ON sessions (model_id, member_id, ended_ms);

-- Functions whose results changed (CREATE OR REPLACE cannot change a result
-- type) or that take the platform's instant now.
DROP FUNCTION IF EXISTS ppm_open(bigint, text, text, text, text, text, bigint, integer, integer,
                                 integer, bigint, bigint, integer, bigint);
DROP FUNCTION IF EXISTS ppm_expire(bigint);
