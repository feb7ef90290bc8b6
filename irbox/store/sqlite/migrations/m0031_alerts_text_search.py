"""Text search over alerts: an FTS5 index of each alert's title, description and observable
values, written by the ingest's own statement (`irbox.store.alerts.upsert_many`), in the
transaction that stores the alerts. Contentless: the text lives in `alerts`; these three never
change after ingest and alerts are not deleted, so the index only grows by inserts."""

from sqlite_utils import Database

# As irbox.store.alerts indexes a new alert.
VALUES = "(SELECT group_concat(json_extract(value, '$.value'), ' ') FROM json_each(observables))"


def migrate(db: Database) -> None:
    db.execute(
        "CREATE VIRTUAL TABLE alerts_text USING fts5(title, description, observables,"
        " content='', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "INSERT INTO alerts_text (rowid, title, description, observables)"
        f" SELECT seq, title, coalesce(description, ''), {VALUES} FROM alerts"
    )
