"""Appending to the index in batches: column lists in, one `INSERT … SELECT unnest(…)` per table,
and the applied outbox position in the same DuckDB transaction (so a batch is applied once)."""

from __future__ import annotations

from irbox.index.database import IndexDatabase, observable_key
from irbox.index.events import AlertSeen, AlertTriaged, CaseObservable, CaseState, Event

_TRIAGE_KIND = {"dismissed": "triaged", "escalated": "triaged", "triage": "reopened"}


class Batch:
    def __init__(self) -> None:
        self.sightings: list[list] = [[] for _ in range(7)]
        # (key, type, value) -> [alerts added, cases added, first seen, last seen]
        self.counts: dict[tuple[int, str, str], list[int]] = {}
        self.alert_log: list[list] = [[] for _ in range(5)]
        self.case_log: list[list] = [[] for _ in range(3)]

    def sighting(
        self, kind: str, value: str, entity: str, entity_id: str, seq: int, at: int
    ) -> None:
        """A first sighting of the observable on this alert or case."""
        key = observable_key(kind, value)
        row = (key, kind, value, entity, entity_id, seq, at)
        for column, item in zip(self.sightings, row, strict=True):
            column.append(item)
        self.seen(key, kind, value, at, alerts=entity == "alert", cases=entity == "case")

    def seen(
        self, key: int, kind: str, value: str, at: int, alerts: bool = False, cases: bool = False
    ) -> None:
        counts = self.counts.get((key, kind, value))
        if counts is None:
            self.counts[(key, kind, value)] = [int(alerts), int(cases), at, at]
        else:
            counts[0] += alerts
            counts[1] += cases
            counts[2] = min(counts[2], at)
            counts[3] = max(counts[3], at)

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
                else:  # one more occurrence of a known alert: only `last_seen` moves
                    self.seen(observable_key(kind, value), kind, value, event.at)
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
            if self.counts:
                keys, values = list(self.counts), list(self.counts.values())
                cur.execute(
                    "INSERT INTO observables SELECT unnest(?::UBIGINT[]), unnest(?::VARCHAR[]),"
                    " unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::BIGINT[]),"
                    " unnest(?::BIGINT[]), unnest(?::BIGINT[])"
                    " ON CONFLICT (key, type, value) DO UPDATE SET"
                    " alert_count = observables.alert_count + excluded.alert_count,"
                    " case_count = observables.case_count + excluded.case_count,"
                    " first_seen = least(observables.first_seen, excluded.first_seen),"
                    " last_seen = greatest(observables.last_seen, excluded.last_seen)",
                    [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]]
                    + [[v[i] for v in values] for i in range(4)],
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
