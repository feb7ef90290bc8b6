"""A partial index for the unread-notifications count that every UI page shows in its header."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE INDEX idx_notifications_unread ON notifications (user_id) WHERE read_at IS NULL"
    )
