"""The targets (`GET|PUT /settings/sla`, Settings), kept in the `settings` table as JSON and in
memory: per severity, minutes to triage an alert and hours to resolve a case (null: none).
An alert is due `triage_m` after irbox received it and breached when it was (or still is) in
triage past that; a case is due `resolve_h` after it was opened and breached when it was (or
still is) unresolved past that. Fractions are allowed (0.5 h)."""

from __future__ import annotations

import threading

import msgspec

from irbox import clock
from irbox.errors import Errors
from irbox.identity.principal import Actor
from irbox.store import alerts as alerts_table
from irbox.store import audit, changes, settings
from irbox.store import cases as cases_table
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer

SETTING = "sla"
LONGEST_M = 366 * 24 * 60  # a year, in minutes: anything longer is a typo


class Target(msgspec.Struct, forbid_unknown_fields=True):
    triage_m: float | None = None  # minutes from receipt to triage (dismissed or escalated)
    resolve_h: float | None = None  # hours from opening to resolution


class Targets(msgspec.Struct, forbid_unknown_fields=True):
    info: Target = msgspec.field(default_factory=Target)
    low: Target = msgspec.field(default_factory=Target)
    medium: Target = msgspec.field(default_factory=Target)
    high: Target = msgspec.field(default_factory=Target)
    critical: Target = msgspec.field(default_factory=Target)


class Sla(msgspec.Struct):
    due_at: str
    breached: bool


class Standing(msgspec.Struct):
    """How late the team is now: alerts still in triage past their due time, open cases
    whose breach was recorded."""

    alerts_late: int
    cases_late: int


class SlaService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer
        self._lock = threading.Lock()
        self._targets = Targets()
        self.reload()

    def reload(self) -> None:
        """Read the targets again (another node changed them: store.changes.SLA_TARGETS)."""
        stored = self.db.read(lambda conn: settings.get(conn, SETTING))
        targets = msgspec.json.decode(stored, type=Targets) if stored else Targets()
        with self._lock:
            self._targets = targets

    @property
    def targets(self) -> Targets:
        return self._targets

    async def put(self, wanted: Targets, actor: Actor) -> Targets:
        errors = Errors()
        for severity in Targets.__struct_fields__:
            target: Target = getattr(wanted, severity)
            for field, top in (("triage_m", LONGEST_M), ("resolve_h", LONGEST_M / 60)):
                value = getattr(target, field)
                if value is not None and not 0 < value <= top:
                    errors.add(f"{severity}.{field}", f"null, or more than 0 and at most {top:g}")
        errors.raise_if_any("the SLA targets are invalid")
        encoded = msgspec.json.encode(wanted).decode()
        now = clock.now_us()

        def write(conn: Connection) -> None:
            settings.put(conn, SETTING, encoded)
            audit.record(conn, actor.who, "sla.update", None, now, msgspec.json.decode(encoded))
            changes.announce(conn, changes.SLA_TARGETS)  # the other nodes read them again

        await self.writer.run(write)
        with self._lock:
            self._targets = wanted
        return wanted

    def any_target(self) -> bool:
        return any(
            t.triage_m is not None or t.resolve_h is not None
            for t in (getattr(self._targets, s) for s in Targets.__struct_fields__)
        )

    def standing(self) -> Standing:
        now = clock.now_us()

        def read(conn: Connection) -> Standing:
            late = 0
            for severity in Targets.__struct_fields__:
                allowed = self.triage_us(severity)
                if allowed is not None:
                    late += alerts_table.count_waiting_since(conn, severity, now - allowed)
            return Standing(late, cases_table.count_breached_open(conn))

        return self.db.read(read)

    def triage_us(self, severity: str) -> int | None:
        minutes = getattr(self._targets, severity).triage_m
        return None if minutes is None else int(minutes * 60_000_000)

    def resolve_us(self, severity: str) -> int | None:
        hours = getattr(self._targets, severity).resolve_h
        return None if hours is None else int(hours * 3_600_000_000)

    def for_alert(self, severity: str, received_us: int, triaged_us: int | None) -> Sla | None:
        return _sla(self.triage_us(severity), received_us, triaged_us)

    def for_case(self, severity: str, opened_us: int, resolved_us: int | None) -> Sla | None:
        return _sla(self.resolve_us(severity), opened_us, resolved_us)


def _sla(allowed_us: int | None, start_us: int, done_us: int | None) -> Sla | None:
    if allowed_us is None:
        return None
    due = start_us + allowed_us
    return Sla(clock.to_rfc3339(due) or "", (done_us or clock.now_us()) > due)
