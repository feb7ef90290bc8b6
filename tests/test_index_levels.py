"""The index's sorted levels: merging batches down the levels never changes an answer, and a
look-up needs no index (DuckDB skips row groups by their min/max key)."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import duckdb
import pytest

from irbox.index import indexer as indexer_module
from irbox.index import levels, search
from irbox.index.batch import Batch
from irbox.index.database import IndexDatabase
from irbox.index.events import AlertSeen, CaseObservable, CaseObservableRemoved, payload
from irbox.index.indexer import Indexer
from irbox.store import outbox
from irbox.store.sqlite.database import SqliteDatabase as Database
from irbox.store.sqlite.migrate import migrate
from irbox.store.sqlite.writer import open_writer as Writer

VALUES = [("ip", f"198.51.100.{i}") for i in range(7)] + [("domain", "x.example")]


def _rows_per_table(index: IndexDatabase, part: str) -> dict[str, int]:
    names = [r[0] for r in index.query("SELECT table_name FROM duckdb_tables() ORDER BY 1")]
    return {n: index.query(f"SELECT count(*) FROM {n}")[0][0] for n in names if n.startswith(part)}


def test_merges_keep_every_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(levels, "TAIL_ROWS", 5)  # merges after a few batches, not 100,000 rows
    monkeypatch.setattr(levels, "GROWTH", 2)
    monkeypatch.setattr(levels, "SORT_ROWS", 7)  # and sorts them in several key slices
    index = IndexDatabase(tmp_path / "i.duckdb")
    rng = random.Random(7)
    expected: dict[tuple[str, str], list[tuple[str, int]]] = {v: [] for v in VALUES}
    seq = 0
    for batch_no in range(40):
        batch = Batch()
        for _ in range(3):
            seq += 1
            pairs = rng.sample(VALUES, 2)
            for at, new in ((seq, True), (seq + 1, False)):  # seen, then seen again
                seen = AlertSeen(f"al_{seq}", seq, "edr", "high", at, new, pairs)
                batch.add_payload(payload(seen))
            for pair in pairs:
                expected[pair].append((f"al_{seq}", seq))
        batch.add_payload(payload(CaseObservable(f"ca_{batch_no}", batch_no, *VALUES[0], seq)))
        batch.write(index, seq)
        levels.settle(index.cursor())
        for kind, value in VALUES:
            alerts = expected[(kind, value)]
            got = search.entities(index, kind, value, "alert", None, 1000)
            assert got == sorted(alerts, key=lambda a: -a[1])
            counts = search.sighted(index, kind, value)
            assert counts.alert_count == len(alerts)
            assert counts.case_count == (batch_no + 1 if (kind, value) == VALUES[0] else 0)
            if alerts and (kind, value) != VALUES[0]:  # (the case sighting moves last_seen)
                assert counts.first_seen == alerts[0][1] and counts.last_seen == alerts[-1][1] + 1
    sightings = _rows_per_table(index, "sightings_")
    assert sightings["sightings_tail"] < 5 and sightings["sightings_4"] > 0  # merged all the way
    assert sum(sightings.values()) == sum(len(a) for a in expected.values()) + 40
    for table in ("sightings_4", "observables_4"):  # each level is sorted by key
        keys = [r[0] for r in index.query(f"SELECT key FROM {table}")]
        assert keys == sorted(keys)
    # the observables levels hold one row per observable once merged, however many batches
    observables = index.query("SELECT count(*), count(DISTINCT key) FROM observables_4")[0]
    assert observables[0] == observables[1]
    index.close()


def test_compact_leaves_one_sorted_table(tmp_path: Path) -> None:
    index = IndexDatabase(tmp_path / "i.duckdb")
    batch = Batch()
    for seq in range(1, 200):
        pairs = [("ip", f"203.0.113.{seq % 50}")]
        batch.add_payload(payload(AlertSeen(f"al_{seq}", seq, "edr", "low", seq, True, pairs)))
    batch.write(index, 199)
    levels.compact(index.cursor())
    assert _rows_per_table(index, "sightings_") == {
        "sightings_1": 0, "sightings_2": 0, "sightings_3": 0, "sightings_4": 199,
        "sightings_tail": 0,
    }  # fmt: skip
    assert search.sighted(index, "ip", "203.0.113.7").alert_count == 4
    index.close()


def test_an_older_layout_is_left_for_the_rebuild(tmp_path: Path) -> None:
    old = duckdb.connect(str(tmp_path / "i.duckdb"))
    old.execute("CREATE TABLE sightings (key UBIGINT)")
    old.execute("CREATE TABLE observables (key UBIGINT)")
    old.close()
    index = IndexDatabase(tmp_path / "i.duckdb")  # opens: start-up sees the schema version
    assert index.meta("schema_version") == 0
    assert index.query("SELECT count(*) FROM sightings") == [(0,)]
    index.close()


def test_merges_beside_appends_and_readers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the server: batches appended on one thread, levels merged on another, look-ups on
    two more. Every answer is a state between two batches (a multiple of the batch's count),
    nothing fails, and no row appended during a merge is lost."""
    monkeypatch.setattr(levels, "TAIL_ROWS", 20)
    monkeypatch.setattr(levels, "GROWTH", 2)
    index = IndexDatabase(tmp_path / "i.duckdb")
    answers: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def look() -> None:
        while not done.is_set():
            try:
                with index.snapshot():
                    count = search.sighted(index, "ip", "192.0.2.1").alert_count
                    listed = search.entities(index, "ip", "192.0.2.1", "alert", None, 10_000)
                assert len(listed) == count
                answers.append(count)
            except BaseException as exc:
                errors.append(exc)
                return

    merges = [0]

    def merge() -> None:
        while not done.is_set():
            try:
                merges[0] += levels.settle(index.cursor())
            except BaseException as exc:
                errors.append(exc)
                return

    readers = [threading.Thread(target=look) for _ in range(2)] + [threading.Thread(target=merge)]
    for reader in readers:
        reader.start()
    try:
        for seq in range(1, 121):
            batch = Batch()
            for n in range(5):
                pairs = [("ip", "192.0.2.1"), ("ip", f"198.51.100.{n}")]
                at = seq * 10 + n
                seen = AlertSeen(f"al_{at}", at, "edr", "low", at, True, pairs)
                batch.add_payload(payload(seen))
            batch.write(index, seq)
    finally:
        done.set()
    for reader in readers:
        reader.join()
    assert not errors, errors
    assert answers and all(count % 5 == 0 for count in answers)
    assert merges[0] > 3
    assert search.sighted(index, "ip", "192.0.2.1").alert_count == 600
    assert len(search.entities(index, "ip", "192.0.2.1", "alert", None, 10_000)) == 600
    index.close()


