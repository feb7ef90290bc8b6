"""SQLite storage, the source of truth. One module owns each table; nothing above this package
writes SQL. Writes go through the group-commit `Writer`; reads use per-thread connections."""
