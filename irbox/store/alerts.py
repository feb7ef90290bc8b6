"""The `alerts` table. Dedup on (source, external_id) is a unique constraint, so concurrent
duplicates cannot race into two rows."""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Iterator
from typing import Any

import msgspec

COLUMNS = (
    "seq, id, source, external_id, severity, title, description, tags, asset, observables, raw,"
    " detected_at, status, occurrences, first_seen_at, last_seen_at, case_id, dismissal_reason,"
    " dismissal_comment, dismissed_by, dismissed_at"
)
SUMMARY_COLUMNS = COLUMNS.replace(" description,", "").replace(" raw,", "")

# The columns an ingest writes.
INGEST_COLUMNS = (
    "id", "source", "external_id", "severity", "title", "description", "tags", "asset",
    "observables", "raw", "detected_at", "status", "first_seen_at", "last_seen_at", "created_by",
    "dismissal_reason", "dismissal_comment", "dismissed_at",
)  # fmt: skip
_SOURCE, _EXTERNAL_ID = INGEST_COLUMNS.index("source"), INGEST_COLUMNS.index("external_id")
_DISMISSED_AT = INGEST_COLUMNS.index("dismissed_at")

# A whole batch of alerts in one statement: the rows travel as one JSON array, so SQLite makes
# one pass over them (one call from Python, where a statement per alert cost the writer's thread
# the GIL hand-off per call). Rows are inserted in array order, so `seq` follows it; a duplicate,
# of a stored alert or of an earlier row in the same array, counts one more occurrence.
_UPSERT_MANY = (
    f"INSERT INTO alerts ({', '.join(INGEST_COLUMNS)}, occurrences, triaged_at)"
    f" SELECT {', '.join(f'value->>{i}' for i in range(len(INGEST_COLUMNS)))}, 1,"
    f" value->>{_DISMISSED_AT} FROM json_each(?) WHERE true ORDER BY key"  # WHERE: upsert parsing
    " ON CONFLICT (source, external_id) DO UPDATE SET occurrences = occurrences + 1,"
    " last_seen_at = max(last_seen_at, excluded.last_seen_at)"
)
# What each row of the array became: one result row for the batch, entries tagged with their index.
_STORED_MANY = (
    "SELECT json_group_array(json_array(j.key, a.id, a.seq, a.status))"
    " FROM json_each(?) AS j JOIN alerts AS a"
    f" ON a.source = j.value->>{_SOURCE} AND a.external_id = j.value->>{_EXTERNAL_ID}"
)

_ingest_values = operator.itemgetter(*INGEST_COLUMNS)
_encode = msgspec.json.Encoder().encode
_decode_stored = msgspec.json.Decoder(list[tuple[int, str, int, str]]).decode


def upsert_many(
    conn: sqlite3.Connection, rows: list[dict[str, Any]]
) -> list[tuple[str, int, str, bool]]:
    """Insert each new alert, or count one more occurrence of the stored one. `rows` map each of
    `INGEST_COLUMNS` to its value. Returns (id, seq, status, created) per row, in order."""
    batch = _encode([_ingest_values(row) for row in rows])
    conn.execute(_UPSERT_MANY, (batch,))
    stored = _decode_stored(conn.execute(_STORED_MANY, (batch,)).fetchone()[0])
    outcome: list[tuple[str, int, str, bool]] = [("", 0, "", False)] * len(rows)
    for index, alert_id, seq, status in stored:
        outcome[index] = (alert_id, seq, status, alert_id == rows[index]["id"])
    return outcome


def get(conn: sqlite3.Connection, alert_id: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()


def page(
    conn: sqlite3.Connection,
    *,
    statuses: list[str],
    severities: list[str],
    sources: list[str],
    since: int | None,
    until: int | None,
    title_contains: str | None,
    before_seq: int | None,
    limit: int,
    after_seq: int | None = None,
) -> list[sqlite3.Row]:
    where: list[str] = []
    args: list[Any] = []
    for column, values in (("status", statuses), ("severity", severities), ("source", sources)):
        if values:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            args.extend(values)
    if since is not None:
        where.append("detected_at >= ?")
        args.append(since)
    if until is not None:
        where.append("detected_at <= ?")
        args.append(until)
    if title_contains:
        escaped = title_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("title LIKE ? ESCAPE '\\'")
        args.append(f"%{escaped}%")
    if before_seq is not None:
        where.append("seq < ?")
        args.append(before_seq)
    if after_seq is not None:
        where.append("seq > ?")
        args.append(after_seq)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return conn.execute(
        f"SELECT {SUMMARY_COLUMNS} FROM alerts {clause} ORDER BY seq DESC LIMIT ?", (*args, limit)
    ).fetchall()


def latest_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM alerts").fetchone()[0]


def set_dismissed(
    conn: sqlite3.Connection, alert_id: str, reason: str, comment: str, by: str | None, at: int
) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'dismissed', dismissal_reason = ?, dismissal_comment = ?,"
        " dismissed_by = ?, dismissed_at = ?, triaged_at = ? WHERE id = ?",
        (reason, comment, by, at, at, alert_id),
    )


def set_triage(conn: sqlite3.Connection, alert_id: str) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'triage', dismissal_reason = NULL, dismissal_comment = NULL,"
        " dismissed_by = NULL, dismissed_at = NULL, triaged_at = NULL WHERE id = ?",
        (alert_id,),
    )


def set_escalated(conn: sqlite3.Connection, alert_id: str, case_id: str, at: int) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'escalated', case_id = ?, triaged_at = ? WHERE id = ?",
        (case_id, at, alert_id),
    )


def summaries(conn: sqlite3.Connection, ids: list[str]) -> dict[str, sqlite3.Row]:
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT id, title, severity, status, source, detected_at FROM alerts"
        f" WHERE id IN ({','.join('?' * len(ids))})",
        ids,
    ).fetchall()
    return {r["id"]: r for r in rows}


def for_case(conn: sqlite3.Connection, case_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, title, severity, source, status, detected_at, observables FROM alerts"
        " WHERE case_id = ? ORDER BY seq",
        (case_id,),
    ).fetchall()


def all_observables(conn: sqlite3.Connection) -> Iterator[str]:
    """The observables JSON of every alert (streamed)."""
    for (raw,) in conn.execute("SELECT observables FROM alerts"):
        yield raw


def triage_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Alerts waiting in triage, per severity."""
    rows = conn.execute(
        "SELECT severity, count(*) FROM alerts WHERE status = 'triage' GROUP BY severity"
    )
    return dict(rows.fetchall())
