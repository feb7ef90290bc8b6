"""The `index_cursors` table: how far each node's observable index has applied the outbox, and
when the node last said so. Outbox rows are deleted only once every live node applied them."""

from __future__ import annotations

from irbox.store.database import Connection


def report(conn: Connection, node: str, applied_seq: int, now: int) -> None:
    conn.execute(
        "INSERT INTO index_cursors (node, applied_seq, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (node) DO UPDATE SET applied_seq = excluded.applied_seq,"
        " seen_at = excluded.seen_at",
        (node, applied_seq, now),
    )


def least_applied(conn: Connection, seen_since: int) -> int | None:
    """The position of the node furthest behind among those heard from since `seen_since`."""
    return conn.execute(
        "SELECT min(applied_seq) FROM index_cursors WHERE seen_at >= ?", (seen_since,)
    ).fetchone()[0]
