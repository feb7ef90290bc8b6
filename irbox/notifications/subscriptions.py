"""What each user wants mailed (`GET|PUT /me/subscriptions`, Settings): mentions, cases
assigned to them, alerts added to their case, new alerts from a severity up, SLA breaches.
A user who never chose has the defaults: everything about their own work, no alert stream."""

from __future__ import annotations

import msgspec

from irbox import clock
from irbox.alerts.models import SEVERITIES
from irbox.errors import Errors
from irbox.identity.principal import Actor
from irbox.store import audit
from irbox.store import mail_subscriptions as subscriptions_table
from irbox.store.database import Connection, Database, Row
from irbox.store.writer import Writer


class Subscriptions(msgspec.Struct, forbid_unknown_fields=True):
    mentioned: bool = True
    assigned: bool = True
    alert_added_to_my_case: bool = True
    new_alert_min_severity: str | None = None  # None: no mail per new alert
    sla_breached: bool = True


class SubscriptionService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def get(self, user_id: str) -> Subscriptions:
        row = self.db.read(subscriptions_table.get, user_id)
        return of_row(row)

    async def put(self, user_id: str, wanted: Subscriptions, actor: Actor) -> Subscriptions:
        errors = Errors()
        chosen = wanted.new_alert_min_severity
        if chosen is not None and chosen not in SEVERITIES:
            errors.add("new_alert_min_severity", f"null or one of {', '.join(SEVERITIES)}")
        errors.raise_if_any("the subscriptions are invalid")
        values = msgspec.structs.asdict(wanted)
        now = clock.now_us()

        def write(conn: Connection) -> None:
            subscriptions_table.put(conn, user_id, values, now)
            audit.record(conn, actor.who, "user.subscriptions", user_id, now, values)

        await self.writer.run(write)
        return wanted


def of_row(row: Row | None) -> Subscriptions:
    if row is None:
        return Subscriptions()
    return Subscriptions(
        mentioned=bool(row["mentioned"]),
        assigned=bool(row["assigned"]),
        alert_added_to_my_case=bool(row["alert_added_to_my_case"]),
        new_alert_min_severity=row["new_alert_min_severity"],
        sla_breached=bool(row["sla_breached"]),
    )
