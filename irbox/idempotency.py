"""Idempotency records: the first response to a POST that carried an `Idempotency-Key`, kept for
24 h so that a retry with the same body replays it and a different body is refused."""

from __future__ import annotations

import msgspec

from irbox import clock
from irbox.store import idempotency as idempotency_table
from irbox.store.database import Database
from irbox.store.writer import Writer

RETENTION_US = 24 * 3600 * 1_000_000


class StoredResponse(msgspec.Struct):
    request_hash: str
    status: int
    content_type: str
    body: bytes


class IdempotencyStore:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer
        self.in_flight: set[tuple[str, str]] = set()

    def find(self, owner: str, key: str) -> StoredResponse | None:
        cutoff = clock.now_us() - RETENTION_US
        row = self.db.read(idempotency_table.get, owner, key, cutoff)
        if row is None:
            return None
        return StoredResponse(row[0], row[1], row[2] or "", bytes(row[3]))

    async def save(self, owner: str, key: str, response: StoredResponse) -> None:
        now = clock.now_us()
        await self.writer.run(
            lambda conn: idempotency_table.put(
                conn,
                owner,
                key,
                response.request_hash,
                response.status,
                response.content_type,
                response.body,
                now,
            )
        )

    def purge(self) -> int:
        """Forget records older than 24 h (run hourly by the scheduler)."""
        cutoff = clock.now_us() - RETENTION_US
        return self.writer.run_sync(lambda conn: idempotency_table.purge(conn, cutoff))
