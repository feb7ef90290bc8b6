"""Comments can be edited by their authors: when, last (NULL: never)."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE comments ADD COLUMN edited_at INTEGER")
