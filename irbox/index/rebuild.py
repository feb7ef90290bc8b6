"""Rebuild the index from the database (`irbox reindex`, and at start when the index cannot catch up
from the outbox, e.g. after a restore). Built in a new file and swapped in, so a failed rebuild
leaves the old index in place."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec

from irbox.index import levels
from irbox.index.batch import Batch
from irbox.index.database import IndexDatabase, index_version
from irbox.index.events import AlertSeen, AlertTriaged, CaseObservable, CaseState, payload
from irbox.observable import Observable
from irbox.store import outbox
from irbox.store.database import Connection, Database

log = logging.getLogger("irbox.index")
CHUNK = 50_000
_decode_observables = msgspec.json.Decoder(list[Observable]).decode


class Rebuilt(msgspec.Struct):
    alerts: int
    case_observables: int
    sightings: int
    seconds: float


def rebuild(db: Database, index_path: Path, memory_mb: int | None = None) -> Rebuilt:
    started = time.monotonic()
    tmp = index_path.with_name(index_path.name + ".rebuild")
    for stale in (tmp, Path(f"{tmp}.wal")):
        stale.unlink(missing_ok=True)
    index = IndexDatabase(tmp, memory_mb=memory_mb)
    try:
        # One read, one snapshot: the outbox position matches the rows read.
        alerts, observables = db.read(_fill, index)
        levels.compact(index.cursor())
        index.set_meta("schema_version", index_version())
        sightings = index.query("SELECT count(*) FROM sightings")[0][0]
    finally:
        index.close()
    Path(f"{index_path}.wal").unlink(missing_ok=True)  # never replay an old file's log
    os.replace(tmp, index_path)
    result = Rebuilt(alerts, observables, sightings, round(time.monotonic() - started, 2))
    log.info("index rebuilt", extra=msgspec.structs.asdict(result))
    return result


def _fill(conn: Connection, index: IndexDatabase) -> tuple[int, int]:
    through = outbox.last_seq(conn)
    return _alerts(conn, index, through), _cases(conn, index, through)


def _alerts(conn: Connection, index: IndexDatabase, through: int) -> int:
    count = 0
    for rows, events in alert_events(conn, CHUNK):
        Batch(events).write(index, through)
        count += rows
    return count


def alert_events(conn: Connection, chunk: int) -> Iterator[tuple[int, list[str]]]:
    """The index events (as payloads) the outbox held for every alert, `chunk` alerts at a time,
    in the order they arrived: (alerts, events) per chunk."""
    after = 0
    while True:
        rows = conn.execute(
            "SELECT seq, id, source, severity, observables, first_seen_at, last_seen_at,"
            " triaged_at, detected_at FROM alerts WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, chunk),
        ).fetchall()
        if not rows:
            return
        events = []
        for r in rows:
            pairs = [(o.type, o.value) for o in _decode_observables(r["observables"])]
            seen = AlertSeen(r["id"], r["seq"], r["source"], r["severity"], r["first_seen_at"],
                             True, pairs, r["detected_at"])  # fmt: skip
            events.append(payload(seen))
            if r["last_seen_at"] != r["first_seen_at"]:  # seen again (dedup)
                again = AlertSeen(r["id"], r["seq"], r["source"], r["severity"],
                                  r["last_seen_at"], False, pairs)  # fmt: skip
                events.append(payload(again))
            if r["triaged_at"] is not None:  # left triage (dismissed or escalated: the same)
                events.append(payload(AlertTriaged(r["id"], r["triaged_at"], "dismissed")))
        yield len(rows), events
        after = rows[-1]["seq"]


def _cases(conn: Connection, index: IndexDatabase, through: int) -> int:
    batch = Batch()
    rows = conn.execute(
        "SELECT o.case_id, c.seq, o.type, o.value, o.first_seen FROM case_observables o"
        " JOIN cases c ON c.id = o.case_id"
    ).fetchall()
    for r in rows:
        event = CaseObservable(r["case_id"], r["seq"], r["type"], r["value"], r["first_seen"])
        batch.add_payload(payload(event))
    for r in conn.execute("SELECT id, created_at, resolved_at FROM cases"):
        batch.add_payload(payload(CaseState(r["id"], r["created_at"], "created")))
        if r["resolved_at"] is not None:
            batch.add_payload(payload(CaseState(r["id"], r["resolved_at"], "resolved")))
    batch.write(index, through)
    return len(rows)


# What start-up logs for each reason `needs_rebuild` gives.
REBUILD_REASONS = {
    "new": "building the observable index from the database (a new index file)",
    "another version": "the observable index file is of another version; rebuilding it",
    "behind": "the observable index is behind what the outbox holds; rebuilding it",
}


def needs_rebuild(index: IndexDatabase, conn: Connection) -> str | None:
    """Why the index must be rebuilt from the database, or None: a new file, a file of another
    schema version, or one that never applied outbox rows that are gone (a restored or replaced
    file, a node away longer than the others kept rows for it)."""
    version = index.meta("schema_version")
    if version == 0:
        return "new"
    if version != index_version():
        return "another version"
    if index.applied_seq() < outbox.pruned_through(conn):
        return "behind"
    return None
