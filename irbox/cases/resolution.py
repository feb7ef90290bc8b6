"""Resolving (with the incident report generated in the same request) and reopening a case."""

from __future__ import annotations

import logging
from pathlib import Path

import msgspec

from irbox import clock
from irbox.cases import changes, custom_fields, tasks
from irbox.cases.models import VERDICTS, Case, Resolution, ResolveIn
from irbox.cases.service import CaseService
from irbox.errors import Errors, InvalidState, NotFound
from irbox.identity.principal import Actor
from irbox.index import events as index_events
from irbox.reports.render import render, write_atomically
from irbox.reports.settings import ReportSettingsService
from irbox.store import cases as cases_table
from irbox.store import users as users_table
from irbox.store.database import Connection
from irbox.store.writer import Writer

log = logging.getLogger("irbox.cases")

MAX_ROOT_CAUSE = 10_000
MAX_NARRATIVE = 100_000


class ResolutionService:
    def __init__(
        self,
        cases: CaseService,
        writer: Writer,
        reports_dir: Path,
        settings: ReportSettingsService | None = None,
    ) -> None:
        self.cases = cases
        self.writer = writer
        self.reports_dir = reports_dir
        self.settings = settings

    async def resolve(self, case_id: str, data: ResolveIn, actor: Actor) -> Case:
        errors = Errors()
        if data.verdict not in VERDICTS:
            errors.add("verdict", f"must be one of {', '.join(VERDICTS)}")
        if len(data.root_cause) > MAX_ROOT_CAUSE:
            errors.add("root_cause", f"at most {MAX_ROOT_CAUSE} characters")
        if len(data.narrative) > MAX_NARRATIVE:
            errors.add("narrative", f"at most {MAX_NARRATIVE} characters")
        errors.raise_if_any("the resolution is invalid")
        now = clock.now_us()
        resolution = Resolution(
            verdict=data.verdict,
            root_cause=data.root_cause,
            narrative=data.narrative,
            by=actor.user_id,
            at=clock.to_rfc3339(now) or "",
        )

        def write(conn: Connection) -> None:
            row = changes.open_case(conn, case_id)
            waiting = tasks.open_required(conn, case_id)
            if waiting:
                raise InvalidState("required tasks are still open", {"tasks": waiting})
            missing = custom_fields.missing_required(conn, row["custom_fields"])
            if missing:
                raise InvalidState(
                    "required custom fields have no value", {"custom_fields": missing}
                )
            cases_table.update(
                conn,
                case_id,
                {
                    "status": "resolved",
                    "resolution": msgspec.json.encode(resolution).decode(),
                    "resolved_at": now,
                },
            )
            changes.record(
                conn,
                case_id,
                "resolved",
                actor,
                now,
                f"resolved as {data.verdict.replace('_', ' ')}",
                {"verdict": data.verdict},
            )
            index_events.case_state(conn, case_id, now, "resolved")
            changes.announce(conn, case_id, "case.resolved", actor, now, verdict=data.verdict)

        await self.writer.run(write)
        case = self.cases.get(case_id)
        try:
            self._write_report(case)
        except OSError as exc:  # the resolve is committed: the report follows when asked for
            log.error(
                "report of case %s not written (%s); written when first asked for", case_id, exc
            )
        return case

    async def reopen(self, case_id: str, actor: Actor) -> Case:
        now = clock.now_us()

        def write(conn: Connection) -> None:
            row = changes.existing(conn, case_id)
            if row["status"] != "resolved":
                raise InvalidState(f"the case is {row['status']}; only resolved cases reopen")
            cases_table.update(
                conn, case_id, {"status": "open", "resolution": None, "resolved_at": None}
            )
            changes.record(conn, case_id, "reopened", actor, now, "case reopened")
            index_events.case_state(conn, case_id, now, "reopened")
            changes.announce(conn, case_id, "case.reopened", actor, now)

        await self.writer.run(write)
        # The report was of the resolution just undone (the next resolve writes a new one); a
        # comment deleted while the case is open must not live on in it. Another node's copy
        # is named for that resolution, so it is never served for the next one.
        for stale in self.reports_dir.glob(f"{case_id}-*"):
            stale.unlink(missing_ok=True)
        return self.cases.get(case_id)

    def report(self, case_id: str, markdown: bool) -> str:
        """The report of a resolved case; regenerated if its file is missing (a crash right
        after the resolve committed), which gives the same document: it is derived from the
        resolved case alone."""
        case = self.cases.get(case_id)
        if case.resolution is None:
            raise NotFound(f"case {case_id} is not resolved, so it has no report yet")
        path = self._path(case, markdown)
        if not path.exists():  # also: resolved through another node, which wrote its own
            self._write_report(case)
        return path.read_text(encoding="utf-8")

    def _path(self, case: Case, markdown: bool) -> Path:
        """The report of this resolution of the case: named for when it was resolved, so that
        a copy of an earlier resolution (another node's, kept across a reopen) never answers."""
        assert case.resolution is not None
        when = "".join(ch for ch in case.resolution.at if ch.isdigit())
        return self.reports_dir / f"{case.id}-{when}.{'md' if markdown else 'html'}"

    def _write_report(self, case: Case) -> None:
        labels = {key: f.label for key, f in self.cases.db.read(custom_fields.definitions).items()}
        defanged = self.settings.get().defang_observables if self.settings else False
        html, markdown = render(case, self._people(), self.cases.public_url, labels, defanged)
        write_atomically(self._path(case, markdown=False), html)
        write_atomically(self._path(case, markdown=True), markdown)

    def _people(self) -> dict[str, str]:
        rows = self.cases.db.read(users_table.list_all)
        return {r["id"]: (f"{r['name']} <{r['email']}>" if r["name"] else r["email"]) for r in rows}
