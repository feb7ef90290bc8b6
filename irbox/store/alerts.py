"""The `alerts` table. Dedup on (source, external_id) is a unique constraint, so concurrent
duplicates cannot race into two rows."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from typing import Any

import msgspec

from irbox.store.database import (
    Connection,
    Row,
    chunked,
    flat,
    json_elements,
    json_field,
    moved_to_case,
    values_list,
)

COLUMNS = (
    "seq, id, source, external_id, severity, title, description, tags, asset, observables, raw,"
    " detected_at, status, occurrences, first_seen_at, last_seen_at, case_id, dismissal_reason,"
    " dismissal_comment, dismissed_by, dismissed_at, triaged_at"
)
SUMMARY_COLUMNS = COLUMNS.replace(" description,", "").replace(" raw,", "")
# A severity's rank (critical 4 … info 0), written as migration 0029's indexes write it.
SEVERITY_RANK = (
    "(CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2"
    " WHEN 'low' THEN 1 ELSE 0 END)"
)

# The columns an ingest writes.
INGEST_COLUMNS = (
    "id", "source", "external_id", "severity", "title", "description", "tags", "asset",
    "observables", "raw", "detected_at", "status", "first_seen_at", "last_seen_at", "created_by",
    "dismissal_reason", "dismissal_comment", "dismissed_at",
)  # fmt: skip

# A whole batch of alerts in one statement (one call from Python, where a statement per alert
# cost the writer's thread a GIL hand-off each). Rows go in in order, so `seq` follows it; a
# duplicate, of a stored alert or of an earlier row of the batch, counts one more occurrence.
_UPSERT_HEAD = f"INSERT INTO alerts ({', '.join(INGEST_COLUMNS)}, triaged_at, occurrences) VALUES "
_UPSERT_TAIL = (
    " ON CONFLICT (source, external_id) DO UPDATE SET occurrences = occurrences + 1,"
    " last_seen_at = max(last_seen_at, excluded.last_seen_at)"
)
# What each row became: one result row for the batch, its entries tagged with the row's index.
_STORED_HEAD = "SELECT json_group_array(json_array(k.column1, a.id, a.seq, a.status)) FROM (VALUES "
_STORED_TAIL = ") AS k JOIN alerts AS a ON a.source = k.column2 AND a.external_id = k.column3"

_ingest_values = operator.itemgetter(*INGEST_COLUMNS)
_decode_stored = msgspec.json.Decoder(list[tuple[int, str, int, str]]).decode


def upsert_many(conn: Connection, rows: list[dict[str, Any]]) -> list[tuple[str, int, str, bool]]:
    """Insert each new alert, or count one more occurrence of the stored one. `rows` map each of
    `INGEST_COLUMNS` to its value. Returns (id, seq, status, created) per row, in order."""
    if conn.dialect == "postgresql":
        from irbox.store.postgres import ingest

        result = ingest.upsert_many(conn, rows, INGEST_COLUMNS)
        created = [seq for _, seq, _, new in result if new]
        if created:  # by their seqs: another node's batch may have taken seqs in between
            conn.execute(_INDEX_TEXT_PG, (created,))
        return result
    outcome: list[tuple[str, int, str, bool]] = []
    for chunk in chunked(rows):
        params = flat([(*_ingest_values(row), row["dismissed_at"]) for row in chunk])
        upsert = values_list(len(INGEST_COLUMNS) + 1, len(chunk), ", 1")
        conn.execute(_UPSERT_HEAD + upsert + _UPSERT_TAIL, params)
        keys = flat([(i, row["source"], row["external_id"]) for i, row in enumerate(chunk)])
        stored_sql = _STORED_HEAD + values_list(3, len(chunk)) + _STORED_TAIL
        stored = _decode_stored(conn.execute(stored_sql, keys).fetchone()[0])
        part: list[tuple[str, int, str, bool]] = [("", 0, "", False)] * len(chunk)
        for index, alert_id, seq, status in stored:
            part[index] = (alert_id, seq, status, alert_id == chunk[index]["id"])
        created = [seq for _, seq, _, new in part if new]
        if created:  # the chunk's new rows, consecutive: this writer stored nothing between
            index_text(conn, min(created), max(created))
        outcome += part
    return outcome


def index_text(conn: Connection, first_seq: int, last_seq: int) -> None:
    """Put the alerts `first_seq`..`last_seq` in the text index (migration 0031)."""
    conn.execute(_INDEX_TEXT, (first_seq, last_seq))


# Text search: one statement a chunk costs ~20 µs an alert where a trigger a row cost ~75 µs
# (100,000 alerts with three observables each, 2026-12-06).
_INDEX_TEXT = (
    "INSERT INTO alerts_text (rowid, title, description, observables)"
    " SELECT seq, title, coalesce(description, ''),"
    " (SELECT group_concat(json_extract(value, '$.value'), ' ') FROM json_each(observables))"
    " FROM alerts WHERE seq BETWEEN ? AND ?"
)


# PostgreSQL: words split where unicode61 splits them (at anything not a letter or digit), so a
# search finds the same alerts on both engines.
WORDS_PG = (
    "to_tsvector('simple', regexp_replace(lower(title || ' ' || coalesce(description, '') || ' '"
    " || coalesce((SELECT string_agg(o ->> 'value', ' ')"
    " FROM jsonb_array_elements(observables::jsonb) AS o), '')), '[^[:alnum:]]+', ' ', 'g'))"
)
_INDEX_TEXT_PG = (
    f"INSERT INTO alerts_text (seq, words) SELECT seq, {WORDS_PG} FROM alerts WHERE seq = ANY(?)"
)


def text_query_pg(text: str) -> str:
    """`text_query` as a PostgreSQL tsquery: each typed word a phrase of its parts, all of
    them required, a trailing `*` a prefix of the last part."""
    terms = []
    for word in text.split():
        prefix = word.endswith("*") and len(word) > 1
        parts = [part.lower() for part in re.findall(r"[^\W_]+", word.rstrip("*"))]
        if not parts:
            continue
        phrase = " <-> ".join(f"'{part}'" for part in parts)
        terms.append(f"({phrase}:*)" if prefix else f"({phrase})")
    return " & ".join(terms)


def _matches(conn: Connection, text: str) -> tuple[str, str, str]:
    """The text index's table key, a WHERE term for `text` and its parameter."""
    if conn.dialect == "postgresql":
        return "alerts_text.seq", "words @@ to_tsquery('simple', ?)", text_query_pg(text)
    return "alerts_text.rowid", "alerts_text MATCH ?", text_query(text)


