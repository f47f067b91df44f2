-- Schema version 3: platform:fees is posted once per batch of charges.
--
-- Charges used to insert their fee entries with no balance after and list
-- them in fees_pending, for the tick to add to the wallet once a second;
-- that fold updated every fee entry again, and took a core for up to a
-- tenth of a second at a time.  Charges now come in batches, one
-- transaction each, and a batch posts its fees in one update of the wallet
-- (ppm_post_fees()).  What is still pending is folded here, in entry order,
-- as the tick did.

UPDATE entries e SET balance_after_minor = w.balance_minor + r.total
  FROM (SELECT en.id, sum(en.amount_minor) OVER (ORDER BY en.id) AS total
          FROM entries en JOIN fees_pending f ON f.entry_id = en.id) r,
       wallets w
  WHERE e.id = r.id AND w.name = 'platform:fees';
UPDATE wallets
  SET balance_minor = balance_minor
                      + coalesce((SELECT sum(e.amount_minor) FROM entries e
                                    JOIN fees_pending f ON f.entry_id = e.id), 0)
  WHERE name = 'platform:fees';
DROP TABLE fees_pending;

-- Functions of version 2 that are gone, or whose results changed (CREATE OR
-- REPLACE cannot change a result type).
DROP FUNCTION IF EXISTS ppm_fees_fold();
DROP FUNCTION IF EXISTS ppm_post_fee(bigint, bigint);
DROP FUNCTION IF EXISTS ppm_charge(bigint, text, bigint, text, bigint);
DROP FUNCTION IF EXISTS ppm_charge_try(bigint, text, bigint, text, bigint);
