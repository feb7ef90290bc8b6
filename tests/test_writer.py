"""The group-commit writer: batching, per-job rollback, durability of what it acknowledges."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from irbox.errors import StorageUnavailable
from irbox.store.database import ROWS_PER_STATEMENT, append
from irbox.store.sqlite.writer import open_writer as Writer
from irbox.store.writer import BulkJob


@pytest.fixture
def writer(tmp_path: Path):
    w = Writer(tmp_path / "w.db")
    w.run_sync(lambda c: c.execute("CREATE TABLE t (v INTEGER UNIQUE)"))
    yield w
    w.close()


def test_failing_job_rolls_back_alone(writer: Writer, tmp_path: Path) -> None:
    barrier = threading.Event()
    # Hold the writer busy so that the next three jobs land in one batch.
    blocker = writer.submit(lambda c: barrier.wait(5))
    ok1 = writer.submit(lambda c: c.execute("INSERT INTO t VALUES (1)"))

    def half_then_fail(c: sqlite3.Connection) -> None:
        c.execute("INSERT INTO t VALUES (2)")
        c.execute("INSERT INTO t VALUES (1)")  # unique violation

    bad = writer.submit(half_then_fail)
    ok3 = writer.submit(lambda c: c.execute("INSERT INTO t VALUES (3)"))
    barrier.set()
    blocker.result(5)
    ok1.result(5)
    ok3.result(5)
    with pytest.raises(sqlite3.IntegrityError):
        bad.result(5)
    conn = sqlite3.connect(tmp_path / "w.db")
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [1, 3]


def test_waiting_jobs_commit_together(writer: Writer, tmp_path: Path) -> None:
    barrier, started = threading.Event(), threading.Event()
    before = writer.commits

    def hold(c: sqlite3.Connection) -> None:
        started.set()
        barrier.wait(5)

    blocker = writer.submit(hold)
    # Only once the writer runs the blocker are the next jobs sure to queue behind it.
    assert started.wait(5)
    futures = [
        writer.submit(lambda c, i=i: c.execute("INSERT INTO t VALUES (?)", (i,)))
        for i in range(200)
    ]
    barrier.set()
    blocker.result(5)
    for f in futures:
        f.result(5)
    assert writer.commits - before == 2  # the blocker alone, then all 200 in one commit
    conn = sqlite3.connect(tmp_path / "w.db")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 200
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # FULL (2) on the writer's connection: every commit is fsynced before anyone is answered.
    assert writer.run_sync(lambda c: c.execute("PRAGMA synchronous").fetchone()[0]) == 2
    # MEMORY (2): statement journals of multi-row writes never spill to temporary files.
    assert writer.run_sync(lambda c: c.execute("PRAGMA temp_store").fetchone()[0]) == 2


class Insert(BulkJob):
    """A bulk kind for the tests: each job inserts its value; `passes` records every pass."""

    passes: list[list[int]] = []

    def __init__(self, value: int) -> None:
        self.value = value

    @classmethod
    def run_all(cls, conn: sqlite3.Connection, jobs: list[Insert]) -> list[int]:
        cls.passes.append([job.value for job in jobs])
        for job in jobs:
            if job.value < 0:
                raise ValueError("negative")
            conn.execute("INSERT INTO t VALUES (?)", (job.value,))
        return [job.value * 10 for job in jobs]


def _one_batch(writer: Writer, jobs: list) -> list:
    """Submit `jobs` behind a job that holds the writer, so they share the next batch."""
    barrier, started = threading.Event(), threading.Event()
    blocker = writer.submit(lambda c: (started.set(), barrier.wait(5)))
    assert started.wait(5)
    futures = [writer.submit(job) for job in jobs]
    barrier.set()
    blocker.result(5)
    return futures


def _stored(tmp_path: Path) -> list[int]:
    conn = sqlite3.connect(tmp_path / "w.db")
    return [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")]


def test_bulk_jobs_of_a_batch_run_in_one_pass(writer: Writer, tmp_path: Path) -> None:
    Insert.passes = []
    other = lambda c: c.execute("INSERT INTO t VALUES (100)")  # noqa: E731
    futures = _one_batch(writer, [Insert(1), other, Insert(2), Insert(3)])
    assert [futures[i].result(5) for i in (0, 2, 3)] == [10, 20, 30]
    assert Insert.passes == [[1, 2, 3]]
    assert _stored(tmp_path) == [1, 2, 3, 100]


def test_a_failing_bulk_pass_reruns_each_job_alone(writer: Writer, tmp_path: Path) -> None:
    Insert.passes = []
    futures = _one_batch(writer, [Insert(1), Insert(-1), Insert(2)])
    assert futures[0].result(5) == 10 and futures[2].result(5) == 20
    with pytest.raises(ValueError):
        futures[1].result(5)
    # The failed pass left nothing behind; the jobs then ran one by one.
    assert Insert.passes == [[1, -1, 2], [1], [-1], [2]]
    assert _stored(tmp_path) == [1, 2]


class FullDisk(BulkJob):
    passes = 0

    @classmethod
    def run_all(cls, conn: sqlite3.Connection, jobs: list[FullDisk]) -> list[None]:
        cls.passes += 1
        raise sqlite3.OperationalError("database or disk is full")


def test_a_bulk_pass_the_storage_refuses_fails_every_job_once(writer: Writer) -> None:
    futures = _one_batch(writer, [FullDisk(), FullDisk(), FullDisk()])
    for future in futures:
        with pytest.raises(StorageUnavailable):
            future.result(5)
    assert FullDisk.passes == 1  # on a full disk each job alone would only fail again


def test_deferred_log_rows_go_in_in_order_past_one_statement(
    writer: Writer, tmp_path: Path
) -> None:
    """A batch's log rows go in with multi-row statements of at most ROWS_PER_STATEMENT rows:
    more than that still arrive, all of them, in the order they were appended."""
    writer.run_sync(lambda c: c.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, v, note)"))
    count = ROWS_PER_STATEMENT * 2 + 7

    def many(c: sqlite3.Connection) -> None:
        for i in range(count):
            append(c, "log", ("v", "note"), (i, None if i % 2 else f"n{i}"))

    writer.run_sync(many)
    conn = sqlite3.connect(tmp_path / "w.db")
    rows = conn.execute("SELECT v, note FROM log ORDER BY seq").fetchall()
    assert rows == [(i, None if i % 2 else f"n{i}") for i in range(count)]


def test_the_wal_starts_over_under_sustained_writes(tmp_path: Path) -> None:
    """Back-to-back commits leave the background checkpointer no quiet moment to finish in, so
    the writer checkpoints itself every `checkpoint_every` commits and the WAL starts over."""
    writer = Writer(tmp_path / "w.db", checkpoint_every=10)
    try:
        writer.run_sync(lambda c: c.execute("CREATE TABLE blobs (b BLOB)"))
        blob = b"x" * 64 * 1024  # 16 pages a commit
        for _ in range(200):
            writer.run_sync(lambda c: c.execute("INSERT INTO blobs VALUES (?)", (blob,)))
        wal = (tmp_path / "w.db-wal").stat().st_size
        # Without the writer's checkpoints: all 200 commits, over 13 MB (the background thread
        # first runs after a second). With them: about ten commits' worth.
        assert wal < 2 * 1024 * 1024, wal
        assert (
            writer.run_sync(lambda c: c.execute("SELECT count(*) FROM blobs").fetchone()[0]) == 200
        )
    finally:
        writer.close()


def test_the_writer_outlives_a_batch_that_fails_outside_sqlite(writer: Writer) -> None:
    """A deferred log row SQLite cannot take (an integer past 2**63 raises OverflowError, not a
    sqlite3.Error) fails its batch; the thread lives on, and the next write commits."""
    writer.run_sync(lambda c: c.execute("CREATE TABLE log (v INTEGER)"))
    bad = writer.submit(lambda c: append(c, "log", ("v",), (2**63,)))
    with pytest.raises(OverflowError):
        bad.result(5)
    assert writer.alive
    writer.run_sync(lambda c: append(c, "log", ("v",), (1,)))
    assert [tuple(r) for r in writer.run_sync(lambda c: c.execute("SELECT v FROM log"))] == [(1,)]


def test_a_job_raising_anything_fails_alone(writer: Writer) -> None:
    def overflow(c: sqlite3.Connection) -> None:
        c.execute("INSERT INTO t VALUES (?)", (2**64,))

    with pytest.raises(OverflowError):
        writer.run_sync(overflow)
    writer.run_sync(lambda c: c.execute("INSERT INTO t VALUES (7)"))
    assert writer.alive