def text_query(text: str) -> str:
    """What a person typed as an FTS5 query: every word must appear, whole, in the title,
    description or an observable value; a word ending in `*` stands for the words starting so.
    Quotes make each a literal phrase, so nothing typed is FTS syntax (`evil.example.com` is
    the phrase evil example com). Whole words, not prefixes, by default: at 1 M alerts a
    common word takes 0.3 ms whole and 33 ms as a prefix (2026-12-06)."""
    terms = []
    for word in text.split():
        prefix = word.endswith("*") and len(word) > 1
        quoted = '"' + word.rstrip("*").replace('"', '""') + '"'
        terms.append(quoted + "*" if prefix else quoted)
    return " AND ".join(terms) or '""'


def get(conn: Connection, alert_id: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()


def page(
    conn: Connection,
    *,
    statuses: list[str],
    severities: list[str],
    sources: list[str],
    since: int | None,
    until: int | None,
    text: str | None,
    before_seq: int | None,
    limit: int,
    after_seq: int | None = None,
    oldest_first: bool = False,
    tags: list[str] | None = None,
    by_severity: bool = False,
    before_rank: tuple[int, int] | None = None,
    after_rank: tuple[int, int] | None = None,
) -> list[Row]:
    """Newest first (oldest with `oldest_first`), or with `by_severity` most severe first and
    newest first within a severity, continuing before `before_rank` (a rank and a seq); from
    `after_rank`, the alerts just above it in that order, nearest first."""
    where: list[str] = []
    args: list[Any] = []
    for column, values in (("status", statuses), ("severity", severities), ("source", sources)):
        if values:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            args.extend(values)
    if tags:  # any of them; tags are a JSON list on the row
        marks = ",".join("?" * len(tags))
        tag = json_elements(conn, "alerts.tags", "t", scalars=True)
        where.append(f"EXISTS (SELECT 1 FROM {tag} WHERE t.value IN ({marks}))")
        args.extend(tags)
    if since is not None:
        where.append("detected_at >= ?")
        args.append(since)
    if until is not None:
        where.append("detected_at <= ?")
        args.append(until)
    if before_seq is not None:
        where.append("seq < ?")
        args.append(before_seq)
    if after_seq is not None:  # the live queue: complete only while rows commit in seq order
        where.append("seq > ?")
        args.append(after_seq)
    if text and not by_severity:
        return _text_page(conn, where, args, text, oldest_first, limit)
    if text:  # by severity: the order is the rank index's, the text a filter
        key, term, query = _matches(conn, text)
        where.append(f"seq IN (SELECT {key} FROM alerts_text WHERE {term})")
        args.append(query)
    if by_severity and before_rank is not None:
        return _page_by_severity_from(conn, where, args, before_rank, limit, down=True)
    if by_severity and after_rank is not None:
        return _page_by_severity_from(conn, where, args, after_rank, limit, down=False)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    order = f"{SEVERITY_RANK} DESC, seq DESC" if by_severity else (
        f"seq {'ASC' if oldest_first else 'DESC'}"
    )  # fmt: skip
    return conn.execute(
        f"SELECT {SUMMARY_COLUMNS} FROM alerts {clause} ORDER BY {order} LIMIT ?",
        (*args, limit),
    ).fetchall()


_QUALIFIED = ", ".join(f"alerts.{c.strip()}" for c in SUMMARY_COLUMNS.split(","))


def _text_page(
    conn: Connection,
    where: list[str],
    args: list[Any],
    text: str,
    oldest_first: bool,
    limit: int,
) -> list[Row]:
    """Alerts holding the text, in seq order: the text index walked in its rowid order, each
    hit's row checked against the other filters (an `IN (matches)` would first collect every
    match: 120 ms for a word in half of 300,000 alerts, against 3 ms this way)."""
    key, term, query = _matches(conn, text)
    terms = " AND ".join([term, *where])
    return conn.execute(
        f"SELECT {_QUALIFIED} FROM alerts_text JOIN alerts ON alerts.seq = {key}"
        f" WHERE {terms} ORDER BY {key} {'ASC' if oldest_first else 'DESC'} LIMIT ?",
        (query, *args, limit),
    ).fetchall()


def _page_by_severity_from(
    conn: Connection,
    where: list[str],
    args: list[Any],
    start: tuple[int, int],
    limit: int,
    down: bool,
) -> list[Row]:
    """From `start` (a rank and a seq) down the severity order (`down`), or up it nearest
    first: the rest of its severity, then the other ones; two index ranges (one row-value
    comparison would walk the start's severity from its top on every page)."""
    base = " AND ".join([*where, "TRUE"])
    rank, seq = start
    seq_cmp, rank_cmp, order = ("<", "<", "DESC") if down else (">", ">", "ASC")
    part = f"SELECT {SUMMARY_COLUMNS}, {SEVERITY_RANK} AS r FROM alerts WHERE {base}"
    return conn.execute(
        f"SELECT {SUMMARY_COLUMNS} FROM ("
        f"SELECT * FROM ({part} AND {SEVERITY_RANK} = ? AND seq {seq_cmp} ?"
        f" ORDER BY seq {order} LIMIT ?) AS same UNION ALL SELECT * FROM ({part}"
        f" AND {SEVERITY_RANK} {rank_cmp} ? ORDER BY {SEVERITY_RANK} {order}, seq {order}"
        f" LIMIT ?) AS other_ranks) AS both_parts ORDER BY r {order}, seq {order} LIMIT ?",
        (*args, rank, seq, limit, *args, rank, limit, limit),
    ).fetchall()


def sources(conn: Connection, limit: int) -> list[str]:
    """The distinct sources, in order, up to `limit`: one seek of the (source, seq) index per
    source (a recursive walk), not a scan of every alert."""
    rows = conn.execute(
        "WITH RECURSIVE s(name, n) AS (SELECT min(source), 1 FROM alerts UNION ALL"
        " SELECT (SELECT min(source) FROM alerts WHERE source > s.name), n + 1 FROM s"
        " WHERE s.name IS NOT NULL AND n < ?) SELECT name FROM s WHERE name IS NOT NULL",
        (limit,),
    ).fetchall()
    return [row[0] for row in rows]


def latest_seq(conn: Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM alerts").fetchone()[0]


def set_dismissed(
    conn: Connection, alert_id: str, reason: str, comment: str, by: str | None, at: int
) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'dismissed', dismissal_reason = ?, dismissal_comment = ?,"
        " dismissed_by = ?, dismissed_at = ?, triaged_at = ? WHERE id = ?",
        (reason, comment, by, at, at, alert_id),
    )


def set_triage(conn: Connection, alert_id: str) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'triage', dismissal_reason = NULL, dismissal_comment = NULL,"
        " dismissed_by = NULL, dismissed_at = NULL, triaged_at = NULL WHERE id = ?",
        (alert_id,),
    )


