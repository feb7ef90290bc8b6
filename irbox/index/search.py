"""Queries on the index: every sighting of one observable, folded per alert and per case."""

from __future__ import annotations

import msgspec

from irbox.index.database import IndexDatabase, observable_key


class Sighted(msgspec.Struct):
    alert_count: int = 0
    case_count: int = 0
    first_seen: int | None = None
    last_seen: int | None = None


# DuckDB uses the index on `key` only when `key = ?` is the scan's sole filter; other filters
# pushed into the scan turn it into a full scan (about 25 ms at 10 M rows). The LIMIT keeps
# them above it: the index finds the key's rows, type and value then guard against collisions.
_BY_KEY = "(SELECT * FROM sightings WHERE key = ? LIMIT 9223372036854775807)"


def sighted(index: IndexDatabase, kind: str, value: str) -> Sighted:
    rows = index.query(
        "SELECT entity, count(DISTINCT entity_id), min(seen_at), max(seen_at)"
        f" FROM {_BY_KEY} WHERE type = ? AND value = ? GROUP BY entity",
        [observable_key(kind, value), kind, value],
    )
    result = Sighted()
    for entity, count, first, last in rows:
        if entity == "alert":
            result.alert_count = count
        else:
            result.case_count = count
        result.first_seen = first if result.first_seen is None else min(first, result.first_seen)
        result.last_seen = last if result.last_seen is None else max(last, result.last_seen)
    return result


def entities(
    index: IndexDatabase, kind: str, value: str, entity: str, before_seq: int | None, limit: int
) -> list[tuple[str, int]]:
    """(id, seq) of the alerts or cases touching the observable, newest first."""
    return [
        (row[0], row[1])
        for row in index.query(
            f"SELECT entity_id, max(entity_seq) AS s FROM {_BY_KEY}"
            " WHERE type = ? AND value = ? AND entity = ?"
            " GROUP BY entity_id HAVING s < ? ORDER BY s DESC LIMIT ?",
            [
                observable_key(kind, value),
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
    rows = index.query(
        "SELECT type, count(*) FROM (SELECT DISTINCT type, value, entity, entity_id"
        " FROM sightings) GROUP BY type"
    )
    return dict(rows)
