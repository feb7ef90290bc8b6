"""The `mail_subscriptions` table: what a user wants mailed (no row: the defaults)."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row

FIELDS = ("mentioned", "assigned", "alert_added_to_my_case", "new_alert_min_severity",
          "sla_breached")  # fmt: skip


def get(conn: Connection, user_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {', '.join(FIELDS)} FROM mail_subscriptions WHERE user_id = ?", (user_id,)
    ).fetchone()


def put(conn: Connection, user_id: str, values: dict[str, Any], now: int) -> None:
    conn.execute(
        f"INSERT INTO mail_subscriptions (user_id, {', '.join(FIELDS)}, updated_at)"
        f" VALUES (:user_id, {', '.join(':' + f for f in FIELDS)}, :updated_at)"
        " ON CONFLICT (user_id) DO UPDATE SET "
        + ", ".join(f"{f} = excluded.{f}" for f in (*FIELDS, "updated_at")),
        {**values, "user_id": user_id, "updated_at": now},
    )


def wanting_new_alerts(conn: Connection) -> list[Row]:
    """Active users who asked for new alerts from some severity up, with their address."""
    return conn.execute(
        "SELECT u.id, u.email, s.new_alert_min_severity FROM mail_subscriptions s"
        " JOIN users u ON u.id = s.user_id"
        " WHERE s.new_alert_min_severity IS NOT NULL AND u.disabled = 0"
    ).fetchall()