def set_escalated(conn: Connection, alert_id: str, case_id: str, at: int) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'escalated', case_id = ?, triaged_at = ? WHERE id = ?",
        (case_id, at, alert_id),
    )


def summaries(conn: Connection, ids: list[str]) -> dict[str, Row]:
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT id, title, severity, status, source, detected_at FROM alerts"
        f" WHERE id IN ({','.join('?' * len(ids))})",
        ids,
    ).fetchall()
    return {r["id"]: r for r in rows}


def for_case(conn: Connection, case_id: str) -> list[Row]:
    return conn.execute(
        "SELECT id, title, severity, source, status, detected_at, observables FROM alerts"
        " WHERE case_id = ? ORDER BY seq",
        (case_id,),
    ).fetchall()


def all_observables(conn: Connection) -> Iterator[str]:
    """The observables JSON of every alert (streamed)."""
    for (raw,) in conn.execute("SELECT observables FROM alerts"):
        yield raw


def triage_counts(conn: Connection) -> dict[str, int]:
    """Alerts waiting in triage, per severity."""
    rows = conn.execute(
        "SELECT severity, count(*) FROM alerts WHERE status = 'triage' GROUP BY severity"
    )
    return dict(rows.fetchall())


def set_tags(conn: Connection, alert_id: str, tags: str) -> None:
    """`tags`: the alert's whole list, as JSON."""
    conn.execute("UPDATE alerts SET tags = ? WHERE id = ?", (tags, alert_id))


