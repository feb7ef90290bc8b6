"""A case merged into another keeps its row, status `merged`, pointing at where its alerts,
observables, evidence, comments and tasks went."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE cases ADD COLUMN merged_into TEXT REFERENCES cases (id)")
