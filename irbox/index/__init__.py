"""The observable index in DuckDB: derived from SQLite, rebuildable with `irbox reindex`."""
