"""A batch of alerts into PostgreSQL in two statements, whatever its size: the rows by COPY
into a temporary table, then one INSERT … SELECT … ON CONFLICT that folds the batch's own
duplicates first (PostgreSQL refuses to update one row twice in a statement) and takes the rows
in (source, external_id) order (so two writers' batches lock rows in the same order and cannot
deadlock)."""

from __future__ import annotations

import operator
from typing import Any, cast

from irbox.store.database import Connection
from irbox.store.postgres.connection import PgConnection, refusing_nul

_TYPES = {"detected_at": "BIGINT", "first_seen_at": "BIGINT", "last_seen_at": "BIGINT",
          "dismissed_at": "BIGINT"}  # fmt: skip


def _statements(columns: tuple[str, ...]) -> tuple[str, str, str]:
    typed = ", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in columns)
    create = (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS ingest_rows (n INTEGER, {typed},"
        " triaged_at BIGINT) ON COMMIT DELETE ROWS"
    )
    copy = f"COPY ingest_rows (n, {', '.join(columns)}, triaged_at) FROM STDIN"
    chosen = ", ".join("latest" if c == "last_seen_at" else c for c in columns)
    upsert = (
        f"INSERT INTO alerts ({', '.join(columns)}, triaged_at, occurrences)"
        f" SELECT {chosen}, triaged_at, copies FROM ("
        "  SELECT DISTINCT ON (source, external_id) *, count(*) OVER same AS copies,"
        "  max(last_seen_at) OVER same AS latest FROM ingest_rows"
        "  WINDOW same AS (PARTITION BY source, external_id) ORDER BY source, external_id, n"
        " ) AS folded ORDER BY source, external_id"
        " ON CONFLICT (source, external_id) DO UPDATE"
        " SET occurrences = alerts.occurrences + excluded.occurrences,"
        " last_seen_at = greatest(alerts.last_seen_at, excluded.last_seen_at)"
        " RETURNING id, seq, status, source, external_id"
    )
    return create, copy, upsert


def upsert_many(
    conn: Connection, rows: list[dict[str, Any]], columns: tuple[str, ...]
) -> list[tuple[str, int, str, bool]]:
    """`store.alerts.upsert_many` on PostgreSQL: (id, seq, status, created) per row, in order."""
    if not rows:
        return []
    create, copy_sql, upsert = _statements(columns)
    values = operator.itemgetter(*columns)
    raw = cast(PgConnection, conn).raw
    with raw.cursor() as cur, refusing_nul():
        cur.execute(create)
        cur.execute("TRUNCATE ingest_rows")
        with cur.copy(copy_sql) as copy:
            for n, row in enumerate(rows):
                copy.write_row((n, *values(row), row["dismissed_at"]))
        cur.execute(upsert)
        stored = {(r[3], r[4]): (r[0], r[1], r[2]) for r in cur.fetchall()}
    outcome = []
    for row in rows:
        alert_id, seq, status = stored[(row["source"], row["external_id"])]
        outcome.append((alert_id, seq, status, alert_id == row["id"]))
    return outcome
