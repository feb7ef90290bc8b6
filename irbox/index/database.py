"""The DuckDB file. One process (the server) owns it; DuckDB allows a single writing process."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

# An air-gapped appliance must never try to download extensions, and DuckDB must not take the
# machine's memory: both are fixed here for every connection.
SETTINGS = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": "512MB",
    "threads": 2,
}


class IndexDatabase:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: duckdb.DuckDBPyConnection | None = duckdb.connect(
            str(self.path), config=dict(SETTINGS)
        )

    def ping(self) -> bool:
        """True when the index answers a query."""
        with self._lock:
            if self._conn is None:
                return False
            try:
                self._conn.execute("SELECT 1").fetchone()
                return True
            except duckdb.Error:
                return False

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
