"""The indexer: one thread in the server process moves outbox rows into DuckDB in batches, then
has the applied rows deleted from the outbox. A crash anywhere loses nothing: the applied
position commits with each batch inside DuckDB, and unapplied rows stay in SQLite to replay."""

from __future__ import annotations

import logging
import threading
import time

from irbox.index import levels
from irbox.index.batch import Batch
from irbox.index.database import IndexDatabase
from irbox.store import outbox
from irbox.store.database import Database
from irbox.store.writer import Writer

log = logging.getLogger("irbox.index")

BATCH_ROWS = 20_000
PRUNE_EVERY_S = 5.0


class Indexer:
    def __init__(
        self, db: Database, index: IndexDatabase, writer: Writer, poll_s: float = 0.25
    ) -> None:
        self.poll_s = poll_s
        self.db = db
        self.index = index
        self.writer = writer
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="irbox-indexer", daemon=True)
        self._pruned_through = 0
        self._last_prune = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def catch_up(self) -> int:
        """Apply everything pending now; returns the number of outbox rows applied."""
        applied = 0
        while True:
            done = self._apply_once()
            applied += done
            if done < BATCH_ROWS:
                return applied

    def _apply_once(self) -> int:
        position = self.index.applied_seq()
        rows = self.db.read(outbox.after, position, BATCH_ROWS)
        if not rows:
            return 0
        batch = Batch()
        for row in rows:
            batch.add_payload(row["payload"])
        batch.write(self.index, rows[-1]["seq"])
        levels.settle(self.index.cursor())
        return len(rows)

    def _prune(self) -> None:
        position = self.index.applied_seq()
        if position > self._pruned_through:
            self.writer.submit(lambda conn: outbox.delete_through(conn, position))
            self._pruned_through = position

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                busy = self._apply_once() >= BATCH_ROWS
                if time.monotonic() - self._last_prune > PRUNE_EVERY_S:
                    self._last_prune = time.monotonic()
                    self._prune()
                failures = 0
            except Exception:
                failures += 1
                log.exception("indexing failed (attempt %d); retrying", failures)
                busy = False
                self._stop.wait(min(30.0, 0.5 * 2**failures))
            if not busy:
                self._stop.wait(self.poll_s)
