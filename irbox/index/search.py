"""Queries on the index: every sighting of one observable, folded per alert and per case."""

from __future__ import annotations

import msgspec

from irbox.index.database import KEY_OF_PARAMS, IndexDatabase


class Sighted(msgspec.Struct):
    alert_count: int = 0
    case_count: int = 0
    first_seen: int | None = None
    last_seen: int | None = None


# `key = ?` lets DuckDB skip every row group but about one per level (`levels.py`); type and
# value then guard against hash collisions. The count deltas are summed here (measured: a plain
# sum halves the p99 of a GROUP BY over the view).
_COUNTS = (
    "SELECT count(*), sum(alert_count), sum(case_count), min(first_seen), max(last_seen)"
    f" FROM observables WHERE key = {KEY_OF_PARAMS} AND type = ? AND value = ?"
)


# The LIMIT keeps the other filters out of the scans, which then test only `key` (measured at
# 10 M sightings: p50 3.2 ms, against 3.9 with every filter pushed into the scans).
_SIGHTINGS_BY_KEY = (
    f"(SELECT * FROM sightings WHERE key = {KEY_OF_PARAMS} LIMIT 9223372036854775807)"
)


# A sighting taken back (an observable removed from a case) at or after it was recorded.
_NOT_REMOVED = (
    "NOT EXISTS (SELECT 1 FROM removed_sightings r WHERE r.key = s.key"
    " AND r.entity_id = s.entity_id AND r.seen_until >= s.seen_at)"
)


def sighted(index: IndexDatabase, kind: str, value: str) -> Sighted:
    ((deltas, *counts),) = index.query(_COUNTS, [kind, value, kind, value])
    return Sighted(*counts) if deltas else Sighted()


def entities(
    index: IndexDatabase, kind: str, value: str, entity: str, before_seq: int | None, limit: int
) -> list[tuple[str, int]]:
    """(id, seq) of the alerts or cases touching the observable, newest first."""
    removed = f" AND {_NOT_REMOVED}" if entity == "case" else ""  # only cases lose observables
    return [
        (row[0], row[1])
        for row in index.query(
            f"SELECT entity_id, entity_seq FROM {_SIGHTINGS_BY_KEY} AS s"
            f" WHERE type = ? AND value = ? AND entity = ? AND entity_seq < ?{removed}"
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
    rows = index.query(
        f"SELECT type, count(*) FROM sightings AS s WHERE {_NOT_REMOVED} GROUP BY type"
    )
    return dict(rows)
