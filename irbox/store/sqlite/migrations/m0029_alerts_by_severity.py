"""The queue sorted by severity (most severe first, newest first within one), paged by
keyset: an index on the severity's rank, alone and after the status (the queue's usual
filter), so a page is one index range at any number of alerts."""

from sqlite_utils import Database

# The same expression as irbox.store.alerts.SEVERITY_RANK: SQLite uses an expression index
# only for a query that writes the expression the same way.
RANK = (
    "(CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2"
    " WHEN 'low' THEN 1 ELSE 0 END)"
)


def migrate(db: Database) -> None:
    db.execute(f"CREATE INDEX alerts_by_severity_rank ON alerts ({RANK}, seq)")
    db.execute(f"CREATE INDEX alerts_by_status_severity_rank ON alerts (status, {RANK}, seq)")
