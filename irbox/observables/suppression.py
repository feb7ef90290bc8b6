"""Suppressions: an observable known to be noise, globally or for one source, until a time.

An alert whose every observable (at least one) is under an active suppression covering its
source is stored already dismissed with reason `suppressed`. Expired suppressions stop applying
on their own: `until` is compared with the time of each ingest."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from irbox import clock, ids
from irbox.alerts.validation import SOURCE_RE
from irbox.errors import Errors, NotFound
from irbox.identity.principal import Actor
from irbox.observable import Observable
from irbox.observables.normalize import normalize
from irbox.paging import split_page
from irbox.store import audit, changes
from irbox.store import suppressions as suppressions_table
from irbox.store.database import Connection, Database, Row, written
from irbox.store.writer import Writer

_SCOPE = re.compile(r"(global|source:(.+))")  # fullmatch: `$` would let "global\n" by
MAX_REASON = 1000


class Suppression(msgspec.Struct):
    id: str
    type: str
    value: str
    scope: str
    until: str | None
    reason: str
    created_by: str | None
    created_at: str
    lifted_at: str | None
    lifted_by: str | None
    active: bool


class SuppressionPage(msgspec.Struct):
    items: list[Suppression]
    next_cursor: str | None


class SuppressIn(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    value: str
    reason: str
    scope: str = "global"
    until: str | None = None


def to_suppression(row: Row, now: int) -> Suppression:
    active = row["lifted_at"] is None and (row["until"] is None or row["until"] > now)
    return Suppression(
        id=row["id"],
        type=row["type"],
        value=row["value"],
        scope=row["scope"],
        until=clock.to_rfc3339(row["until"]),
        reason=row["reason"],
        created_by=row["created_by"],
        created_at=clock.to_rfc3339(row["created_at"]) or "",
        lifted_at=clock.to_rfc3339(row["lifted_at"]),
        lifted_by=row["lifted_by"],
        active=active,
    )


def covering(conn: Connection, source: str, observables: list[Observable], now: int) -> list[str]:
    """Ids of the suppressions that cover every observable of an alert from `source`;
    empty when any observable is not covered (or there are none)."""
    pairs = list({(o.type, o.value) for o in observables})
    if not pairs:
        return []
    rows = suppressions_table.active_for(conn, pairs, ("global", f"source:{source}"), now)
    covered = {(r["type"], r["value"]) for r in rows}
    return sorted({r["id"] for r in rows}) if covered >= set(pairs) else []


class SuppressionService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer
        # Whether any suppression was ever left unlifted: while none is, ingest skips the
        # suppression query (the common case on the hot path). Changed only inside write jobs,
        # which run one at a time on the writer's thread, before any later ingest job.
        self._maybe_active = self.db.read(suppressions_table.any_unlifted)

    def heard_of_change(self) -> None:
        """Another node made a suppression: look for them from now on."""
        self._maybe_active = True

    def covering(
        self, conn: Connection, source: str, observables: list[Observable], now: int
    ) -> list[str]:
        """Inside a write job: the suppressions that cover this alert (see `covering`)."""
        return covering(conn, source, observables, now) if self._maybe_active else []

    async def create(self, data: SuppressIn, actor: Actor) -> Suppression:
        errors = Errors()
        value = ""
        try:
            value = normalize(data.type, data.value)
        except ValueError as exc:
            errors.add("type" if "type" in str(exc) else "value", str(exc))
        scope = _SCOPE.fullmatch(data.scope)
        if scope is None or (
            scope.group(2) is not None and not SOURCE_RE.fullmatch(scope.group(2))
        ):
            errors.add("scope", "global, or source:<source name>")
        if not data.reason.strip() or len(data.reason) > MAX_REASON:
            errors.add("reason", f"1 to {MAX_REASON} characters, not blank")
        until = None
        now = clock.now_us()
        if data.until is not None:
            try:
                until = clock.parse_rfc3339(data.until)
                if until <= now:
                    errors.add("until", "must be in the future")
            except ValueError as exc:
                errors.add("until", str(exc))
        errors.raise_if_any("the suppression is invalid")
        row: dict[str, Any] = {
            "id": ids.new_id("sup"),
            "type": data.type,
            "value": value,
            "scope": data.scope,
            "until": until,
            "reason": data.reason.strip(),
            "created_by": actor.user_id,
            "created_at": now,
        }

        def write(conn: Connection) -> Row:
            self._maybe_active = True
            # One active suppression per observable and scope: a new one replaces (lifts) the
            # one in force, so its `until` and reason are the latest word, and lifting it
            # lifts the suppression, not one of two.
            replaced = [
                r["id"]
                for r in suppressions_table.active_of(conn, data.type, value, now)
                if r["scope"] == data.scope
            ]
            for old in replaced:
                suppressions_table.lift(conn, old, actor.user_id, now)
                audit.record(
                    conn, actor.who, "suppression.lift", old, now, {"replaced_by": row["id"]}
                )
            suppressions_table.insert(conn, row)
            changes.announce(conn, changes.SUPPRESSIONS)  # other nodes' ingests look too
            audit.record(
                conn, actor.who, "suppression.create", row["id"], now, {"scope": data.scope}
            )
            return written(suppressions_table.get(conn, row["id"]))

        return to_suppression(await self.writer.run(write), now)

    async def lift(self, suppression_id: str, actor: Actor) -> Suppression:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            if suppressions_table.get(conn, suppression_id) is None:
                raise NotFound(f"no suppression {suppression_id}")
            suppressions_table.lift(conn, suppression_id, actor.user_id, now)
            self._maybe_active = suppressions_table.any_unlifted(conn)
            audit.record(conn, actor.who, "suppression.lift", suppression_id, now)
            return written(suppressions_table.get(conn, suppression_id))

        return to_suppression(await self.writer.run(write), now)

    def get(self, suppression_id: str) -> Suppression:
        row = self.db.read(suppressions_table.get, suppression_id)
        if row is None:
            raise NotFound(f"no suppression {suppression_id}")
        return to_suppression(row, clock.now_us())

    def page(self, active_only: bool, before_seq: int | None, limit: int) -> SuppressionPage:
        now = clock.now_us()
        rows = self.db.read(suppressions_table.page, active_only, now, before_seq, limit + 1)
        rows, next_cursor = split_page(rows, limit)
        return SuppressionPage([to_suppression(r, now) for r in rows], next_cursor)

    def active_for(self, kind: str, value: str) -> list[Suppression]:
        now = clock.now_us()

        rows = self.db.read(suppressions_table.active_of, kind, value, now)
        return [to_suppression(r, now) for r in rows]