def test_a_quiet_indexer_folds_the_levels_into_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a spell without batches the merger folds everything into the last level (search
    then scans one table per part), and new batches still land while it does."""
    monkeypatch.setattr(levels, "TAIL_ROWS", 5)
    monkeypatch.setattr(levels, "GROWTH", 2)
    monkeypatch.setattr(indexer_module, "IDLE_S", 0.3)
    migrate(tmp_path / "irbox.db")
    db, writer = Database(tmp_path / "irbox.db"), Writer(tmp_path / "irbox.db")
    index = IndexDatabase(tmp_path / "i.duckdb")
    indexer = Indexer(db, index, writer, "node_test", poll_s=0.02)

    def ingest(first: int, count: int) -> None:
        def add(conn) -> None:
            for seq in range(first, first + count):
                pairs = [("ip", "192.0.2.9"), ("ip", f"198.51.100.{seq}")]
                seen = AlertSeen(f"al_{seq}", seq, "edr", "low", seq, True, pairs)
                outbox.add(conn, "alert_seen", payload(seen), seq)

        writer.run_sync(add)

    indexer.start()
    try:
        for n in range(12):  # batch after batch: merged into several levels
            ingest(n * 4 + 1, 4)
            time.sleep(0.05)
        deadline = time.monotonic() + 10
        while levels.scattered(index.cursor()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not levels.scattered(index.cursor())
        assert _rows_per_table(index, "sightings_")["sightings_4"] == 96
        ingest(49, 4)  # and indexing goes on
        deadline = time.monotonic() + 10
        while search.sighted(index, "ip", "192.0.2.9").alert_count < 52:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        indexer.stop()
        writer.close()
        index.close()


def test_an_alert_with_many_observables_fits_a_small_memory_limit(tmp_path: Path) -> None:
    """Unpacking must not copy an event's JSON into each of its observables' rows (it did: one
    alert of 1,000 observables then needed more than 192 MB)."""
    index = IndexDatabase(tmp_path / "i.duckdb", memory_mb=64)
    batch = Batch()
    many = [("other", f"value-{n:05d}") for n in range(5000)]
    batch.add_payload(payload(AlertSeen("al_big", 1, "edr", "high", 10, True, many)))
    for n in range(9):
        seen = AlertSeen("al_small", 2, "edr", "low", 11 + n, n == 0, [("ip", "203.0.113.4")])
        batch.add_payload(payload(seen))
    batch.write(index, 10)
    assert search.sighted(index, "other", "value-04999").alert_count == 1
    assert search.sighted(index, "ip", "203.0.113.4").last_seen == 19
    index.close()


def test_a_removal_hides_the_sighting_it_names_whatever_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An observable taken off a case hides that case's sighting, in the tail and after merges,
    keyed on when the sighting was recorded (not when it was removed: a clock set back between
    the two must not leave it standing); added again later, it counts again."""
    monkeypatch.setattr(levels, "TAIL_ROWS", 2)
    index = IndexDatabase(tmp_path / "i.duckdb")
    kind, value = VALUES[0]

    def apply(*events: object, through: int) -> None:
        Batch([payload(e) for e in events]).write(index, through)  # type: ignore[arg-type]

    def cases() -> list[str]:
        return [c for c, _ in search.entities(index, kind, value, "case", None, 10)]

    apply(
        CaseObservable("ca_1", 1, kind, value, 5_000),
        CaseObservable("ca_2", 2, kind, value, 5_001),
        through=1,
    )
    levels.settle(index.cursor())  # the sightings now sit in a sorted level
    assert cases() == ["ca_2", "ca_1"] and search.sighted(index, kind, value).case_count == 2
    apply(
        CaseObservableRemoved("ca_1", kind, value, 5_000), through=2
    )  # removed "before" it was added
    assert cases() == ["ca_2"]
    counts = search.sighted(index, kind, value)
    assert (counts.case_count, counts.first_seen, counts.last_seen) == (1, 5_000, 5_001)
    assert search.count_by_type(index) == {kind: 1}
    apply(CaseObservable("ca_1", 1, kind, value, 9_000), through=3)  # added back
    levels.compact(index.cursor())
    assert cases() == ["ca_2", "ca_1"] and search.sighted(index, kind, value).case_count == 2
    assert search.count_by_type(index) == {kind: 2}
