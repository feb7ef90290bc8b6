"""A user whose password irbox generated and handed over in a file (the first admin) must choose
their own at first sign-in: `must_change_password`, cleared when the password is changed."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0")
