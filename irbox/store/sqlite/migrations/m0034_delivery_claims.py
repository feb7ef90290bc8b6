"""A webhook delivery a node is posting names that node (`claimed_by`), so that the node,
started again after a crash, gives back at once what it held rather than after the lease."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT")
