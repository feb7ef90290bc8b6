"""The `recovery_codes` table: a user's single-use second-factor codes, as SHA-256 hashes."""

from __future__ import annotations

from irbox.store.database import Connection


def replace(conn: Connection, user_id: str, code_hashes: list[str], now: int) -> None:
    """The user's codes are these, and only these (earlier ones stop working)."""
    conn.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
    conn.executemany(
        "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
        [(user_id, h, now) for h in code_hashes],
    )


def use(conn: Connection, user_id: str, code_hash: str, now: int) -> bool:
    """Spend an unused code; False when there is none such."""
    return (
        conn.execute(
            "UPDATE recovery_codes SET used_at = ?"
            " WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
            (now, user_id, code_hash),
        ).rowcount
        == 1
    )


def unused(conn: Connection, user_id: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", (user_id,)
    ).fetchone()[0]


def delete_for_user(conn: Connection, user_id: str) -> None:
    conn.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
