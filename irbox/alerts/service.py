"""The alert rules: ingest with dedup, dismiss and reopen, listing."""

from __future__ import annotations

import asyncio
import builtins  # `list` below is also a method of AlertService
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from irbox import clock, ids
from irbox.alerts import batch
from irbox.alerts.models import (
    REASON_CODES,
    SEVERITIES,
    Alert,
    AlertFilter,
    AlertIn,
    AlertPage,
    AlertSummary,
    BatchItem,
    BatchResult,
    Dismissal,
    DismissIn,
    IngestResult,
    ItemError,
    Observable,
)
from irbox.alerts.validation import MAX_TAGS, check_alert, check_tags
from irbox.errors import DomainError, Errors, InvalidState, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.index import events as index_events
from irbox.observables.suppression import SuppressionService
from irbox.paging import decode_cursor, decode_position, encode_position, split_page
from irbox.sla.targets import SlaService
from irbox.store import alerts as alerts_table
from irbox.store import audit
from irbox.store.database import Connection, Database, Row, written
from irbox.store.writer import BulkJob, Writer

_decode_observables = msgspec.json.Decoder(list[Observable]).decode
_decode_tags = msgspec.json.Decoder(list[str]).decode
_decode_object = msgspec.json.Decoder(dict[str, Any] | None).decode
_encode = msgspec.json.Encoder().encode


def _summary_fields(row: Row, sla: SlaService | None) -> dict[str, Any]:
    dismissal = None
    if row["dismissal_reason"] is not None:
        dismissal = Dismissal(
            reason_code=row["dismissal_reason"],
            comment=row["dismissal_comment"] or "",
            by=row["dismissed_by"],
            at=clock.to_rfc3339(row["dismissed_at"]),
        )
    return {
        "id": row["id"],
        "source": row["source"],
        "external_id": row["external_id"],
        "severity": row["severity"],
        "title": row["title"],
        "detected_at": clock.to_rfc3339(row["detected_at"]),
        "status": row["status"],
        "tags": _decode_tags(row["tags"]),
        "asset": _decode_object(row["asset"]) if row["asset"] else None,
        "observables": _decode_observables(row["observables"]),
        "occurrences": row["occurrences"],
        "first_seen_at": clock.to_rfc3339(row["first_seen_at"]),
        "last_seen_at": clock.to_rfc3339(row["last_seen_at"]),
        "case_id": row["case_id"],
        "dismissal": dismissal,
        "sla": sla.for_alert(row["severity"], row["first_seen_at"], row["triaged_at"])
        if sla
        else None,
    }


def to_alert(row: Row, sla: SlaService | None = None) -> Alert:
    raw = _decode_object(row["raw"]) if row["raw"] else None
    return Alert(**_summary_fields(row, sla), description=row["description"], raw=raw)


def to_summary(row: Row, sla: SlaService | None = None) -> AlertSummary:
    return AlertSummary(**_summary_fields(row, sla))


# Puts new alerts (id, source) in open cases by rule, in the ingest's transaction; returns
# the ids it put (irbox.cases.grouping).
Grouping = Callable[[Connection, "builtins.list[tuple[str, str]]", int], set[str]]


