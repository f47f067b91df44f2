-- Schema version 5: opens count as lookups; members choose who may bill them.
SELECT 1;
