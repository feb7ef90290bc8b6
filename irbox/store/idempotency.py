"""The `idempotency_keys` table: first responses to POSTs that carried an Idempotency-Key."""

from __future__ import annotations

from irbox.store.database import Connection, Row

# A second record for an owner's key replaces the first.
_REPLACE = (
    "ON CONFLICT (owner, key) DO UPDATE SET request_hash = excluded.request_hash,"
    " status = excluded.status, content_type = excluded.content_type, body = excluded.body,"
    " created_at = excluded.created_at"
)


def get(conn: Connection, owner: str, key: str, newer_than: int) -> Row | None:
    return conn.execute(
        "SELECT request_hash, status, content_type, body, created_at FROM idempotency_keys"
        " WHERE owner = ? AND key = ? AND created_at > ?",
        (owner, key, newer_than),
    ).fetchone()


def put(
    conn: Connection,
    owner: str,
    key: str,
    request_hash: str,
    status: int,
    content_type: str,
    body: bytes,
    at: int,
) -> None:
    conn.execute(
        "INSERT INTO idempotency_keys"
        " (owner, key, request_hash, status, content_type, body, created_at)"
        f" VALUES (?, ?, ?, ?, ?, ?, ?) {_REPLACE}",
        (owner, key, request_hash, status, content_type, body, at),
    )


APPLIED = 0  # the status of a record that only says the request was applied
IN_FLIGHT = -1  # the status of a record that says the request is being handled


def begin(conn: Connection, owner: str, key: str, request_hash: str, at: int) -> None:
    """Record that the request is being handled (on any node), replacing what `get` would not
    return any more (a record past its time)."""
    conn.execute(
        "INSERT INTO idempotency_keys"
        " (owner, key, request_hash, status, content_type, body, created_at)"
        f" VALUES (?, ?, ?, ?, NULL, ?, ?) {_REPLACE}",
        (owner, key, request_hash, IN_FLIGHT, b"", at),
    )


def renew(conn: Connection, owner: str, key: str, at: int) -> None:
    """The request is still being handled (its node is alive): in flight from `at`."""
    conn.execute(
        "UPDATE idempotency_keys SET created_at = ? WHERE owner = ? AND key = ? AND status = ?",
        (at, owner, key, IN_FLIGHT),
    )


def abandon(conn: Connection, owner: str, key: str) -> None:
    """The request ended without an answer worth keeping and wrote nothing: a retry runs it."""
    conn.execute(
        "DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND status = ?",
        (owner, key, IN_FLIGHT),
    )


def mark_applied(conn: Connection, owner: str, key: str, request_hash: str, at: int) -> None:
    """Record that the request was applied, in the transaction that applied it (`put` replaces
    this with the response)."""
    conn.execute(
        "INSERT INTO idempotency_keys"
        " (owner, key, request_hash, status, content_type, body, created_at)"
        f" VALUES (?, ?, ?, ?, NULL, ?, ?) {_REPLACE}",
        (owner, key, request_hash, APPLIED, b"", at),
    )


def purge(conn: Connection, older_than: int) -> int:
    return conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= ?", (older_than,)
    ).rowcount
