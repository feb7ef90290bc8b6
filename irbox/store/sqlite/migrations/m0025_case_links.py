"""Links between cases (related, parent, child), one row per direction so that each case
reads its own links in one look-up; both rows are written and removed together."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE case_links ("
        " case_id TEXT NOT NULL REFERENCES cases (id),"
        " linked_id TEXT NOT NULL REFERENCES cases (id),"
        " kind TEXT NOT NULL CHECK (kind IN ('related', 'parent', 'child')),"
        " created_at INTEGER NOT NULL,"
        " created_by TEXT,"
        " PRIMARY KEY (case_id, linked_id))"
    )
