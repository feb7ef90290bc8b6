"""Webhook endpoints and their deliveries (a transactional outbox), and license state."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.create_table(
        "webhooks",
        {
            "id": str,
            "url": str,
            "events": str,
            "secret": str,
            "active": int,
            "created_at": int,
            "created_by": str,
            "updated_at": int,
        },
        pk="id",
        not_null={"url", "events", "secret", "active", "created_at", "updated_at"},
    )
    db.create_table(
        "webhook_deliveries",
        {
            "seq": int,
            "id": str,
            "webhook_id": str,
            "event": str,
            "case_id": str,
            "payload": bytes,
            "status": str,
            "attempts": int,
            "created_at": int,
            "retry_from": int,  # the 24 h retry window counts from here (reset on redeliver)
            "next_attempt_at": int,
            "last_attempt_at": int,
            "last_status_code": int,
            "last_error": str,
            "delivered_at": int,
        },
        pk="seq",
        not_null={"id", "webhook_id", "event", "payload", "status", "attempts", "created_at",
                  "retry_from"},
    )  # fmt: skip
    db.table("webhook_deliveries").create_index(["id"], unique=True)
    db.table("webhook_deliveries").create_index(["status", "next_attempt_at"])
    db.table("webhook_deliveries").create_index(["webhook_id", "seq"])
    db.create_table("settings", {"name": str, "value": str}, pk="name")
