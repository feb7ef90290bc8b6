"""The `users` table."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row

COLUMNS = "id, email, name, role, password_hash, disabled, created_at, updated_at, auth_source"
# `disabled`: 0 active; DISABLED by an admin; SUSPENDED by the directory review (out of every
# mapped group), which the directory mapping them again undoes. Anything but 0 refuses access.
DISABLED, SUSPENDED = 1, 2


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO users ({COLUMNS}) VALUES (:id, :email, :name, :role, :password_hash,"
        " :disabled, :created_at, :updated_at, :auth_source)",
        {"auth_source": "local", **row},
    )


def get(conn: Connection, user_id: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()


def get_by_email(conn: Connection, email: str) -> Row | None:
    # Each engine's expression of its index on e-mail addresses in any case (users_email).
    same = "lower(email) = lower(?)" if conn.dialect == "postgresql" else "email = ? COLLATE NOCASE"
    return conn.execute(f"SELECT {COLUMNS} FROM users WHERE {same}", (email,)).fetchone()


def list_all(conn: Connection) -> list[Row]:
    return conn.execute(f"SELECT {COLUMNS} FROM users ORDER BY created_at DESC, id DESC").fetchall()


def active_ids(conn: Connection, ids: list[str]) -> set[str]:
    """Which of these ids are users, not disabled."""
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    sql = f"SELECT id FROM users WHERE id IN ({marks}) AND disabled = 0"
    return {r[0] for r in conn.execute(sql, ids)}


def active_ids_by_email(conn: Connection, emails: list[str]) -> dict[str, str]:
    """Active users among these addresses (lower case), as address -> id."""
    if not emails:
        return {}
    marks = ",".join("?" * len(emails))
    sql = f"SELECT lower(email), id FROM users WHERE lower(email) IN ({marks}) AND disabled = 0"
    return dict(conn.execute(sql, emails).fetchall())


def count(conn: Connection) -> int:
    return conn.execute("SELECT count(*) FROM users").fetchone()[0]


def update(conn: Connection, user_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE users SET {sets} WHERE id = :id", {**changes, "id": user_id})


def count_active(conn: Connection) -> int:
    return conn.execute("SELECT count(*) FROM users WHERE disabled = 0").fetchone()[0]


def second_factor(conn: Connection, user_id: str) -> Row | None:
    """The user's TOTP state: sealed secret and pending secret, last step, since when."""
    return conn.execute(
        "SELECT id, email, totp_secret, totp_pending, totp_last_step, mfa_enabled_at"
        " FROM users WHERE id = ?",
        (user_id,),
    ).fetchone()


def accept_step(conn: Connection, user_id: str, step: int) -> bool:
    """Record `step` as the last accepted code's, unless one as late was accepted already (a
    replayed code); False then."""
    return (
        conn.execute(
            "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
            (step, user_id, step),
        ).rowcount
        == 1
    )


def active_admins(conn: Connection) -> list[Row]:
    return conn.execute(
        "SELECT id, email FROM users WHERE role = 'admin' AND disabled = 0"
    ).fetchall()


def directory_users(conn: Connection) -> list[Row]:
    """The directory's users an admin has not disabled (active or suspended)."""
    return conn.execute(
        f"SELECT id, email FROM users WHERE auth_source = 'directory' AND disabled <> {DISABLED}"
        " ORDER BY email"
    ).fetchall()