class AlertService:
    def __init__(
        self,
        db: Database,
        writer: Writer,
        suppressions: SuppressionService,
        on_ingested: Callable[[IngestResult], None] = lambda result: None,
        sla: SlaService | None = None,
        grouping: Grouping | None = None,
    ) -> None:
        self.db = db
        self.writer = writer
        self.suppressions = suppressions
        self.sla = sla  # the due times alerts answer with
        self._on_ingested = on_ingested  # told of every acknowledged ingest (metrics)
        self.grouping = grouping  # puts new alerts in open cases, in the ingest's transaction

    async def ingest(self, data: AlertIn, actor: Actor) -> IngestResult:
        result = await self.writer.run(self._job(data, actor, clock.now_us()))
        self._on_ingested(result)
        return result

    def _job(self, data: AlertIn, actor: Actor, now: int) -> IngestJob:
        """The write that stores `data`, checked first (a ValidationFailed names each field)."""
        clean = check_alert(data)
        row = {
            "id": ids.new_id("alert"),
            "source": data.source,
            "external_id": data.external_id,
            "severity": data.severity,
            "title": data.title,
            "description": data.description,
            "tags": _encode(clean.tags).decode(),
            "asset": _encode(data.asset).decode() if data.asset is not None else None,
            "observables": _encode(clean.observables).decode(),
            "raw": clean.raw_json,
            "detected_at": clean.detected_at,
            "status": "triage",
            "first_seen_at": now,
            "last_seen_at": now,
            "created_by": actor.user_id,
            "dismissal_reason": None,
            "dismissal_comment": None,
            "dismissed_at": None,
        }
        return IngestJob(self.suppressions, row, data, clean.observables, actor, now,
                         self.grouping)  # fmt: skip

    async def ingest_batch(self, items: list[batch.Item], actor: Actor) -> BatchResult:
        """Every valid item stored as `ingest` stores one, all in one durable commit; each
        invalid item answered with its error, the others unaffected."""
        now = clock.now_us()
        answers: list[BatchItem] = []
        jobs: list[IngestJob] = []
        for index, item in enumerate(items):
            try:
                if isinstance(item, ValidationFailed):
                    raise item
                jobs.append(self._job(item, actor, now))
                answers.append(BatchItem(index=index))
            except ValidationFailed as exc:
                error = ItemError(exc.code, exc.message, exc.details)
                answers.append(BatchItem(index=index, error=error))
        stored = await self.writer.run(lambda conn: IngestJob.run_all(conn, jobs)) if jobs else []
        results = iter(stored)
        for answer in answers:
            if answer.error is None:
                result = next(results)
                answer.id, answer.deduplicated, answer.status = (
                    result.id, result.deduplicated, result.status
                )  # fmt: skip
                self._on_ingested(result)
        deduplicated = sum(1 for r in stored if r.deduplicated)
        return BatchResult(
            items=answers,
            created=len(stored) - deduplicated,
            deduplicated=deduplicated,
            failed=len(answers) - len(stored),
        )

    def get(self, alert_id: str) -> Alert:
        row = self.db.read(alerts_table.get, alert_id)
        if row is None:
            raise NotFound(f"no alert {alert_id}")
        return to_alert(row, self.sla)

    def list(
        self, flt: AlertFilter, before_seq: int | None, limit: int, after_seq: int | None = None
    ) -> AlertPage:
        """Newest first, before `before_seq` (the cursor) and, when given, after `after_seq`."""
        rows = self.db.read(_page, flt, before_seq, limit + 1, after_seq, False)
        page, next_cursor = split_page(rows, limit)
        return AlertPage(items=[to_summary(r, self.sla) for r in page], next_cursor=next_cursor)

    def page(self, flt: AlertFilter, cursor: str | None, limit: int) -> AlertPage:
        """A page in the filter's order (`sort`), continuing from `cursor`."""
        if flt.sort != "severity":
            return self.list(flt, decode_cursor(cursor), limit)
        before = decode_position(cursor, "sev1", 2) if cursor else None
        rank = (before[0], before[1]) if before else None
        rows = self.db.read(_page, flt, None, limit + 1, None, False, rank)
        page = rows[:limit]
        last = page[-1] if len(rows) > limit else None
        after = encode_position("sev1", _rank(last["severity"]), last["seq"]) if last else None
        return AlertPage(items=[to_summary(r, self.sla) for r in page], next_cursor=after)

    def sources(self, limit: int = 200) -> builtins.list[str]:
        """The sources alerts came from (for the queue's filter), alphabetically."""
        return self.db.read(alerts_table.sources, limit)

    def latest_seq(self) -> int:
        """The sequence number of the newest alert (0 when there is none): where a live view
        starts looking for newer ones."""
        return self.db.read(alerts_table.latest_seq)

    async def add_tags(self, alert_id: str, tags: builtins.list[str], actor: Actor) -> Alert:
        """Add `tags` to the alert's (each once, kept in order); any status."""
        errors = Errors()
        clean = check_tags(errors, tags)
        errors.raise_if_any("invalid tags")
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = _existing(conn, alert_id)
            current = msgspec.json.decode(row["tags"] or "[]", type=builtins.list[str])
            merged = current + [t for t in clean if t not in current]
            if len(merged) > MAX_TAGS:
                raise ValidationFailed("too many tags", {"tags": f"at most {MAX_TAGS} an alert"})
            if merged != current:
                alerts_table.set_tags(conn, alert_id, _encode(merged).decode())
                audit.record(conn, actor.who, "alert.tag", alert_id, now, {"tags": clean})
            return written(alerts_table.get(conn, alert_id))

        return to_alert(await self.writer.run(write), self.sla)

    def neighbours(self, flt: AlertFilter, alert_id: str) -> tuple[str | None, str | None]:
        """The ids of the alerts just newer and just older than `alert_id` among those `flt`
        matches (the queue's order), for previous / next on an alert's page."""

        def read(conn: Connection) -> tuple[str | None, str | None]:
            row = _existing(conn, alert_id)
            seq = row["seq"]
            if flt.sort == "severity":  # the queue's order: most severe first
                at = (_rank(row["severity"]), seq)
                newer = _page(conn, flt, None, 1, None, False, after_rank=at)
                older = _page(conn, flt, None, 1, None, False, before_rank=at)
            else:
                newer = _page(conn, flt, None, 1, seq, True)
                older = _page(conn, flt, seq, 1, None, False)
            return (newer[0]["id"] if newer else None, older[0]["id"] if older else None)

        return self.db.read(read)

    def triage_counts(self) -> dict[str, int]:
        return self.db.read(alerts_table.triage_counts)

    async def dismiss(self, alert_id: str, data: DismissIn, actor: Actor) -> Alert:
        errors = Errors()
        if data.reason_code not in REASON_CODES:
            errors.add("reason_code", f"must be one of {', '.join(REASON_CODES)}")
        if len(data.comment) > 10_000:
            errors.add("comment", "at most 10000 characters")
        errors.raise_if_any()
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = _existing(conn, alert_id)
            if row["status"] == "dismissed" and row["dismissal_reason"] == data.reason_code:
                return row  # dismissing again with the same reason is a no-op
            if row["status"] != "triage":
                raise InvalidState(
                    f"the alert is {row['status']}; only triage alerts can be dismissed"
                )
            alerts_table.set_dismissed(
                conn, alert_id, data.reason_code, data.comment, actor.user_id, now
            )
            index_events.alert_triaged(conn, alert_id, now, "dismissed")
            audit.record(
                conn, actor.who, "alert.dismiss", alert_id, now, {"reason_code": data.reason_code}
            )
            return written(alerts_table.get(conn, alert_id))

        return to_alert(await self.writer.run(write), self.sla)

    async def reopen(self, alert_id: str, actor: Actor) -> Alert:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = _existing(conn, alert_id)
            if row["status"] == "triage":
                return row  # already in triage: a no-op
            if row["status"] != "dismissed":
                raise InvalidState(f"the alert is {row['status']}; only dismissed alerts reopen")
            alerts_table.set_triage(conn, alert_id)
            index_events.alert_triaged(conn, alert_id, now, "triage")
            audit.record(conn, actor.who, "alert.reopen", alert_id, now)
            return written(alerts_table.get(conn, alert_id))

        return to_alert(await self.writer.run(write), self.sla)


