"""Grouping rules: per source, a new alert that shares the asset's host name, or an observable
of chosen types, with an alert of that source in an open case, within a window of detection
times, joins that case as it is stored."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE grouping_rules ("
        " seq INTEGER PRIMARY KEY,"
        " id TEXT NOT NULL UNIQUE,"
        " source TEXT NOT NULL,"
        " by TEXT NOT NULL CHECK (by IN ('hostname', 'observable')),"
        " observable_types TEXT NOT NULL DEFAULT '[]',"
        " window_m INTEGER NOT NULL,"
        " active INTEGER NOT NULL DEFAULT 1,"
        " created_at INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX grouping_rules_source ON grouping_rules (source) WHERE active = 1")