def in_triage_on_host(conn: Connection, hostname: str, limit: int) -> list[str]:
    """Ids of the alerts in triage whose asset is `hostname` (any case), newest first. The
    expression is the one `alerts_asset_hostname` indexes (migration 0016)."""
    rows = conn.execute(
        f"SELECT id FROM alerts WHERE lower({json_field(conn, 'asset', 'hostname')}) = ?"
        " AND status = 'triage' ORDER BY seq DESC LIMIT ?",
        (hostname.lower(), limit),
    )
    return [row[0] for row in rows.fetchall()]


def new_since(conn: Connection, seq: int, severities: tuple[str, ...], limit: int) -> list[Row]:
    """Alerts stored after `seq` at one of `severities` and waiting in triage (a suppressed one
    is dismissed as it arrives), oldest first: what a new-alert mail is about."""
    if not severities:
        return []
    marks = ",".join("?" * len(severities))
    return conn.execute(
        "SELECT seq, id, source, severity, title FROM alerts"
        f" WHERE seq > ? AND severity IN ({marks}) AND status = 'triage' ORDER BY seq LIMIT ?",
        (seq, *severities, limit),
    ).fetchall()


def last_seq(conn: Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM alerts").fetchone()[0]


def count_waiting_since(conn: Connection, severity: str, received_before: int) -> int:
    """Alerts of `severity` still in triage that irbox received before then."""
    return conn.execute(
        "SELECT count(*) FROM alerts WHERE status = 'triage' AND severity = ?"
        " AND first_seen_at < ?",
        (severity, received_before),
    ).fetchone()[0]


def move_to_case(conn: Connection, from_case: str, to_case: str) -> list[str]:
    """Every row of `from_case` now of `to_case` (a merge); the ids moved, in their order."""
    return moved_to_case(conn, "alerts", from_case, to_case)


def open_case_on_host(
    conn: Connection, hostname: str, source: str, lo: int, hi: int
) -> tuple[str, int] | None:
    """The open case holding the earliest alert of `source` on `hostname` (any case) detected
    between `lo` and `hi`: (case id, that detection time). The host expression is the one
    `alerts_asset_hostname` indexes (migration 0016)."""
    row = conn.execute(
        "SELECT a.case_id, a.detected_at FROM alerts a JOIN cases c ON c.id = a.case_id"
        f" WHERE lower({json_field(conn, 'a.asset', 'hostname')}) = ? AND a.source = ?"
        " AND a.detected_at BETWEEN ? AND ? AND c.status IN ('open', 'in_progress')"
        " ORDER BY a.detected_at LIMIT 1",
        (hostname.lower(), source, lo, hi),
    ).fetchone()
    return (row[0], row[1]) if row else None


def open_case_sharing(
    conn: Connection, kind: str, value: str, source: str, lo: int, hi: int
) -> tuple[str, int] | None:
    """The open case holding the earliest alert of `source` that carried the observable and
    was detected between `lo` and `hi`: (case id, that detection time). The cases holding the
    observable come from `case_observables`' (type, value) index; their alerts from the
    case_id index."""
    row = conn.execute(
        "SELECT a.case_id, a.detected_at FROM case_observables o"
        " JOIN cases c ON c.id = o.case_id AND c.status IN ('open', 'in_progress')"
        " JOIN alerts a ON a.case_id = o.case_id"
        " WHERE o.type = ? AND o.value = ? AND a.source = ? AND a.detected_at BETWEEN ? AND ?"
        f" AND EXISTS (SELECT 1 FROM {json_elements(conn, 'a.observables', 'j')}"
        f"  WHERE {json_field(conn, 'j.value', 'type')} = ?"
        f" AND {json_field(conn, 'j.value', 'value')} = ?)"
        " ORDER BY a.detected_at LIMIT 1",
        (kind, value, source, lo, hi, kind, value),
    ).fetchone()
    return (row[0], row[1]) if row else None
