"""Numbered schema migrations. Each module `mNNNN_<name>.py` defines `migrate(db)`, where `db` is a
`sqlite_utils.Database`. They run in order, each in its own transaction, and are recorded in
`schema_migrations`. Never edit a released migration: add the next number."""
