-- Schema version 4: money moves no faster than time.  A session's charges
-- cover intervals that start offset_ms − 1000 after its t0 (docs/billing-rules.md
-- #money-moves-no-faster-than-time); sessions opened before this version have no shift.
ALTER TABLE sessions ADD COLUMN offset_ms bigint NOT NULL DEFAULT 1000;
