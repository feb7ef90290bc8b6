-- SQLite's m0036: a message a node is sending names that node, as webhook deliveries do.
ALTER TABLE mail_outbox ADD COLUMN claimed_by TEXT;
