"""Each user may pick the UI's theme (`system` follows the browser's `prefers-color-scheme`)."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "ALTER TABLE users ADD COLUMN theme TEXT NOT NULL DEFAULT 'system'"
        " CHECK (theme IN ('system', 'light', 'dark'))"
    )
