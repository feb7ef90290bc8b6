"""Queries on the index: every sighting of one observable, folded per alert and per case."""

from __future__ import annotations

import msgspec

from irbox.index.database import KEY_OF_PARAMS, IndexDatabase


class Sighted(msgspec.Struct):
    alert_count: int = 0
    case_count: int = 0
    first_seen: int | None = None
    last_seen: int | None = None


# DuckDB uses the index on `key` only when `key = ?` is the scan's sole filter; other filters
# pushed into the scan turn it into a full scan (about 25 ms at 10 M rows). The LIMIT keeps
# them above it: the index finds the key's rows, type and value then guard against collisions.
def _by_key(table: str) -> str:
    return f"(SELECT * FROM {table} WHERE key = {KEY_OF_PARAMS} LIMIT 9223372036854775807)"


_BY_KEY = _by_key("sightings")
_COUNTS = (
    "SELECT alert_count, case_count, first_seen, last_seen"
    f" FROM {_by_key('observables')} WHERE type = ? AND value = ?"
)


def sighted(index: IndexDatabase, kind: str, value: str) -> Sighted:
    rows = index.query(_COUNTS, [kind, value, kind, value])
    return Sighted(*rows[0]) if rows else Sighted()


def entities(
    index: IndexDatabase, kind: str, value: str, entity: str, before_seq: int | None, limit: int
) -> list[tuple[str, int]]:
    """(id, seq) of the alerts or cases touching the observable, newest first."""
    return [
        (row[0], row[1])
        for row in index.query(
            f"SELECT entity_id, entity_seq FROM {_BY_KEY}"
            " WHERE type = ? AND value = ? AND entity = ? AND entity_seq < ?"
            " ORDER BY entity_seq DESC LIMIT ?",
            [
                kind,
                value,
                kind,
                value,
                entity,
                before_seq if before_seq is not None else 2**62,
                limit,
            ],
        )
    ]


def count_by_type(index: IndexDatabase) -> dict[str, int]:
    """Distinct (observable, alert or case) pairs per observable type."""
    rows = index.query("SELECT type, count(*) FROM sightings GROUP BY type")
    return dict(rows)
