""" "Have we seen this before?": every alert and case touching one observable, from the index,
with the alerts' and cases' details read from SQLite (the source of truth)."""

from __future__ import annotations

import msgspec

from irbox import clock
from irbox.errors import Errors
from irbox.index import search as index_search
from irbox.index.database import IndexDatabase
from irbox.observables.normalize import detect, normalize
from irbox.observables.suppression import Suppression, SuppressionService
from irbox.paging import decode_position, encode_position
from irbox.store import alerts as alerts_table
from irbox.store import cases as cases_table
from irbox.store.database import Connection, Database, Row

AUTO = "auto"  # the type to give for "detect it from the value"


class SeenAlert(msgspec.Struct):
    id: str
    title: str
    severity: str
    status: str
    source: str
    detected_at: str


class SeenCase(msgspec.Struct):
    id: str
    number: int
    title: str
    severity: str
    status: str


class SearchResult(msgspec.Struct):
    type: str
    value: str
    first_seen: str | None
    last_seen: str | None
    alert_count: int
    case_count: int
    alerts: list[SeenAlert]
    cases: list[SeenCase]
    suppressions: list[Suppression]
    next_cursor: str | None  # the next page of both lists


def _encode_cursor(alert_seq: int, case_seq: int) -> str:
    return encode_position("o1", alert_seq, case_seq)


def _decode_cursor(cursor: str | None) -> tuple[int | None, int | None]:
    if not cursor:
        return None, None
    alerts_before, cases_before = decode_position(cursor, "o1", 2)
    return alerts_before, cases_before


class ObservableSearch:
    def __init__(
        self, db: Database, index: IndexDatabase, suppressions: SuppressionService
    ) -> None:
        self.db = db
        self.index = index
        self.suppressions = suppressions

    def sighted(self, kind: str, value: str) -> index_search.Sighted:
        """How many alerts and cases carried an (already normalised) observable: one index
        lookup."""
        return index_search.sighted(self.index, kind, value)

    def _likeliest(self, raw_value: str) -> str:
        candidates = detect(raw_value) or ["other"]
        for candidate in candidates:
            try:
                value = normalize(candidate, raw_value)
            except ValueError:
                continue
            seen = index_search.sighted(self.index, candidate, value)
            if seen.alert_count or seen.case_count:
                return candidate
        return candidates[0]

    def search(
        self, kind: str | None, raw_value: str, limit: int, cursor: str | None
    ) -> SearchResult:
        """`kind` None (or `auto`): the type is detected from the value (a pasted indicator);
        when several fit, the first that has been seen, else the likeliest."""
        if kind is None or kind == AUTO:
            kind = self._likeliest(raw_value)
        errors = Errors()
        value = ""
        try:
            value = normalize(kind, raw_value)
        except ValueError as exc:
            errors.add("type" if str(exc).startswith("unknown observable") else "value", str(exc))
        if not 1 <= limit <= 500:
            errors.add("limit", "must be between 1 and 500")
        errors.raise_if_any("invalid search")
        alerts_before, cases_before = _decode_cursor(cursor)
        alert_ids: list[tuple[str, int]] = []
        case_ids: list[tuple[str, int]] = []
        with self.index.snapshot():  # counts and lists from the same state of the index
            sighted = index_search.sighted(self.index, kind, value)
            if sighted.alert_count:  # never seen (the common miss): one query, not three
                alert_ids = index_search.entities(  # one more: is there a next page?
                    self.index, kind, value, "alert", alerts_before, limit + 1
                )
            if sighted.case_count:
                case_ids = index_search.entities(
                    self.index, kind, value, "case", cases_before, limit + 1
                )
        more_alerts = alert_ids[limit - 1][1] if len(alert_ids) > limit else 0
        more_cases = case_ids[limit - 1][1] if len(case_ids) > limit else 0
        alert_ids, case_ids = alert_ids[:limit], case_ids[:limit]

        def details(
            conn: Connection,
        ) -> tuple[dict[str, Row], dict[str, Row]]:
            return (
                alerts_table.summaries(conn, [i for i, _ in alert_ids]),
                cases_table.summaries(conn, [i for i, _ in case_ids]),
            )

        alert_rows, case_rows = self.db.read(details)
        alerts = [
            SeenAlert(
                r["id"],
                r["title"],
                r["severity"],
                r["status"],
                r["source"],
                clock.to_rfc3339(r["detected_at"]) or "",
            )
            for r in (alert_rows.get(i) for i, _ in alert_ids)
            if r is not None
        ]
        cases = [
            SeenCase(r["id"], r["number"], r["title"], r["severity"], r["status"])
            for r in (case_rows.get(i) for i, _ in case_ids)
            if r is not None
        ]
        next_cursor = _encode_cursor(more_alerts, more_cases) if more_alerts or more_cases else None
        return SearchResult(
            type=kind,
            value=value,
            first_seen=clock.to_rfc3339(sighted.first_seen),
            last_seen=clock.to_rfc3339(sighted.last_seen),
            alert_count=sighted.alert_count,
            case_count=sighted.case_count,
            alerts=alerts,
            cases=cases,
            suppressions=self.suppressions.active_for(kind, value) if value else [],
            next_cursor=next_cursor,
        )
