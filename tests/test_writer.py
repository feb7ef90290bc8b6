"""The group-commit writer: batching, per-job rollback, durability of what it acknowledges."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from irbox.store.writer import Writer


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
