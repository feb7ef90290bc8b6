"""How reports are written (`GET|PUT /settings/reports`, Settings), kept in the `settings`
table: whether observable values (URLs, domains, host names, addresses) are shown defanged
(`hxxps://evil[.]example`), for reports mailed to people who might click them. A change
applies to reports written after it: a resolved case keeps the report of its resolve."""

from __future__ import annotations

import msgspec

from irbox import clock
from irbox.identity.principal import Actor
from irbox.store import audit, settings
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer

SETTING = "reports"


class ReportSettings(msgspec.Struct, forbid_unknown_fields=True):
    defang_observables: bool = False


class ReportSettingsService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def get(self) -> ReportSettings:
        stored = self.db.read(lambda conn: settings.get(conn, SETTING))
        return msgspec.json.decode(stored, type=ReportSettings) if stored else ReportSettings()

    async def put(self, wanted: ReportSettings, actor: Actor) -> ReportSettings:
        encoded = msgspec.json.encode(wanted).decode()
        now = clock.now_us()

        def write(conn: Connection) -> None:
            settings.put(conn, SETTING, encoded)
            audit.record(conn, actor.who, "reports.update", None, now, msgspec.to_builtins(wanted))

        await self.writer.run(write)
        return wanted
