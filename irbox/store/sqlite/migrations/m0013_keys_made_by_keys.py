"""A key made through the API by another key records that key (`parent_key_id`): revoking a key
revokes the keys it made, so a leaked key cannot outlive its revocation through copies."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE api_keys ADD COLUMN parent_key_id TEXT")
    db.execute("CREATE INDEX api_keys_parent ON api_keys (parent_key_id)")
