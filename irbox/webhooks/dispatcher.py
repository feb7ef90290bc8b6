"""Sends due deliveries: signed with HMAC-SHA256 of the exact stored bytes, each attempt in a
worker thread (so one slow or dead receiver never delays the others), retried with exponential
backoff and jitter until `webhook_retry_max_age_h` after the event, then marked failed.

The deliveries table is the durable state; the APScheduler job only drives the clock, so pending
deliveries resume after a restart or a crash."""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from irbox import __version__, clock
from irbox.sealed import SecretBox
from irbox.store import deliveries
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer
from irbox.webhooks import targets
from irbox.webhooks.sender import post, signature

log = logging.getLogger("irbox.webhooks")

POOL_SIZE = 16
PER_WEBHOOK = 2  # attempts in flight per endpoint: a dead one cannot take every worker


class Dispatcher:
    def __init__(
        self,
        db: Database,
        writer: Writer,
        timeout_s: float,
        base_s: float,
        max_age_us: int,
        secret_box: SecretBox,
        node: str,
        refused_targets: tuple[str, ...] = ("link-local",),
        on_attempt: Callable[[str], None] = lambda outcome: None,
    ) -> None:
        self.refused_targets = refused_targets
        self._on_attempt = on_attempt  # told each attempt's outcome (metrics)
        # Called inside the write that marks a delivery failed for good, with (conn, the
        # delivery with its webhook's url and event, time): the admins' mail.
        self.on_failed: Callable[[Connection, dict[str, Any], int], object] = lambda *_: None
        self.secret_box = secret_box
        self.db = db
        self.writer = writer
        self.timeout_s = timeout_s
        self.base_s = base_s
        self.max_age_us = max_age_us
        self.node = node
        # How long a claimed delivery is left to this node: two attempts' time and a margin.
        self.lease_us = int((2 * timeout_s + 30) * 1_000_000)
        self._pool = ThreadPoolExecutor(POOL_SIZE, thread_name_prefix="irbox-webhook")
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._per_hook: Counter[str] = Counter()
        self._closed = False
        self._backlog = False

    def release_claims(self) -> int:
        """At start: what this node held when it last stopped is due again now (a crash
        leaves claims whose lease would otherwise hold them back for minutes)."""
        now = clock.now_us()
        return self.writer.run_sync(lambda conn: deliveries.release(conn, self.node, now))

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next tick."""
        if not self._closed:
            with contextlib.suppress(RuntimeError):  # shut down in the meantime
                self._pool.submit(self.tick)

    def tick(self) -> None:
        now = clock.now_us()
        picked = []
        for row in self.db.read(deliveries.due, now, 200):
            with self._lock:
                if self._closed or row["id"] in self._in_flight:
                    continue
                if self._per_hook[row["webhook_id"]] >= PER_WEBHOOK:
                    self._backlog = True  # look again as soon as an attempt finishes
                    continue
                self._in_flight.add(row["id"])
                self._per_hook[row["webhook_id"]] += 1
            picked.append(dict(row))
        if not picked:
            return
        # Claimed before the call, so that another node serving the same database does not
        # post it too; the lease outlives the attempt, and a dead node's claims come back.
        claimed: set[str] = set()
        ids = [delivery["id"] for delivery in picked]
        try:
            claimed = self.writer.run_sync(
                lambda conn: deliveries.claim(
                    conn, ids, now, clock.now_us() + self.lease_us, self.node
                )
            )
        finally:
            for delivery in picked:
                if delivery["id"] in claimed:
                    self._pool.submit(self._attempt, delivery)
                else:
                    self._release(delivery)

    def _release(self, row: dict[str, Any]) -> None:
        with self._lock:
            self._in_flight.discard(row["id"])
            self._per_hook[row["webhook_id"]] -= 1

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _attempt(self, row: dict[str, Any]) -> None:
        try:
            self._deliver(row)
        except Exception:
            log.exception("webhook delivery %s failed unexpectedly", row["id"])
        finally:
            self._release(row)
            with self._lock:
                backlog, self._backlog = self._backlog, False
            if backlog:  # keep a queue draining at the pace the receiver answers
                self.wake()

    def _deliver(self, row: dict[str, Any]) -> None:
        deadline = row["retry_from"] + self.max_age_us
        if clock.now_us() >= deadline:  # e.g. irbox was down past the whole retry window
            self._give_up(row, {"status": "failed", "last_error": "retry window expired"})
            self._on_attempt("failed")
            return
        body = bytes(row["payload"])
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"irbox/{__version__}",
            "X-IR-Signature": signature(self.secret_box.open(row["secret"]), body),
            "X-IR-Event": row["event"],
            "X-IR-Delivery": row["id"],
        }
        refused = targets.resolved_refusal(
            urlsplit(row["url"]).hostname or "", self.refused_targets
        )
        if refused is not None:
            status, error = None, refused
        else:
            status, error = post(row["url"], body, headers, self.timeout_s)
        now = clock.now_us()
        changes: dict[str, object] = {
            "last_attempt_at": now,
            "last_status_code": status,
            "last_error": error or None,
        }
        if status is not None and 200 <= status < 300:
            changes.update(status="delivered", delivered_at=now)
            outcome = "delivered"
        else:
            attempt = row["attempts"] + 1
            delay_s = self.base_s * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
            next_at = now + int(delay_s * 1_000_000)
            if next_at >= deadline:
                changes["status"] = "failed"
                outcome = "failed"
            else:
                changes["next_attempt_at"] = next_at
                outcome = "retrying"
        if outcome == "failed":
            self._give_up(row, changes)
        else:
            self._record(row["id"], changes)
        self._on_attempt(outcome)

    def _record(self, delivery_id: str, changes: dict[str, object]) -> None:
        self._write_outcome(lambda conn: deliveries.record_attempt(conn, delivery_id, changes))

    def _write_outcome(self, job: Callable[[Connection], object]) -> None:
        self.writer.run_sync_when_back(job, "a webhook outcome", lambda: self._closed)

    def _give_up(self, row: dict[str, Any], changes: dict[str, object]) -> None:
        """Mark the delivery failed and, in the same transaction, tell who should hear of it
        (`on_failed`: the admins' mail)."""
        now = clock.now_us()
        failed = {**row, **changes, "attempts": row["attempts"] + 1}  # as record_attempt counts

        def write(conn: Connection) -> None:
            deliveries.record_attempt(conn, row["id"], changes)
            self.on_failed(conn, failed, now)

        self._write_outcome(write)
