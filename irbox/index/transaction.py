"""Ending a DuckDB transaction after a failure."""

from __future__ import annotations

from contextlib import suppress

import duckdb


def roll_back(cur: duckdb.DuckDBPyConnection) -> None:
    """After a failed statement or COMMIT (which DuckDB has rolled back already): end the
    transaction if one is still open, without hiding the original error."""
    with suppress(duckdb.TransactionException):
        cur.execute("ROLLBACK")
