"""A message a node is sending names that node (`claimed_by`), as webhook deliveries do
(m0034): several nodes send each message once, and a node started again after a crash gives
back at once what it held."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE mail_outbox ADD COLUMN claimed_by TEXT")
