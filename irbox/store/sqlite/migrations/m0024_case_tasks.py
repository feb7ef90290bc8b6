"""A checklist per case: tasks with an assignee, a due time, and whether the case may be
resolved while they are open (`required`)."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE case_tasks ("
        " seq INTEGER PRIMARY KEY,"
        " id TEXT NOT NULL UNIQUE,"
        " case_id TEXT NOT NULL REFERENCES cases (id),"
        " title TEXT NOT NULL,"
        " description TEXT NOT NULL DEFAULT '',"
        " assignee TEXT REFERENCES users (id),"
        " due_at INTEGER,"
        " required INTEGER NOT NULL DEFAULT 0,"
        " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'skipped')),"
        " created_at INTEGER NOT NULL,"
        " created_by TEXT,"
        " updated_at INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX case_tasks_case ON case_tasks (case_id, seq)")
