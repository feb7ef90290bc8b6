"""Saved views: a user's named queue filters, shown as tabs above the queue."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE saved_views ("
        " seq INTEGER PRIMARY KEY,"
        " id TEXT NOT NULL UNIQUE,"
        " user_id TEXT NOT NULL REFERENCES users (id),"
        " name TEXT NOT NULL,"
        " filters TEXT NOT NULL,"
        " created_at INTEGER NOT NULL,"
        " UNIQUE (user_id, name))"
    )
