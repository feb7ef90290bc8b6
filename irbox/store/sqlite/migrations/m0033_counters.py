"""Numbers handed out one after another (case numbers) come from a counter row, not from
`max(number) + 1`: with several writers (PostgreSQL, several nodes) two transactions would read
the same maximum; the row's lock makes them take turns."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute(
        "INSERT INTO counters (name, value)"
        " SELECT 'case_number', coalesce(max(number), 0) FROM cases"
    )
