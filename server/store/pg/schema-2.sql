-- Schema version 2: fewer index entries written per charge.
--
-- Every charge updates its session row (hold_minor, deadline_ms).  With no
-- index on either column and free room in the page, that update is HOT: no
-- new entry in any of the table's indexes, and no dead entries for the next
-- charge's lookups to step over.  The tick finds the sessions past their
-- deadline among the open ones, through the partial index
-- sessions_member_open: there are only as many as calls in progress.  The
-- fillfactor applies to pages written from now on.
--
-- Every charge also writes three entries.  Nothing looks entries up by
-- transaction (only ppm_verify() groups them all, a full scan anyway), so
-- that index was three insertions per charge for nothing.

DROP INDEX sessions_deadline_open;
ALTER TABLE sessions SET (fillfactor = 50);
DROP INDEX entries_transaction;
