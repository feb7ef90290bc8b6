"""Appending to the index in batches: column lists in, one `INSERT … SELECT unnest(…)` per table,
and the applied outbox position in the same DuckDB transaction (so a batch is applied once)."""

from __future__ import annotations

from irbox.index.database import KEY_OF_COLUMNS, IndexDatabase
from irbox.index.events import AlertSeen, AlertTriaged, CaseObservable, CaseState, Event

_TRIAGE_KIND = {"dismissed": "triaged", "escalated": "triaged", "triage": "reopened"}


_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS staged (type VARCHAR, value VARCHAR, entity VARCHAR,"
    " entity_id VARCHAR, entity_seq BIGINT, seen_at BIGINT, first BOOLEAN)"
)


class Batch:
    """Column lists built in Python; keys, counts and first/last seen are computed by DuckDB
    (in C++, outside the GIL the HTTP event loop needs)."""

    def __init__(self) -> None:
        # type, value, entity, entity_id, entity_seq, seen_at, first sighting on that entity?
        self.staged: list[list] = [[] for _ in range(7)]
        self.alert_log: list[list] = [[] for _ in range(5)]
        self.case_log: list[list] = [[] for _ in range(3)]

    def sighting(
        self, kind: str, value: str, entity: str, entity_id: str, seq: int, at: int
    ) -> None:
        """The first sighting of the observable on this alert or case."""
        for column, item in zip(
            self.staged, (kind, value, entity, entity_id, seq, at, True), strict=True
        ):
            column.append(item)

    def seen(self, kind: str, value: str, at: int) -> None:
        """Seen again (a duplicate alert): only its last-seen time can move."""
        for column, item in zip(
            self.staged, (kind, value, None, None, None, at, False), strict=True
        ):
            column.append(item)

    def alert(self, alert_id: str, source: str | None, severity: str | None, kind: str, at: int):
        for column, item in zip(
            self.alert_log, (alert_id, source, severity, kind, at), strict=True
        ):
            column.append(item)

    def case(self, case_id: str, kind: str, at: int) -> None:
        for column, item in zip(self.case_log, (case_id, kind, at), strict=True):
            column.append(item)

    def add(self, event: Event) -> None:
        if isinstance(event, AlertSeen):
            for kind, value in event.observables:
                if event.new:
                    self.sighting(kind, value, "alert", event.alert_id, event.alert_seq, event.at)
                else:
                    self.seen(kind, value, event.at)
            if event.new:
                self.alert(event.alert_id, event.source, event.severity, "created", event.at)
        elif isinstance(event, AlertTriaged):
            self.alert(event.alert_id, None, None, _TRIAGE_KIND[event.status], event.at)
        elif isinstance(event, CaseObservable):
            self.sighting(event.kind, event.value, "case", event.case_id, event.case_seq, event.at)
        elif isinstance(event, CaseState):
            self.case(event.case_id, event.state, event.at)

    def write(self, index: IndexDatabase, through_seq: int) -> None:
        cur = index.cursor()
        cur.execute(_STAGE)
        cur.execute("BEGIN TRANSACTION")
        try:
            if self.staged[0]:
                cur.execute(
                    "INSERT INTO staged SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
                    " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[]),"
                    " unnest(?::BIGINT[]), unnest(?::BOOLEAN[])",
                    self.staged,
                )
                cur.execute(
                    f"INSERT INTO sightings SELECT {KEY_OF_COLUMNS}, type, value, entity,"
                    " entity_id, entity_seq, seen_at FROM staged WHERE first"
                )
                cur.execute(
                    f"INSERT INTO observables SELECT {KEY_OF_COLUMNS}, type, value,"
                    " count(*) FILTER (WHERE first AND entity = 'alert'),"
                    " count(*) FILTER (WHERE first AND entity = 'case'),"
                    " min(seen_at), max(seen_at) FROM staged GROUP BY type, value"
                    " ON CONFLICT (key, type, value) DO UPDATE SET"
                    " alert_count = observables.alert_count + excluded.alert_count,"
                    " case_count = observables.case_count + excluded.case_count,"
                    " first_seen = least(observables.first_seen, excluded.first_seen),"
                    " last_seen = greatest(observables.last_seen, excluded.last_seen)"
                )
                cur.execute("DELETE FROM staged")
            if self.alert_log[0]:
                cur.execute(
                    "INSERT INTO alert_log SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
                    " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[])",
                    self.alert_log,
                )
            if self.case_log[0]:
                cur.execute(
                    "INSERT INTO case_log SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
                    " unnest(?::BIGINT[])",
                    self.case_log,
                )
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('applied_seq', ?)", [through_seq])
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
