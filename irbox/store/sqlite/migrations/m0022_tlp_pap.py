"""Sharing markings (FIRST TLP 2.0, and PAP) on cases and on case observables; `amber` until
someone marks them otherwise."""

from sqlite_utils import Database

TLP = "('clear', 'green', 'amber', 'amber+strict', 'red')"
PAP = "('clear', 'green', 'amber', 'red')"


def migrate(db: Database) -> None:
    for table in ("cases", "case_observables"):
        db.execute(
            f"ALTER TABLE {table} ADD COLUMN tlp TEXT NOT NULL DEFAULT 'amber' CHECK (tlp IN {TLP})"
        )
        db.execute(
            f"ALTER TABLE {table} ADD COLUMN pap TEXT NOT NULL DEFAULT 'amber' CHECK (pap IN {PAP})"
        )
