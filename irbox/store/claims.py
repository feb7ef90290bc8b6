"""Leases on outgoing work several nodes could each pick up from the shared database (webhook
deliveries, mail): a node claims due rows before it sends them, so the others leave them be,
and names itself on them, so that, started again after a crash, it gives back at once what it
held. The tables (id, status 'pending', next_attempt_at, claimed_by) belong to their modules,
which call these with their name."""

from __future__ import annotations

from irbox.store.database import Connection


def claim(
    conn: Connection, table: str, ids: list[str], now: int, until: int, node: str
) -> set[str]:
    """Of these due rows, the ones `node` takes: each is given `until` as its next attempt time
    (the lease: should the node die, the row is due again then, or as soon as the node starts
    again, see `release`). A row another node claimed first is no longer due."""
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"UPDATE {table} SET next_attempt_at = ?, claimed_by = ? WHERE id IN ({marks})"
        " AND status = 'pending' AND next_attempt_at <= ? RETURNING id",
        (until, node, *ids, now),
    ).fetchall()
    return {row[0] for row in rows}


def release(conn: Connection, table: str, node: str, now: int, ids: list[str] | None = None) -> int:
    """What `node` holds, due again now: at its start, all it held when it stopped (at least
    once: an attempt cut short by the stop may have reached its receiver); or the rows `ids`
    it claimed and did not get to."""
    where, args = "claimed_by = ? AND status = 'pending'", [now, node]
    if ids is not None:
        where += f" AND id IN ({','.join('?' * len(ids))})"
        args += ids
    return conn.execute(
        f"UPDATE {table} SET next_attempt_at = ?, claimed_by = NULL WHERE {where}", args
    ).rowcount
