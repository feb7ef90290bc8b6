"""PostgreSQL's numbered migrations: `mNNNN_<name>.sql`, each run in its own transaction and
recorded in `schema_migrations`. m0001 is the end state of SQLite's m0001-m0032; from then on a
schema change adds a migration here and one beside SQLite's, and `tests/test_schemas_agree.py`
fails if the two schemas differ. Never edit a released migration: add the next number."""
