"""The indexer reads the outbox as one string of JSON lines: exactly the rows up to the position
it records, within its row and size limits, one event per line whatever the values hold."""

from __future__ import annotations

import json
from pathlib import Path

from irbox.index.events import AlertSeen, payload
from irbox.store import outbox
from irbox.store.sqlite.database import SqliteDatabase as Database
from irbox.store.sqlite.migrate import migrate
from irbox.store.sqlite.writer import open_writer as Writer


def _fill(tmp_path: Path, payloads: list[str]) -> Database:
    migrate(tmp_path / "irbox.db")
    writer = Writer(tmp_path / "irbox.db")
    writer.run_sync(lambda conn: [outbox.add(conn, "alert_seen", p, 1) for p in payloads])
    writer.close()
    return Database(tmp_path / "irbox.db")


def _seen(n: int, value: str = "x") -> str:
    return payload(AlertSeen(f"al_{n}", n, "edr", "low", n, True, [("other", value)]))


def test_rows_come_one_per_line_within_the_row_limit(tmp_path: Path) -> None:
    tricky = 'line one\nline two\r\n\u2028"quoted"'
    db = _fill(tmp_path, [_seen(n, tricky if n == 3 else "x") for n in range(1, 8)])
    first = db.read(outbox.pending_after, 0, 5, 1 << 20)
    assert (first.rows, first.through_seq, first.more) == (5, 5, True)
    events = [json.loads(line) for line in first.lines.split("\n")]
    assert sorted(e[1] for e in events) == [f"al_{n}" for n in range(1, 6)]
    assert [e[7] for e in events if e[1] == "al_3"] == [[["other", tricky]]]
    rest = db.read(outbox.pending_after, first.through_seq, 5, 1 << 20)
    assert (rest.rows, rest.through_seq, rest.more) == (2, 7, False)
    assert db.read(outbox.pending_after, 7, 5, 1 << 20) == outbox.Pending("", 0, 0, False)
    db.close()


def test_the_size_limit_cuts_a_batch_but_always_passes_one_row(tmp_path: Path) -> None:
    big = "v" * 5000
    db = _fill(tmp_path, [_seen(1, big), _seen(2, big), _seen(3)])
    alone = db.read(outbox.pending_after, 0, 100, 100)  # the first row alone exceeds the limit
    assert (alone.rows, alone.through_seq, alone.more) == (1, 1, True)
    halved = db.read(outbox.pending_after, 1, 100, 5100)  # rows 2 and 3 do not fit together
    assert (halved.rows, halved.through_seq, halved.more) == (1, 2, True)
    both = db.read(outbox.pending_after, 1, 100, 6000)
    assert (both.rows, both.through_seq, both.more) == (2, 3, False)
    assert len(both.lines) <= 6000
    db.close()
