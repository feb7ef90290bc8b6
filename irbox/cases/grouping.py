"""Grouping rules (admins): per source, a new alert that shares the asset's host name, or an
observable of chosen types, with an alert of the same source in an open case, detected within
`window_m` minutes of it (before or after), joins that case as it is stored: in the ingest's
own transaction, so it is never seen in triage. Of several cases, the one holding the earliest
such alert; of several rules, the first that finds one. The case's timeline names the rule and
what the alerts share; `case.alert_added` fires as for an escalation by hand.

Rules are read in each ingest transaction that stores a new alert of a source (one indexed
query), so a change applies to the next ingest, in every process."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from irbox import clock, ids
from irbox.alerts.models import Observable
from irbox.cases.escalation import join_case
from irbox.errors import Errors, NotFound
from irbox.identity.principal import SYSTEM, Actor
from irbox.observables.normalize import TYPES
from irbox.store import alerts as alerts_table
from irbox.store import audit
from irbox.store import cases as cases_table
from irbox.store import grouping_rules as rules_table
from irbox.store.database import Connection, Database, Row, RowLike, written
from irbox.store.writer import Writer

BY = ("hostname", "observable")
LONGEST_M = 7 * 24 * 60  # a week
MAX_SOURCE = 200

_encode = msgspec.json.Encoder().encode
_decode_types = msgspec.json.Decoder(list[str]).decode
_decode_observables = msgspec.json.Decoder(list[Observable]).decode


class GroupingRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    source: str
    by: str  # hostname: the asset's host name; observable: one of `observable_types`
    observable_types: list[str] = []  # by observable: these types (empty: any type)
    window_m: int = 60  # minutes between the two alerts' detection times, at most a week
    active: bool = True


class GroupingRulePatch(msgspec.Struct, forbid_unknown_fields=True):
    observable_types: list[str] | UnsetType = UNSET
    window_m: int | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class GroupingRule(msgspec.Struct):
    id: str  # grp_…
    source: str
    by: str
    observable_types: list[str]
    window_m: int
    active: bool
    created_at: str
    updated_at: str


class GroupingRuleList(msgspec.Struct):
    items: list[GroupingRule]


def to_rule(row: RowLike) -> GroupingRule:
    return GroupingRule(
        id=row["id"],
        source=row["source"],
        by=row["by"],
        observable_types=_decode_types(row["observable_types"]),
        window_m=row["window_m"],
        active=bool(row["active"]),
        created_at=clock.to_rfc3339(row["created_at"]) or "",
        updated_at=clock.to_rfc3339(row["updated_at"]) or "",
    )


def group_new_alerts(conn: Connection, new: list[tuple[str, str]], now: int) -> set[str]:
    """Inside the ingest's transaction: each new alert in triage (id, source) that a rule of
    its source groups joins its case. Returns the ids of those that did. Without a rule for
    their sources, one indexed query and nothing more."""
    rules = [to_rule(r) for r in rules_table.active_for(conn, sorted({s for _, s in new}))]
    if not rules:
        return set()
    sources = {rule.source for rule in rules}
    grouped = set()
    for alert_id, source in new:
        if source not in sources:
            continue
        alert = written(alerts_table.get(conn, alert_id))
        for rule in (r for r in rules if r.source == source):
            found = _case_for(conn, rule, alert)
            if found is not None:
                case_id, why = found
                case = written(cases_table.get(conn, case_id))
                join_case(conn, alert, case, SYSTEM, now, f"grouping rule {rule.id}: {why}")
                grouped.add(alert_id)
                break
    return grouped


def _case_for(conn: Connection, rule: GroupingRule, alert: RowLike) -> tuple[str, str] | None:
    """The case the rule puts the alert in, and what they share; None when there is none."""
    window = rule.window_m * 60_000_000
    lo, hi = alert["detected_at"] - window, alert["detected_at"] + window
    if rule.by == "hostname":
        hostname = _hostname(alert["asset"])
        if hostname is None:
            return None
        found = alerts_table.open_case_on_host(conn, hostname, rule.source, lo, hi)
        return (found[0], f"same host {hostname}") if found else None
    best: tuple[str, int, str] | None = None
    for o in _decode_observables(alert["observables"]):
        if rule.observable_types and o.type not in rule.observable_types:
            continue
        found = alerts_table.open_case_sharing(conn, o.type, o.value, rule.source, lo, hi)
        if found and (best is None or found[1] < best[1]):
            best = (found[0], found[1], f"shares {o.type} {o.value}")
    return (best[0], best[2]) if best else None


def _hostname(asset: str | None) -> str | None:
    if not asset:
        return None
    value = msgspec.json.decode(asset).get("hostname")
    return value.strip() if isinstance(value, str) and value.strip() else None


class GroupingRuleService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def list(self) -> GroupingRuleList:
        return GroupingRuleList([to_rule(r) for r in self.db.read(rules_table.all_rules)])

    def get(self, rule_id: str) -> GroupingRule:
        return to_rule(self.db.read(lambda conn: _existing(conn, rule_id)))

    async def create(self, data: GroupingRuleIn, actor: Actor) -> GroupingRule:
        errors = Errors()
        source = data.source.strip()
        if not 1 <= len(source) <= MAX_SOURCE:
            errors.add("source", f"1 to {MAX_SOURCE} characters")
        if data.by not in BY:
            errors.add("by", f"one of {', '.join(BY)}")
        types = _types(errors, data.by, data.observable_types)
        _window(errors, data.window_m)
        errors.raise_if_any("the grouping rule is invalid")
        now = clock.now_us()
        row: dict[str, Any] = {
            "id": ids.new_id("grp"), "source": source, "by": data.by,
            "observable_types": _encode(types).decode(), "window_m": data.window_m,
            "active": int(data.active), "created_at": now, "updated_at": now,
        }  # fmt: skip

        def write(conn: Connection) -> Row:
            rules_table.insert(conn, row)
            audit.record(conn, actor.who, "grouping_rule.create", row["id"], now,
                         {"source": source, "by": data.by, "window_m": data.window_m})  # fmt: skip
            return written(rules_table.get(conn, row["id"]))

        return to_rule(await self.writer.run(write))

    async def update(self, rule_id: str, patch: GroupingRulePatch, actor: Actor) -> GroupingRule:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            current = to_rule(_existing(conn, rule_id))
            errors = Errors()
            changed: dict[str, Any] = {}
            if patch.observable_types is not UNSET:
                types = _types(errors, current.by, patch.observable_types)
                changed["observable_types"] = _encode(types).decode()
            if patch.window_m is not UNSET:
                _window(errors, patch.window_m)
                changed["window_m"] = patch.window_m
            if patch.active is not UNSET:
                changed["active"] = int(patch.active)
            errors.raise_if_any("the change is invalid")
            if changed:
                rules_table.update(conn, rule_id, {**changed, "updated_at": now})
                audit.record(conn, actor.who, "grouping_rule.update", rule_id, now,
                             {"changed": sorted(changed)})  # fmt: skip
            return written(rules_table.get(conn, rule_id))

        return to_rule(await self.writer.run(write))

    async def delete(self, rule_id: str, actor: Actor) -> GroupingRule:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = _existing(conn, rule_id)
            rules_table.delete(conn, rule_id)
            audit.record(conn, actor.who, "grouping_rule.delete", rule_id, now,
                         {"source": row["source"]})  # fmt: skip
            return row

        return to_rule(await self.writer.run(write))


def _existing(conn: Connection, rule_id: str) -> Row:
    row = rules_table.get(conn, rule_id)
    if row is None:
        raise NotFound(f"no grouping rule {rule_id}")
    return row


def _types(errors: Errors, by: str, types: list[str]) -> list[str]:
    if by != "observable" and types:
        errors.add("observable_types", "only a rule by observable has them")
    bad = [t for t in types if t not in TYPES]
    if bad:
        errors.add("observable_types", f"unknown type {bad[0]!r}; known: {' '.join(TYPES)}")
    return list(dict.fromkeys(types))


def _window(errors: Errors, window_m: int) -> None:
    if not 1 <= window_m <= LONGEST_M:
        errors.add("window_m", f"1 to {LONGEST_M} minutes (a week)")
