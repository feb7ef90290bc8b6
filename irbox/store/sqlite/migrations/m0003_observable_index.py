"""The outbox that feeds the DuckDB observable index, suppressions, and when alerts left triage."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    # Written in the same transaction as the change it describes; the indexer applies rows in
    # `seq` order and the applied position is kept inside the DuckDB file itself.
    # AUTOINCREMENT: applied rows are deleted, and a reused seq would be skipped by the index.
    db.execute(
        "CREATE TABLE index_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
        " payload TEXT NOT NULL, created_at INTEGER NOT NULL)"
    )
    db.create_table(
        "suppressions",
        {
            "seq": int,
            "id": str,
            "type": str,
            "value": str,
            "scope": str,
            "until": int,
            "reason": str,
            "created_by": str,
            "created_at": int,
            "lifted_at": int,
            "lifted_by": str,
        },
        pk="seq",
        not_null={"id", "type", "value", "scope", "reason", "created_at"},
    )
    db.table("suppressions").create_index(["id"], unique=True)
    db.table("suppressions").create_index(["type", "value"])
    db.table("alerts").add_column("triaged_at", int)
