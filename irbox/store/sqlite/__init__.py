"""The SQLite backend, the appliance's default: one file in the data dir, written by one
group-committing thread (`open_writer`), read on a connection per thread (`SqliteDatabase`).
The only package that imports `sqlite3`."""
