"""Case templates: what a new case starts with (title, severity, tags, description, TLP,
tasks, custom field values) and the rules that pick one when an alert is escalated."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE case_templates ("
        " seq INTEGER PRIMARY KEY,"
        " id TEXT NOT NULL UNIQUE,"
        " name TEXT NOT NULL UNIQUE,"
        " title TEXT,"
        " severity TEXT,"
        " tags TEXT NOT NULL DEFAULT '[]',"
        " description TEXT,"
        " tlp TEXT,"
        " tasks TEXT NOT NULL DEFAULT '[]',"
        " custom_fields TEXT NOT NULL DEFAULT '{}',"
        " rules TEXT NOT NULL DEFAULT '[]',"
        " created_at INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL)"
    )
