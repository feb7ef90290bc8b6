-- SQLite's m0034: a webhook delivery a node is posting names that node, so that the node,
-- started again after a crash, gives back at once what it held rather than after the lease.
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
