"""A webhook's body format: `irbox` (the event as JSON, the default) or a chat service's
incoming-webhook message (`slack`, `mattermost`, `teams`)."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'irbox'"
        " CHECK (format IN ('irbox', 'slack', 'mattermost', 'teams'))"
    )
