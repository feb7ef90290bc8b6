"""What else an alert touches (`GET /alerts/{id}/related`): the alerts still in triage and the
cases still open that share one of its observables (from the observable index) or its asset's
host name (from SQLite), each with what it shares; the ones sharing most come first."""

from __future__ import annotations

from collections import defaultdict

import msgspec

from irbox.errors import Errors, NotFound
from irbox.index import search as index_search
from irbox.index.database import IndexDatabase
from irbox.observable import Observable
from irbox.paging import check_limit, decode_position, encode_position
from irbox.store import alerts as alerts_table
from irbox.store import cases as cases_table
from irbox.store.database import Connection, Database

LOOKED_UP = 20  # the alert's first observables looked up: 2 index queries each, 3-5 ms at 10 M
PER_OBSERVABLE = 200  # the newest alerts or cases read per observable
_CURSOR = "rel"


class RelatedItem(msgspec.Struct):
    kind: str  # alert or case
    id: str
    title: str
    status: str
    shared: list[Observable]
    number: int | None = None  # a case's number


class RelatedPage(msgspec.Struct):
    items: list[RelatedItem]
    next_cursor: str | None


class RelatedFinder:
    def __init__(self, db: Database, index: IndexDatabase) -> None:
        self.db = db
        self.index = index

    def related(self, alert_id: str, limit: int, cursor: str | None) -> RelatedPage:
        errors = Errors()
        check_limit(errors, limit)
        errors.raise_if_any("invalid page")
        offset = decode_position(cursor, _CURSOR, 1)[0] if cursor else 0
        alert = self.db.read(alerts_table.get, alert_id)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        shared: dict[tuple[str, str], list[Observable]] = defaultdict(list)
        observables = msgspec.json.decode(alert["observables"] or "[]", type=list[Observable])
        with self.index.snapshot():
            for observable in observables[:LOOKED_UP]:
                for entity in ("alert", "case"):
                    for found, _ in index_search.entities(
                        self.index, observable.type, observable.value, entity, None,
                        PER_OBSERVABLE,
                    ):  # fmt: skip
                        shared[(entity, found)].append(observable)
        hostname = _hostname(alert["asset"])
        if hostname:
            on_host = Observable("hostname", hostname.lower())
            for found in self.db.read(alerts_table.in_triage_on_host, hostname, PER_OBSERVABLE):
                if on_host not in shared[("alert", found)]:
                    shared[("alert", found)].append(on_host)
        shared.pop(("alert", alert_id), None)
        items = self.db.read(_open_ones, shared)
        items.sort(key=lambda i: i.id, reverse=True)  # newest first (ids are ULIDs)...
        items.sort(key=lambda i: (-len(i.shared), i.kind != "case"))  # ...within: most shared
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        return RelatedPage(
            items=page, next_cursor=encode_position(_CURSOR, offset + limit) if more else None
        )


def _hostname(asset: str | None) -> str | None:
    if not asset:
        return None
    value = msgspec.json.decode(asset).get("hostname")
    return value if isinstance(value, str) and value.strip() else None


def _open_ones(
    conn: Connection, shared: dict[tuple[str, str], list[Observable]]
) -> list[RelatedItem]:
    """The alerts still in triage and the cases not resolved among `shared`."""
    alerts = alerts_table.summaries(conn, [i for kind, i in shared if kind == "alert"])
    cases = cases_table.summaries(conn, [i for kind, i in shared if kind == "case"])
    items = [
        RelatedItem("alert", i, row["title"], row["status"], shared[("alert", i)])
        for i, row in alerts.items()
        if row["status"] == "triage"
    ]
    items += [
        RelatedItem("case", i, row["title"], row["status"], shared[("case", i)], row["number"])
        for i, row in cases.items()
        if row["status"] in ("open", "in_progress")
    ]
    return items
