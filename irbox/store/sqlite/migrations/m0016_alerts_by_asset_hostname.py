"""Related alerts are found by the asset's host name too: an index on it (lower case, as sent in
the alert's `asset.hostname`), so the look-up reads only the alerts of that host."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE INDEX IF NOT EXISTS alerts_asset_hostname"
        " ON alerts (lower(json_extract(asset, '$.hostname')))"
    )
