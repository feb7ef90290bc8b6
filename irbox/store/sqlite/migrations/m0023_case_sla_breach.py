"""When a case's time-to-resolve target was found breached: `case.sla_breached` fires once,
in the transaction that sets this."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE cases ADD COLUMN sla_breached_at INTEGER")
