"""What the services tell the index, written to the outbox inside their own transactions.

Every observable that reaches SQLite (ingest, escalation, case edits) and every fact the
dashboard needs (alert created or triaged, case created or resolved) becomes one outbox row."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from irbox.observable import Observable
from irbox.store import outbox
from irbox.store.database import Connection


class AlertSeen(msgspec.Struct, tag="alert_seen", array_like=True):
    """A new alert, or (dedup) one more occurrence of it: its observables were seen at `at`."""

    alert_id: str
    alert_seq: int
    source: str
    severity: str
    at: int
    new: bool
    observables: list[tuple[str, str]]
    detected_at: int | None = None  # when the source saw it (absent from older outbox rows)


class AlertTriaged(msgspec.Struct, tag="alert_triaged", array_like=True):
    alert_id: str
    at: int
    status: str  # dismissed, escalated, or triage again (reopened)


class CaseObservable(msgspec.Struct, tag="case_observable", array_like=True):
    case_id: str
    case_seq: int
    kind: str  # the observable's type
    value: str
    at: int


class CaseObservableRemoved(msgspec.Struct, tag="case_observable_removed", array_like=True):
    """Taken off the case by hand: the case's sighting of it, recorded at `seen_at` (when it
    was added: the row's own time, not the removal's, so a clock set back in between cannot
    leave the sighting standing), and any earlier one no longer count."""

    case_id: str
    kind: str
    value: str
    seen_at: int


class CaseState(msgspec.Struct, tag="case_state", array_like=True):
    case_id: str
    at: int
    state: str  # created, resolved, reopened


Event = AlertSeen | AlertTriaged | CaseObservable | CaseObservableRemoved | CaseState
_encoder = msgspec.json.Encoder()


def payload(event: Event) -> str:
    """The event as the index reads it: a JSON array, its tag first."""
    return _encoder.encode(event).decode()


def emit(conn: Connection, event: Event, at: int) -> None:
    outbox.add(conn, str(type(event).__struct_config__.tag), payload(event), at)


def alert_seen(
    conn: Connection,
    alert_id: str,
    alert_seq: int,
    source: str,
    severity: str,
    at: int,
    new: bool,
    observables: Iterable[Observable],
    detected_at: int | None = None,
) -> None:
    pairs = [(o.type, o.value) for o in observables]
    emit(conn, AlertSeen(alert_id, alert_seq, source, severity, at, new, pairs, detected_at), at)


def alert_triaged(conn: Connection, alert_id: str, at: int, status: str) -> None:
    emit(conn, AlertTriaged(alert_id, at, status), at)


def case_observable(
    conn: Connection, case_id: str, case_seq: int, kind: str, value: str, at: int
) -> None:
    emit(conn, CaseObservable(case_id, case_seq, kind, value, at), at)


def case_observable_removed(
    conn: Connection, case_id: str, kind: str, value: str, seen_at: int, at: int
) -> None:
    emit(conn, CaseObservableRemoved(case_id, kind, value, seen_at), at)


def case_state(conn: Connection, case_id: str, at: int, state: str) -> None:
    emit(conn, CaseState(case_id, at, state), at)
