"""Where a user signs in: `local` (the password irbox keeps) or `directory` (LDAP / Active
Directory, which irbox asks at each sign-in; such users have no password here)."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "ALTER TABLE users ADD COLUMN auth_source TEXT NOT NULL DEFAULT 'local'"
        " CHECK (auth_source IN ('local', 'directory'))"
    )
