"""The `idempotency_keys` table: first responses to POSTs that carried an Idempotency-Key."""

from __future__ import annotations

import sqlite3


def get(conn: sqlite3.Connection, owner: str, key: str, newer_than: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT request_hash, status, content_type, body FROM idempotency_keys"
        " WHERE owner = ? AND key = ? AND created_at > ?",
        (owner, key, newer_than),
    ).fetchone()


def put(
    conn: sqlite3.Connection,
    owner: str,
    key: str,
    request_hash: str,
    status: int,
    content_type: str,
    body: bytes,
    at: int,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO idempotency_keys"
        " (owner, key, request_hash, status, content_type, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (owner, key, request_hash, status, content_type, body, at),
    )


APPLIED = 0  # the status of a record that only says the request was applied


def mark_applied(
    conn: sqlite3.Connection, owner: str, key: str, request_hash: str, at: int
) -> None:
    """Record that the request was applied, in the transaction that applied it (`put` replaces
    this with the response)."""
    conn.execute(
        "INSERT OR REPLACE INTO idempotency_keys"
        " (owner, key, request_hash, status, content_type, body, created_at)"
        " VALUES (?, ?, ?, ?, NULL, x'', ?)",
        (owner, key, request_hash, APPLIED, at),
    )


def purge(conn: sqlite3.Connection, older_than: int) -> int:
    return conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= ?", (older_than,)
    ).rowcount
