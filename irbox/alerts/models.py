"""What crosses the API for alerts."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox.observable import Observable
from irbox.sla.targets import Sla

SEVERITIES = ("info", "low", "medium", "high", "critical")
STATUSES = ("triage", "dismissed", "escalated")
REASON_CODES = (
    "known-good",
    "false-positive",
    "benign",
    "duplicate",
    "test",
    "suppressed",
    "other",
)


class ObservableIn(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    value: str


class AlertIn(msgspec.Struct, forbid_unknown_fields=True):
    source: str
    external_id: str
    severity: str
    title: str
    detected_at: str
    description: str | None = None
    tags: list[str] = []
    asset: dict[str, Any] | None = None
    observables: list[ObservableIn] = []
    raw: dict[str, Any] | None = None


class Dismissal(msgspec.Struct):
    reason_code: str
    comment: str
    by: str | None
    at: str


class AlertSummary(msgspec.Struct, kw_only=True):
    id: str
    source: str
    external_id: str
    severity: str
    title: str
    detected_at: str
    status: str
    tags: list[str]
    asset: dict[str, Any] | None
    observables: list[Observable]
    occurrences: int
    first_seen_at: str
    last_seen_at: str
    case_id: str | None
    dismissal: Dismissal | None
    sla: Sla | None = None  # due to be triaged by, and whether it was (or is) late


class Alert(AlertSummary, kw_only=True):
    description: str | None
    raw: dict[str, Any] | None


class AlertPage(msgspec.Struct):
    items: list[AlertSummary]
    next_cursor: str | None


class IngestResult(msgspec.Struct):
    id: str
    deduplicated: bool
    status: str


class ItemError(msgspec.Struct):
    """Why one item of a batch was refused, in the API's error shape."""

    error: str
    message: str
    details: dict[str, Any]


class BatchItem(msgspec.Struct, omit_defaults=True):
    """One alert of a batch: its result as a single ingest answers it, or its error."""

    index: int
    id: str | None = None
    deduplicated: bool | None = None
    status: str | None = None
    error: ItemError | None = None


class BatchResult(msgspec.Struct):
    items: list[BatchItem]
    created: int
    deduplicated: int
    failed: int


class DismissIn(msgspec.Struct, forbid_unknown_fields=True):
    reason_code: str
    comment: str = ""


class AlertFilter(msgspec.Struct, kw_only=True):
    status: list[str] = []
    severity: list[str] = []
    source: list[str] = []
    tag: list[str] = []  # any of these tags
    sort: str = "time"  # newest first; "severity": most severe first, then newest
    since: int | None = None
    until: int | None = None
    q: str | None = None
