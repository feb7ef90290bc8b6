"""A new suppression and the alerts already waiting: how many alerts in triage it now covers
(its observable, within its scope), shown before anyone acts, and dismissing them all with the
reason `suppressed`, each on its own (one handled meanwhile is left as it is)."""

from __future__ import annotations

import asyncio

import msgspec

from irbox.alerts.models import DismissIn
from irbox.alerts.service import AlertService, for_each_alert
from irbox.identity.principal import Actor
from irbox.index import search as index_search
from irbox.index.database import IndexDatabase
from irbox.observables.suppression import Suppression, SuppressionService
from irbox.store import alerts as alerts_table
from irbox.store.database import Database

MAX_COVERED = 10_000  # alerts one suppression dismisses at once; more wait for another go


class Covered(msgspec.Struct):
    suppression_id: str
    open_alerts: int  # in triage and covered now
    dismissed: int = 0


class CoveredAlerts:
    def __init__(
        self,
        db: Database,
        index: IndexDatabase,
        suppressions: SuppressionService,
        alerts: AlertService,
    ) -> None:
        self.db = db
        self.index = index
        self.suppressions = suppressions
        self.alerts = alerts

    def count(self, suppression_id: str) -> Covered:
        ids = self._open_ids(self.suppressions.get(suppression_id))
        return Covered(suppression_id, len(ids))

    async def dismiss(self, suppression_id: str, actor: Actor) -> Covered:
        suppression = self.suppressions.get(suppression_id)
        ids = await asyncio.to_thread(self._open_ids, suppression)  # reads the index
        reason = DismissIn(reason_code="suppressed", comment=f"suppressed by {suppression_id}")
        outcomes = await for_each_alert(ids, lambda i: self.alerts.dismiss(i, reason, actor))
        dismissed = sum(1 for o in outcomes if not isinstance(o, BaseException))
        return Covered(suppression_id, len(ids) - dismissed, dismissed)

    def _open_ids(self, suppression: Suppression) -> list[str]:
        if not suppression.active:
            return []
        found = index_search.entities(
            self.index, suppression.type, suppression.value, "alert", None, MAX_COVERED
        )
        rows = self.db.read(alerts_table.summaries, [i for i, _ in found])
        source = (
            suppression.scope.removeprefix("source:") if suppression.scope != "global" else None
        )
        return [
            i
            for i, _ in found
            if i in rows
            and rows[i]["status"] == "triage"
            and (source is None or rows[i]["source"] == source)
        ]
