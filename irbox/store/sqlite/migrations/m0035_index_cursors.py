"""Each node's observable index follows the outbox with a cursor of its own (`index_cursors`);
rows are deleted once every live node applied them, and a counter says through which `seq`
they may have been, so a node that was away longer knows it must rebuild its index."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE index_cursors (node TEXT PRIMARY KEY, applied_seq INTEGER NOT NULL,"
        " seen_at INTEGER NOT NULL)"
    )
    db.execute(
        "INSERT INTO counters (name, value) SELECT 'index_outbox_pruned', coalesce("
        " (SELECT min(seq) - 1 FROM index_outbox),"
        " (SELECT seq FROM sqlite_sequence WHERE name = 'index_outbox'), 0)"
    )
