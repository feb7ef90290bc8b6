"""Readers that follow `seq` (each node's index feed, the live queue, keyset pages) miss
nothing when two nodes write to one PostgreSQL database at once: their writers take turns, so a
transaction that took a smaller `seq` can never commit after one that took a larger."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from irbox.store import engine, outbox
from irbox.store.database import Connection
from tests.harness import Server
from tests.postgres import PostgresCluster


def test_a_follower_misses_no_row_when_two_writers_commit_together(
    tmp_path: Path, postgres: PostgresCluster
) -> None:
    node = Server(tmp_path / "node", database_url=postgres.fresh_database())
    node.cli("init")
    config = node.config()
    first, second = engine.open_writer(config), engine.open_writer(config)
    db = engine.open_database(config)
    took_seq = threading.Event()

    def slow(conn: Connection) -> None:
        # Inserted at once, as an alert takes its seq (outbox.add waits for the batch's end).
        conn.execute(
            "INSERT INTO index_outbox (kind, payload, created_at) VALUES (?, ?, ?)",
            ("test", '{"from":"first"}', 1),
        )
        took_seq.set()
        time.sleep(1.5)  # commits well after the second writer has tried to

    def quick(conn: Connection) -> None:
        outbox.add(conn, "test", '{"from":"second"}', 2)

    followed: list[str] = []
    position = 0
    try:
        slow_done = first.submit(slow)
        assert took_seq.wait(10)
        quick_done = threading.Thread(target=second.run_sync, args=(quick,))
        quick_done.start()
        while not slow_done.done() or quick_done.is_alive():
            pending = db.read(outbox.pending_after, position, 100, 2**20)
            if pending.rows:
                followed += pending.lines.split("\n")
                position = pending.through_seq
            time.sleep(0.05)
        slow_done.result()
        quick_done.join()
        pending = db.read(outbox.pending_after, position, 100, 2**20)
        followed += pending.lines.split("\n") if pending.rows else []
    finally:
        first.close()
        second.close()
        db.close()
    assert sorted(followed) == ['{"from":"first"}', '{"from":"second"}']
