"""The alerts' case index only over alerts that have a case: a new alert (no case yet) no longer
writes to it, one B-tree fewer per ingest. `case_id = ?` implies NOT NULL, so look-ups use it."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("DROP INDEX idx_alerts_case_id")
    db.execute("CREATE INDEX idx_alerts_case_id ON alerts (case_id) WHERE case_id IS NOT NULL")
