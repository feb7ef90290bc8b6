"""Appending to the index in batches: column lists in, one `INSERT … SELECT unnest(…)` per table,
and the applied outbox position in the same DuckDB transaction (so a batch is applied once)."""

from __future__ import annotations

from irbox.index.database import IndexDatabase, observable_key
from irbox.index.events import AlertSeen, AlertTriaged, CaseObservable, CaseState, Event

_TRIAGE_KIND = {"dismissed": "triaged", "escalated": "triaged", "triage": "reopened"}


class Batch:
    def __init__(self) -> None:
        self.sightings: list[list] = [[] for _ in range(7)]
        self.alert_log: list[list] = [[] for _ in range(5)]
        self.case_log: list[list] = [[] for _ in range(3)]

    def sighting(
        self, kind: str, value: str, entity: str, entity_id: str, seq: int, at: int
    ) -> None:
        row = (observable_key(kind, value), kind, value, entity, entity_id, seq, at)
        for column, item in zip(self.sightings, row, strict=True):
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
                self.sighting(kind, value, "alert", event.alert_id, event.alert_seq, event.at)
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
        cur.execute("BEGIN TRANSACTION")
        try:
            if self.sightings[0]:
                cur.execute(
                    "INSERT INTO sightings SELECT unnest(?::UBIGINT[]), unnest(?::VARCHAR[]),"
                    " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
                    " unnest(?::BIGINT[]), unnest(?::BIGINT[])",
                    self.sightings,
                )
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
