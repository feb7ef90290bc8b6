"""One action from an alert's page: escalate it together with its related alerts in triage, into
the open case that already holds some of them (the one sharing most with it) or a new case."""

from __future__ import annotations

import asyncio

from irbox.cases.bulk import BulkIn, BulkResult, BulkService
from irbox.identity.principal import Principal
from irbox.observables.related import RelatedFinder
from irbox.paging import MAX_LIMIT


class EscalateTogether:
    def __init__(self, related: RelatedFinder, bulk: BulkService) -> None:
        self.related = related
        self.bulk = bulk

    async def escalate(self, alert_id: str, principal: Principal) -> BulkResult:
        # The look-up reads the index: off the event loop, like every read.
        page = await asyncio.to_thread(self.related.related, alert_id, MAX_LIMIT, None)
        case = next((item for item in page.items if item.kind == "case"), None)
        ids = [alert_id, *(item.id for item in page.items if item.kind == "alert")]
        action = BulkIn(action="escalate", ids=ids, case_id=case.id if case else None)
        return await self.bulk.run(action, principal)
