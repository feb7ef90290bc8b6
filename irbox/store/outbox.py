"""The `index_outbox` table: changes waiting to reach the DuckDB index."""

from __future__ import annotations

from typing import NamedTuple

from irbox.store import counters
from irbox.store.database import Connection, append


def add(conn: Connection, kind: str, payload: str, at: int) -> None:
    append(conn, "index_outbox", ("kind", "payload", "created_at"), (kind, payload, at))


class Pending(NamedTuple):
    """The next rows to apply, read as one string: the payloads one per line (exactly the rows
    with seq up to `through_seq`; in no promised order, which the index does not need: a batch
    is applied as a set)."""

    lines: str
    rows: int
    through_seq: int  # the last row's seq (0 when there is none)
    more: bool  # rows were left for the next read


def pending_after(conn: Connection, seq: int, limit: int, max_chars: int) -> Pending:
    """Up to `limit` rows after `seq`, fewer when their payloads pass `max_chars` (at least one
    row whatever its size); `seq > applied` misses nothing only because rows commit in `seq`
    order (the single writer's invariant, docs/architecture.md). SQLite joins them: the reader
    makes one string, not a row object each (payloads are msgspec JSON, which escapes
    newlines). Measured at 2,500 rows: 0.2 us a
    row, against 0.6 for fetching rows and joining them in Python."""
    joined = (
        "string_agg(payload, chr(10) ORDER BY seq)"
        if conn.dialect == "postgresql"
        else "group_concat(payload, char(10))"
    )
    while True:
        lines, rows, through = conn.execute(
            f"SELECT {joined}, count(*), max(seq) FROM"
            " (SELECT seq, payload FROM index_outbox WHERE seq > ? ORDER BY seq LIMIT ?) AS due",
            (seq, limit),
        ).fetchone()
        if rows <= 1 or len(lines) <= max_chars:
            return Pending(lines or "", rows, through or 0, rows == limit)
        limit = rows // 2  # large events (rare): halve until they fit


def oldest_after(conn: Connection, seq: int) -> int | None:
    """When the oldest row not yet applied was written (None: the index is up to date)."""
    row = conn.execute(
        "SELECT created_at FROM index_outbox WHERE seq > ? ORDER BY seq LIMIT 1", (seq,)
    ).fetchone()
    return row[0] if row else None


def last_seq(conn: Connection) -> int:
    """The highest seq ever handed out (rows up to it may have been deleted once applied)."""
    if conn.dialect == "postgresql":
        row = conn.execute(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM index_outbox_seq_seq"
        ).fetchone()
    else:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'index_outbox'").fetchone()
    return row[0] if row else 0


def pruned_through(conn: Connection) -> int:
    """Rows with seq up to this may have been deleted: an index that applied less is behind."""
    return counters.value(conn, counters.INDEX_OUTBOX_PRUNED)


def prune_through(conn: Connection, seq: int) -> int:
    """Delete the rows every live node has applied (those up to `seq`)."""
    counters.raise_to(conn, counters.INDEX_OUTBOX_PRUNED, seq)
    return conn.execute("DELETE FROM index_outbox WHERE seq <= ?", (seq,)).rowcount


def count_after(conn: Connection, seq: int) -> int:
    return conn.execute("SELECT count(*) FROM index_outbox WHERE seq > ?", (seq,)).fetchone()[0]
