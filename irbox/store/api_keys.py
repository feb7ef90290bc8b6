"""The `api_keys` table. Only the SHA-256 of a token is stored."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row

COLUMNS = (
    "id, user_id, name, token_hash, token_prefix, scopes, created_at, expires_at, revoked_at,"
    " last_used_at, parent_key_id"
)


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO api_keys ({COLUMNS}) VALUES (:id, :user_id, :name, :token_hash,"
        " :token_prefix, :scopes, :created_at, :expires_at, :revoked_at, :last_used_at,"
        " :parent_key_id)",
        row,
    )


def get(conn: Connection, key_id: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM api_keys WHERE id = ?", (key_id,)).fetchone()


def get_with_owner(conn: Connection, token_hash: str) -> Row | None:
    """The key with this token hash joined with its owner's role and state."""
    return conn.execute(
        "SELECT k.id, k.user_id, k.scopes, k.expires_at, k.revoked_at, k.last_used_at,"
        " u.email, u.role, u.disabled FROM api_keys k JOIN users u ON u.id = k.user_id"
        " WHERE k.token_hash = ?",
        (token_hash,),
    ).fetchone()


def list_for(conn: Connection, user_id: str | None) -> list[Row]:
    """Keys of one user, or of everyone when `user_id` is None; newest first."""
    if user_id is None:
        return conn.execute(f"SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC").fetchall()
    return conn.execute(
        f"SELECT {COLUMNS} FROM api_keys WHERE user_id = ? ORDER BY created_at DESC", (user_id,)
    ).fetchall()


def revoke(conn: Connection, key_id: str, at: int) -> list[str]:
    """Revoke the key and every key made from it, at any depth; the ids newly revoked."""
    ids = [
        row[0]
        for row in conn.execute(
            "WITH RECURSIVE made(id) AS (SELECT ? UNION"
            " SELECT k.id FROM api_keys k JOIN made ON k.parent_key_id = made.id)"
            " SELECT a.id FROM api_keys a JOIN made ON a.id = made.id WHERE a.revoked_at IS NULL",
            (key_id,),
        )
    ]
    conn.executemany("UPDATE api_keys SET revoked_at = ? WHERE id = ?", [(at, i) for i in ids])
    return ids


def touch(conn: Connection, key_id: str, at: int) -> None:
    conn.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (at, key_id))
