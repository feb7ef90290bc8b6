"""Observables of a case get ids (`obs_…`, the spec's id for them), so scripts can name one. The
rows already there get theirs in the order they were added."""

from sqlite_utils import Database

from irbox import ids


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE case_observables ADD COLUMN id TEXT")
    rows = db.execute("SELECT rowid FROM case_observables ORDER BY first_seen, rowid").fetchall()
    for (rowid,) in rows:
        db.execute("UPDATE case_observables SET id = ? WHERE rowid = ?", (ids.new_id("obs"), rowid))
    db.execute("CREATE UNIQUE INDEX idx_case_observables_id ON case_observables (id)")