@dataclass(slots=True)
class IngestJob(BulkJob):
    """One alert to store; the writer stores the alerts of a batch together (`run_all`)."""

    suppressions: SuppressionService
    row: dict[str, Any]  # the alert's alerts_table.INGEST_COLUMNS
    data: AlertIn
    observables: list[Observable]
    actor: Actor
    now: int
    grouping: Grouping | None = None

    @classmethod
    def run_all(cls, conn: Connection, jobs: list[IngestJob]) -> list[IngestResult]:
        for job in jobs:
            job.suppress(conn)
        stored = alerts_table.upsert_many(conn, [job.row for job in jobs])
        results = []
        for job, (alert_id, seq, status, created) in zip(jobs, stored, strict=True):
            data = job.data
            if created:
                audit.record(conn, job.actor.who, "alert.create", alert_id, job.now)
            index_events.alert_seen(
                conn, alert_id, seq, data.source, data.severity, job.now, created, job.observables,
                job.row["detected_at"],
            )  # fmt: skip
            results.append(IngestResult(id=alert_id, deduplicated=not created, status=status))
        grouping = jobs[0].grouping if jobs else None
        if grouping is not None:
            new = [(r.id, job.data.source) for job, r in zip(jobs, results, strict=True)
                   if not r.deduplicated and r.status == "triage"]  # fmt: skip
            grouped = grouping(conn, new, jobs[0].now) if new else set()
            for result in results:
                if result.id in grouped:
                    result.status = "escalated"
        return results

    def suppress(self, conn: Connection) -> None:
        """Store the alert already dismissed when suppressions cover it (a duplicate keeps the
        stored alert's status)."""
        suppressed_by = self.suppressions.covering(
            conn, self.data.source, self.observables, self.now
        )
        if suppressed_by:
            self.row.update(
                status="dismissed",
                dismissal_reason="suppressed",
                dismissal_comment="suppressed by " + ", ".join(suppressed_by),
                dismissed_at=self.now,
            )


async def for_each_alert(
    ids: builtins.list[str], act: Callable[[str], Awaitable[object]]
) -> builtins.list[Any]:
    """`act` on every alert at once (the writes share the writer's group commits); a domain
    error is that alert's outcome, anything else raises."""
    outcomes = await asyncio.gather(*(act(i) for i in ids), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, DomainError):
            raise outcome
    return builtins.list(outcomes)


def _page(
    conn: Connection,
    flt: AlertFilter,
    before_seq: int | None,
    limit: int,
    after_seq: int | None,
    oldest_first: bool,
    before_rank: tuple[int, int] | None = None,
    after_rank: tuple[int, int] | None = None,
) -> builtins.list[Row]:
    """A page in the filter's order: by `seq`, or by severity (`sort`) from `before_rank`
    down or `after_rank` up."""
    return alerts_table.page(
        conn,
        statuses=flt.status,
        severities=flt.severity,
        sources=flt.source,
        since=flt.since,
        until=flt.until,
        text=flt.q,
        before_seq=before_seq,
        limit=limit,
        after_seq=after_seq,
        oldest_first=oldest_first,
        tags=flt.tag,
        by_severity=flt.sort == "severity",
        before_rank=before_rank,
        after_rank=after_rank,
    )


def _rank(severity: str) -> int:
    """As `alerts_table.SEVERITY_RANK` ranks it."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def _existing(conn: Connection, alert_id: str) -> Row:
    row = alerts_table.get(conn, alert_id)
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    return row
