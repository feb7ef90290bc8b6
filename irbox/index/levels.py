"""The index's two growing tables, `sightings` and `observables`, are log-structured: each is a
view (UNION ALL) over a small unsorted tail, where batches are appended, and a few levels, each
one table sorted by key; `observables` rows are count deltas that readers sum per observable.
A look-up by key reads about one row group per level: DuckDB skips the others by their min/max
key, so no look-up index is needed.

Why not DuckDB's look-up indexes (ART): they must fit in memory, whole, at every checkpoint and
when built. Measured: 10 M sightings took 250-300 MiB, so an appliance's index failed once it
outgrew `index_memory_mb`, and the server's memory grew with every alert. Sorted levels keep
DuckDB's memory to its buffer pool (which it may evict); `bench/observables.py` measures
look-ups at 10 M sightings, both as a rebuild and as live indexing leave the levels.

Policy: when the tail holds TAIL_ROWS it is merged into level 1; when level i outgrows
TAIL_ROWS * GROWTH**i it is merged into level i + 1; the last level is unbounded. A merge is one
DuckDB transaction (readers see the rows before or after, never both or neither), and rewrites
each row about GROWTH / 2 times per level. Merges run on their own thread (`indexer.py`) while
batches keep being appended to the tail: a merge deletes from the tail only the rows it read."""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from irbox.index.transaction import roll_back

TAIL_ROWS = 100_000
GROWTH = 8
LEVELS = 4
SORT_ROWS = 250_000  # rows sorted at once in a merge


class Part(NamedTuple):
    name: str
    columns: str
    # What a merge writes (sorted by key), from `{rows}`: a UNION ALL of the tables it merges.
    # `observables` rows are count deltas (one per observable per batch), summed when merged.
    fold: str


SIGHTINGS = Part(
    "sightings",
    "key UBIGINT NOT NULL, type VARCHAR NOT NULL, value VARCHAR NOT NULL,"
    " entity VARCHAR NOT NULL, entity_id VARCHAR NOT NULL, entity_seq BIGINT NOT NULL,"
    " seen_at BIGINT NOT NULL",
    "SELECT * FROM ({rows})",
)
OBSERVABLES = Part(
    "observables",
    "key UBIGINT NOT NULL, type VARCHAR NOT NULL, value VARCHAR NOT NULL,"
    " alert_count BIGINT NOT NULL, case_count BIGINT NOT NULL,"
    " first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL",
    "SELECT key, type, value, sum(alert_count)::BIGINT AS alert_count,"
    " sum(case_count)::BIGINT AS case_count, min(first_seen) AS first_seen,"
    " max(last_seen) AS last_seen FROM ({rows}) GROUP BY key, type, value",
)
PARTS = (SIGHTINGS, OBSERVABLES)


def tail(part: Part) -> str:
    """The table batches are appended to."""
    return f"{part.name}_tail"


def _tables(part: Part) -> list[str]:
    return [tail(part)] + [f"{part.name}_{level}" for level in range(1, LEVELS + 1)]


def _union(tables: list[str], where: str = "") -> str:
    return " UNION ALL ".join(f"SELECT * FROM {table} {where}" for table in tables)


def _create(part: Part, table: str) -> str:
    return f"CREATE TABLE IF NOT EXISTS {table} ({part.columns})"


def create(cur: duckdb.DuckDBPyConnection) -> None:
    """The tables and views, where missing. A file of an older layout (tables, not views, under
    the parts' names) is left as it is: its schema version has it rebuilt at start."""
    tables = {row[0] for row in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for part in PARTS:
        if part.name in tables:
            continue
        for table in _tables(part):
            cur.execute(_create(part, table))
        _define_view(cur, part)


def _define_view(cur: duckdb.DuckDBPyConnection, part: Part) -> None:
    """The view reads the tail and the levels holding rows: every table scanned costs a look-up
    about 0.2 ms, even an empty one (measured), so empty levels are left out."""
    levels = _tables(part)[1:]
    tables = [tail(part)] + [t for t, n in zip(levels, _counts(cur, levels), strict=True) if n]
    cur.execute(f"CREATE OR REPLACE VIEW {part.name} AS {_union(tables)}")


def settle(cur: duckdb.DuckDBPyConnection) -> int:
    """Merge what outgrew its level (after each batch); returns the number of merges."""
    merges = 0
    for part in PARTS:
        tables = _tables(part)
        counts = _counts(cur, tables)
        for level, table in enumerate(tables[:-1]):
            if counts[level] >= TAIL_ROWS * GROWTH**level:
                _merge(cur, part, [table], tables[level + 1])
                merges += 1
                counts = _counts(cur, tables)
    return merges


def scattered(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when a part's rows lie in more than one table (a look-up scans each of them)."""
    return any(sum(1 for n in _counts(cur, _tables(part)) if n) > 1 for part in PARTS)


def compact(cur: duckdb.DuckDBPyConnection) -> None:
    """Everything into the last level (after a rebuild, and when the indexer has been idle):
    one sorted table per part."""
    for part in PARTS:
        tables = _tables(part)
        _merge(cur, part, tables[:-1], tables[-1])


def _counts(cur: duckdb.DuckDBPyConnection, tables: list[str]) -> list[int]:
    """Rows per table, in one query."""
    counts = ", ".join(f"(SELECT count(*) FROM {table})" for table in tables)
    return list(cur.execute(f"SELECT {counts}").fetchone())  # type: ignore[arg-type]


def _merge(cur: duckdb.DuckDBPyConnection, part: Part, sources: list[str], target: str) -> None:
    """Rewrite `target` with the sources' rows, sorted, in one transaction. DuckDB runs out of
    memory sorting a few million rows at once (measured: 3.3 M sightings under 512 MB), so the
    key space is cut into slices of about SORT_ROWS rows (keys are hashes: evenly spread), each
    sorted and appended in key order."""
    tables = [target, *sources]
    slices = max(1, -(-sum(_counts(cur, tables)) // SORT_ROWS))
    width = 2**64 // slices
    cur.execute("BEGIN TRANSACTION")
    try:
        cur.execute(f"CREATE TABLE {target}_next ({part.columns})")
        for n in range(slices):
            high = 2**64 - 1 if n == slices - 1 else (n + 1) * width - 1
            rows = _union(tables, f"WHERE key BETWEEN {n * width}::UBIGINT AND {high}::UBIGINT")
            cur.execute(f"INSERT INTO {target}_next {part.fold.format(rows=rows)} ORDER BY key")
        cur.execute(f"DROP TABLE {target}")
        cur.execute(f"ALTER TABLE {target}_next RENAME TO {target}")
        for source in sources:
            if source == tail(part):  # the indexer appends to it meanwhile: keep its new rows
                cur.execute(f"DELETE FROM {source}")  # (only the rows this transaction sees)
            else:
                cur.execute(f"DROP TABLE {source}")
                cur.execute(_create(part, source))
        _define_view(cur, part)
        cur.execute("COMMIT")
    except BaseException:
        roll_back(cur)
        raise
