-- Schema version 3: money moves no faster than time: a session's charges cover
-- intervals that start offset_ms − 1000 after its t0 (docs/billing-rules.md,
-- shift); an open finds the pair's sessions that ended recently by their end.

ALTER TABLE sessions ADD COLUMN offset_ms INTEGER NOT NULL DEFAULT 1000;
CREATE INDEX sessions_pair_ended ON sessions (model_id, member_id, ended_ms);
