-- Schema version 2: a charge counts the session's reversed charges without a
-- scan, and its update of the session's hold and deadline touches no index:
-- due sessions are found among the open ones.

CREATE INDEX charges_reversed ON charges (session_id) WHERE reversal_id IS NOT NULL;
DROP INDEX sessions_deadline;
CREATE INDEX sessions_open ON sessions (id) WHERE state = 'open';
