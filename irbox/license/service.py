"""The installed license and the org's current standing, re-checked at start, hourly, when the
license file changes, on upload, and when users change (seats).

The database holds the installed document (settings `license.document`), so every node serving
it has the same license; an install announces itself (`store.changes.LICENSE`) and every node
checks again at once. The file (`license.json`, or `license_file`) stays the way in from the
machine (`irbox license install`, configuration management): a file that changed since the
document was installed, and verifies, becomes the installed document."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

from irbox import clock
from irbox.errors import ValidationFailed
from irbox.identity.principal import Actor
from irbox.license.keys import BUILT_IN_PUBLIC_KEYS
from irbox.license.signing import LicenseInvalid, verify
from irbox.license.state import LicensePayload, LicenseStatus, evaluate, parse_payload
from irbox.store import audit, changes, settings, users
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer

log = logging.getLogger("irbox.license")
OVER_SEATS_SINCE = "license.over_seats_since"
DOCUMENT = "license.document"  # the signed document, as uploaded
INSTALLED_AT = "license.installed_at"  # when (us): a license file older than this is not news


def read_license(raw: bytes, extra_keys: list[str]) -> tuple[LicensePayload, int]:
    """Verify and parse a license document; LicenseInvalid or ValueError when it is not one."""
    payload = verify(raw, [*BUILT_IN_PUBLIC_KEYS, *extra_keys])
    return parse_payload(payload)


class LicenseService:
    def __init__(self, db: Database, writer: Writer, path: Path, extra_keys: list[str]) -> None:
        self.db = db
        self.writer = writer
        self.path = path
        self.extra_keys = extra_keys
        self._lock = threading.Lock()
        self._loaded: tuple[LicensePayload, int] | None = None
        self._document: str | None = None  # what _loaded was read from
        self._mtime: float | None = None
        self.status = evaluate(None, None, 0, None, clock.now_us())

    @property
    def locked(self) -> bool:
        return self.status.locked

    def check(self) -> LicenseStatus:
        """Take in the file if it changed, read the installed document, count active users,
        and work out the standing."""
        with self._lock:
            self._take_in_file()
            now = clock.now_us()
            document = self.db.read(lambda conn: settings.get(conn, DOCUMENT))
            self._load(document)
            seats = self._loaded[0].seats if self._loaded else None
            active, over_since = self.writer.run_sync(lambda c: _seat_state(c, seats, now))
            payload, expires = self._loaded if self._loaded else (None, None)
            status = evaluate(payload, expires, active, over_since, now)
            if status.status != self.status.status:
                log.warning("license is now %s", status.status, extra={"grace_h": status.grace_h})
            self.status = status
            return status

    def check_if_changed(self) -> None:
        if self._file_mtime() != self._mtime:
            self.check()

    async def install(self, raw: bytes, actor: Actor) -> LicenseStatus:
        try:
            payload, _ = read_license(raw, self.extra_keys)
            document = raw.decode()  # UTF-8 JSON (a UnicodeDecodeError is a ValueError)
        except (LicenseInvalid, ValueError) as exc:
            raise ValidationFailed("not a valid irbox license", {"license": str(exc)}) from None
        write_atomically(self.path, raw)
        now = clock.now_us()

        def write(conn: Connection) -> None:
            _store(conn, document, now)
            audit.record(
                conn, actor.who, "license.install", payload.license_id, now, {"org": payload.org}
            )

        await self.writer.run(write)
        return self.check()

    def _file_mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    def _take_in_file(self) -> None:
        """A license file changed since the installed document was installed: install it, if
        it verifies (a file that does not is ignored, never trusted)."""
        mtime = self._file_mtime()
        if mtime == self._mtime:
            return
        self._mtime = mtime
        if mtime is None:
            return
        changed_at = int(mtime * 1_000_000)
        installed_at = self.db.read(lambda conn: settings.get(conn, INSTALLED_AT))
        if installed_at is not None and changed_at <= int(installed_at):
            return
        try:
            raw = self.path.read_bytes()
            read_license(raw, self.extra_keys)
            document = raw.decode()
        except (OSError, LicenseInvalid, ValueError) as exc:
            log.error("the license file %s is not valid: %s", self.path, exc)
            return
        self.writer.run_sync(lambda conn: _store(conn, document, changed_at))

    def _load(self, document: str | None) -> None:
        if document == self._document:
            return
        self._document = document
        self._loaded = None
        if document is not None:
            try:
                self._loaded = read_license(document.encode(), self.extra_keys)
            except (LicenseInvalid, ValueError) as exc:  # e.g. its key is no longer trusted
                log.error("the installed license is not valid: %s", exc)


def _store(conn: Connection, document: str, at: int) -> None:
    settings.put(conn, DOCUMENT, document)
    settings.put(conn, INSTALLED_AT, str(at))
    changes.announce(conn, changes.LICENSE)  # every node checks again


def _seat_state(conn: Connection, seats: int | None, now: int) -> tuple[int, int | None]:
    """Active users, and since when they have exceeded the seats (kept across restarts)."""
    active = users.count_active(conn)
    since = settings.get(conn, OVER_SEATS_SINCE)
    if seats is not None and active > seats:
        if since is None:
            settings.put(conn, OVER_SEATS_SINCE, str(now))
            return active, now
        return active, int(since)
    if since is not None:
        settings.put(conn, OVER_SEATS_SINCE, None)
    return active, None


def write_atomically(path: Path, raw: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".license-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
