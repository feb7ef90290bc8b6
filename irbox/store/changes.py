"""Changes other processes serving the same database must hear of at once (a revoked key, a
disabled user, a new suppression, an installed license, the SLA targets), for what they keep
in memory. On PostgreSQL, `announce`
inside a write job is a NOTIFY that every node's listener (`store.postgres.listen`) receives
when the transaction commits, not before and not if it rolls back. On SQLite one process serves
the file, and the CLI's changes reach it through its caches' short lifetimes."""

from __future__ import annotations

from irbox.store.database import Connection

CHANNEL = "irbox_changes"
AUTH = "auth"  # API keys and users: who may do what
SUPPRESSIONS = "suppressions"
LICENSE = "license"  # a license installed
SLA_TARGETS = "sla_targets"


def announce(conn: Connection, topic: str) -> None:
    if conn.dialect == "postgresql":
        conn.execute(f"SELECT pg_notify('{CHANNEL}', ?)", (topic,))
