"""Appending to the index in batches: index events (`events.py`) go in as their JSON, DuckDB
unpacks them in SQL, and the applied outbox position is set in the same DuckDB transaction (so a
batch is applied once). The indexer feeds it outbox rows; the rebuild feeds it the same events
made from SQLite's tables, so both paths produce the same index."""

from __future__ import annotations

from irbox.index.database import KEY_OF_COLUMNS, IndexDatabase
from irbox.index.levels import OBSERVABLES, SIGHTINGS, tail
from irbox.index.transaction import roll_back

# Outbox events arrive as their JSON arrays (`events.py`, msgspec array_like with the tag
# first), one per line: msgspec escapes newlines inside strings, so a line is one event. DuckDB
# parses each line once into its fields as text (`from_json(..., '["VARCHAR"]')` keeps a nested
# array as its JSON); unpacking in SQL keeps the per-observable work out of Python. (Measured:
# extracting each field with `->>` parsed every event ~14 times, 10.8 against 8.9 us per alert.)
_EVENTS = "CREATE TEMP TABLE IF NOT EXISTS events (a VARCHAR[])"
_LOAD = "INSERT INTO events SELECT from_json(unnest(string_split(?, chr(10))), '[\"VARCHAR\"]')"
_REMOVED = (
    "SELECT a[2] AS case_id, a[3] AS type, a[4] AS value, a[5]::BIGINT AS seen_until FROM events"
    " WHERE a[1] = 'case_observable_removed'"
)
_UNPACK = (
    # alert_seen: [tag, alert_id, alert_seq, source, severity, at, new, [[type, value], ...],
    #   detected_at (later rows only)]
    # case_observable: [tag, case_id, case_seq, type, value, at]
    # (The fields are taken out before the unnest: else DuckDB carries each event's whole
    # row into every unnested row, 16 MB for one alert of 1,000 observables; measured: out of
    # memory under a 192 MB limit. OFFSET 0 keeps the optimizer from folding the inner query
    # back in.)
    "INSERT INTO staged SELECT o[1], o[2], CASE WHEN is_new THEN 'alert' END,"
    " CASE WHEN is_new THEN alert_id END, CASE WHEN is_new THEN alert_seq END, seen_at, is_new"
    " FROM (SELECT alert_id, alert_seq, seen_at, is_new, unnest(observables) AS o"
    " FROM (SELECT a[2] AS alert_id, a[3]::BIGINT AS alert_seq, a[6]::BIGINT AS seen_at,"
    " a[7]::BOOLEAN AS is_new, from_json(a[8], '[[\"VARCHAR\"]]') AS observables"
    " FROM events WHERE a[1] = 'alert_seen' OFFSET 0))"
    " UNION ALL SELECT a[4], a[5], 'case', a[2], a[3]::BIGINT, a[6]::BIGINT, true"
    " FROM events WHERE a[1] = 'case_observable'",
    # alert_triaged: [tag, alert_id, at, status]
    "INSERT INTO alert_log SELECT a[2], a[4], a[5], 'created', a[6]::BIGINT, a[9]::BIGINT"
    " FROM events WHERE a[1] = 'alert_seen' AND a[7]::BOOLEAN"
    " UNION ALL SELECT a[2], NULL, NULL,"
    " CASE WHEN a[4] = 'triage' THEN 'reopened' ELSE 'triaged' END, a[3]::BIGINT, NULL"
    " FROM events WHERE a[1] = 'alert_triaged'",
    # case_state: [tag, case_id, at, state]
    "INSERT INTO case_log SELECT a[2], a[4], a[3]::BIGINT FROM events WHERE a[1] = 'case_state'",
    # case_observable_removed: [tag, case_id, type, value, seen_at]: the case's sighting
    # stops counting, and the observable counts one case fewer (a delta whose first and last
    # seen are bounds min and max pass over: when it was seen stays as it was).
    f"INSERT INTO removed_sightings SELECT {KEY_OF_COLUMNS}, case_id, seen_until FROM ({_REMOVED})",
    f"INSERT INTO {tail(OBSERVABLES)} SELECT {KEY_OF_COLUMNS}, type, value, 0, -count(*),"
    f" 9223372036854775807, 0 FROM ({_REMOVED}) GROUP BY type, value",
)


_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS staged (type VARCHAR, value VARCHAR, entity VARCHAR,"
    " entity_id VARCHAR, entity_seq BIGINT, seen_at BIGINT, first BOOLEAN)"
)


class Batch:
    """Events gathered in Python (the rebuild, tests), applied as one batch."""

    def __init__(self, payloads: list[str] | None = None) -> None:
        self.payloads: list[str] = payloads if payloads is not None else []

    def add_payload(self, payload: str) -> None:
        """One event, as its JSON (`events.payload`)."""
        self.payloads.append(payload)

    def write(self, index: IndexDatabase, through_seq: int) -> None:
        apply(index, "\n".join(self.payloads), through_seq)


def apply(index: IndexDatabase, lines: str, through_seq: int) -> None:
    """Apply events given as JSON lines (the indexer reads them so from the outbox, in one
    string: no Python object per event). Unpacking, keys, counts and first/last seen are all
    computed by DuckDB, in C++, outside the GIL the HTTP event loop needs."""
    cur = index.cursor()
    cur.execute(_STAGE)
    cur.execute(_EVENTS)
    cur.execute("BEGIN TRANSACTION")
    try:
        if lines:
            cur.execute(_LOAD, [lines])
            for sql in _UNPACK:
                cur.execute(sql)
            cur.execute("DELETE FROM events")
            cur.execute(
                f"INSERT INTO {tail(SIGHTINGS)} SELECT {KEY_OF_COLUMNS}, type, value, entity,"
                " entity_id, entity_seq, seen_at FROM staged WHERE first"
            )
            # The batch's count deltas; the `observables` view sums them per observable.
            cur.execute(
                f"INSERT INTO {tail(OBSERVABLES)} SELECT {KEY_OF_COLUMNS}, type, value,"
                " count(*) FILTER (WHERE first AND entity = 'alert'),"
                " count(*) FILTER (WHERE first AND entity = 'case'),"
                " min(seen_at), max(seen_at) FROM staged GROUP BY type, value"
            )
            cur.execute("DELETE FROM staged")
        cur.execute("INSERT OR REPLACE INTO meta VALUES ('applied_seq', ?)", [through_seq])
        cur.execute("COMMIT")
    except BaseException:
        roll_back(cur)
        raise
