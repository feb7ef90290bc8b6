"""Fields admins define for cases (typed: string, number, boolean, date, choice), and each
case's values, a JSON object keyed by the field's key."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE custom_fields ("
        " seq INTEGER PRIMARY KEY,"
        " key TEXT NOT NULL UNIQUE,"
        " label TEXT NOT NULL,"
        " type TEXT NOT NULL"
        "  CHECK (type IN ('string', 'number', 'boolean', 'date', 'choice')),"
        " choices TEXT NOT NULL DEFAULT '[]',"
        " required INTEGER NOT NULL DEFAULT 0,"
        " created_at INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL)"
    )
    db.execute("ALTER TABLE cases ADD COLUMN custom_fields TEXT NOT NULL DEFAULT '{}'")
