"""Web UI sign-in sessions. Only the SHA-256 of a session's cookie value is stored."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.create_table(
        "sessions",
        {
            "id": str,
            "user_id": str,
            "csrf": str,
            "created_at": int,
            "expires_at": int,
        },
        pk="id",
        not_null={"user_id", "csrf", "created_at", "expires_at"},
    )
    db.table("sessions").create_index(["user_id"])
