"""The installed license and the org's current standing, re-checked at start, hourly, when the
license file changes, on upload, and when users change (seats)."""

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
from irbox.store import audit, settings, users
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer

log = logging.getLogger("irbox.license")
OVER_SEATS_SINCE = "license.over_seats_since"


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
        self._mtime: float | None = None
        self.status = evaluate(None, None, 0, None, clock.now_us())

    @property
    def locked(self) -> bool:
        return self.status.locked

    def check(self) -> LicenseStatus:
        """Re-read the file if it changed, count active users, and work out the standing."""
        with self._lock:
            self._load_file()
            now = clock.now_us()
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
        except (LicenseInvalid, ValueError) as exc:
            raise ValidationFailed("not a valid irbox license", {"license": str(exc)}) from None
        write_atomically(self.path, raw)
        now = clock.now_us()
        await self.writer.run(
            lambda c: audit.record(
                c, actor.who, "license.install", payload.license_id, now, {"org": payload.org}
            )
        )
        return self.check()

    def _file_mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    def _load_file(self) -> None:
        mtime = self._file_mtime()
        if mtime == self._mtime:
            return
        self._mtime = mtime
        if mtime is None:
            self._loaded = None
            return
        try:
            self._loaded = read_license(self.path.read_bytes(), self.extra_keys)
        except (OSError, LicenseInvalid, ValueError) as exc:
            # A file that does not verify is ignored (community), never trusted.
            log.error("the license file %s is not valid: %s", self.path, exc)
            self._loaded = None


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
