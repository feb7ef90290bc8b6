-- SQLite's m0035: each node's observable index follows the outbox with a cursor of its own;
-- rows are deleted once every live node applied them, and a counter says through which seq
-- they may have been.
CREATE TABLE index_cursors (
    node TEXT PRIMARY KEY,
    applied_seq BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
INSERT INTO counters (name, value) SELECT 'index_outbox_pruned', coalesce(
    (SELECT min(seq) - 1 FROM index_outbox),
    (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM index_outbox_seq_seq),
    0);
