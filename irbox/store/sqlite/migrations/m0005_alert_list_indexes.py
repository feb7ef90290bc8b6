"""Indexes for listing alerts newest first under the common filters (source; status with
severity), so a page costs the same at any depth and for rare combinations."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.table("alerts").create_index(["source", "seq"])
    db.table("alerts").create_index(["status", "severity", "seq"])
