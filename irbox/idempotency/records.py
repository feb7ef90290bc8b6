"""Idempotency records: the first response to a POST that carried an `Idempotency-Key`, kept for
24 h so that a retry with the same body replays it and a different body is refused."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import msgspec

from irbox import clock
from irbox.store import idempotency as idempotency_table
from irbox.store.database import Connection, Database
from irbox.store.writer import REQUEST_WRITE, Writer

log = logging.getLogger("irbox.idempotency")
RETENTION_US = 24 * 3600 * 1_000_000


class StoredResponse(msgspec.Struct):
    request_hash: str
    status: int  # idempotency_table.APPLIED: applied, but the server stopped before answering
    content_type: str
    body: bytes

    @property
    def lost(self) -> bool:
        return self.status == idempotency_table.APPLIED

    @property
    def in_flight(self) -> bool:
        return self.status == idempotency_table.IN_FLIGHT


class IdempotencyStore:
    def __init__(self, db: Database, writer: Writer, lease_s: float = 120.0) -> None:
        self.db = db
        self.writer = writer
        self.in_flight: set[tuple[str, str]] = set()  # this node's, from the request's start
        # A request is taken for in flight this long after its node last said so; past it, the
        # node is taken for dead and a retry runs (a request that wrote anything says so:
        # `lost`, never run twice). `keep_in_flight` says so every quarter of it.
        self.lease_us = int(lease_s * 1_000_000)

    async def begin(self, owner: str, key: str, request_hash: str) -> StoredResponse | None:
        """None: this request is now the one in flight with this key (a row, so that every node
        serving the database sees it), and runs. Otherwise what the key already holds: a
        response, `lost`, or `in_flight` (another request, here or on another node)."""
        now = clock.now_us()

        def write(conn: Connection) -> StoredResponse | None:
            row = idempotency_table.get(conn, owner, key, now - RETENTION_US)
            if row is not None:
                found = StoredResponse(row[0], row[1], row[2] or "", bytes(row[3]))
                if not found.in_flight or row[4] > now - self.lease_us:
                    return found
            idempotency_table.begin(conn, owner, key, request_hash, now)
            return None

        return await self.writer.run(write)

    async def keep_in_flight(self, owner: str, key: str) -> None:
        """Renew the request's lease until cancelled (when it ends): an import of gigabytes may
        take longer than a lease before it writes, and a retry elsewhere must not run it too."""
        while True:
            await asyncio.sleep(self.lease_us / 4 / 1_000_000)
            renewal = partial(idempotency_table.renew, owner=owner, key=key, at=clock.now_us())
            try:
                await self.writer.run(renewal)
            except Exception:  # the database away: the next quarter tries again
                log.warning("could not renew an idempotent request's lease", exc_info=True)

    async def abandon(self, owner: str, key: str) -> None:
        """The request's answer is not kept (an error the retry should not meet again)."""
        await self.writer.run(lambda conn: idempotency_table.abandon(conn, owner, key))

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

    @contextmanager
    def recording_applied(self, owner: str, key: str, request_hash: str) -> Iterator[None]:
        """While a request runs inside this block, each write it waits for also records, in the
        same transaction, that the request was applied: should the server stop before the
        response is saved, a retry is refused (`lost`) rather than applied twice."""
        now = clock.now_us()
        token = REQUEST_WRITE.set(
            lambda conn: idempotency_table.mark_applied(conn, owner, key, request_hash, now)
        )
        try:
            yield
        finally:
            REQUEST_WRITE.reset(token)

    def purge(self) -> int:
        """Forget records older than 24 h (run hourly by the scheduler)."""
        cutoff = clock.now_us() - RETENTION_US
        return self.writer.run_sync(lambda conn: idempotency_table.purge(conn, cutoff))
