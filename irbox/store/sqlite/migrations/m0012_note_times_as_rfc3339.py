"""An analyst's timeline note records when it was written (`data.added_at`) as RFC 3339, as the
API writes every time; it was integer microseconds, the storage's own unit, shown as it was.
The notes' audit entries, which carry the same data, likewise."""

from sqlite_utils import Database

from irbox import clock


def migrate(db: Database) -> None:
    for table, kind_column, kind in (("case_timeline", "type", "note"),
                                     ("audit_log", "action", "case.note")):  # fmt: skip
        rows = db.execute(
            f"SELECT rowid, json_extract(data, '$.added_at') FROM {table} WHERE {kind_column} = ?"
            " AND json_type(data, '$.added_at') = 'integer'",
            (kind,),
        ).fetchall()
        for rowid, added_at in rows:
            db.execute(
                f"UPDATE {table} SET data = json_set(data, '$.added_at', ?) WHERE rowid = ?",
                (clock.to_rfc3339(added_at), rowid),
            )
