"""Web UI sessions: a random cookie value (stored as SHA-256), a CSRF token per session, 12 h."""

from __future__ import annotations

import secrets as random_tokens
from typing import Any

import msgspec

from irbox import clock
from irbox.errors import Unauthorized
from irbox.identity import secrets
from irbox.identity.principal import Principal
from irbox.identity.scopes import role_scopes
from irbox.store import audit
from irbox.store import sessions as sessions_table
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer

LIFETIME_US = 12 * 3600 * 1_000_000
# Between the password and the second factor: long enough to open the app and type a code.
PENDING_LIFETIME_US = 5 * 60 * 1_000_000


class Session(msgspec.Struct):
    principal: Principal
    name: str
    csrf: str
    license: Any = None  # the org's license standing, for the grace banner and the lock page
    # Unread notifications, for the header: a callable, so that only pages that draw the header
    # count them (not the queue's polls or other htmx fragments).
    unread: Any = None
    # The password irbox generated is still in use: every page but Settings asks for a new one.
    must_change_password: bool = False
    theme: str = "system"  # the user's choice in Settings: system, light or dark
    # `require_mfa` is set and this user has no second factor yet: Settings asks them to set
    # one up before anything else.
    must_set_up_mfa: bool = False


class SessionService:
    def __init__(self, db: Database, writer: Writer, require_mfa: bool = False) -> None:
        self.db = db
        self.writer = writer
        self.require_mfa = require_mfa

    async def open(self, principal: Principal, mfa_pending: bool = False) -> tuple[str, str]:
        """A new session for a signed-in user: (cookie value, CSRF token). A session waiting
        for the second factor (`mfa_pending`) reaches only the code page, for 5 minutes."""
        cookie = random_tokens.token_urlsafe(32)
        csrf = random_tokens.token_urlsafe(32)
        now = clock.now_us()
        row = {
            "id": secrets.hash_token(cookie),
            "user_id": principal.user_id,
            "csrf": csrf,
            "created_at": now,
            "expires_at": now + (PENDING_LIFETIME_US if mfa_pending else LIFETIME_US),
            "mfa_pending": int(mfa_pending),
        }
        action = "session.await_second_factor" if mfa_pending else "session.open"

        def write(conn: Connection) -> None:
            sessions_table.insert(conn, row)
            audit.record(conn, principal.actor.who, action, principal.user_id, now)

        await self.writer.run(write)
        return cookie, csrf

    def find(self, cookie: str | None, ip: str | None, mfa_pending: bool = False) -> Session:
        """The signed-in session of this cookie; with `mfa_pending`, the one waiting for its
        second factor instead (each is refused where the other is expected)."""
        if not cookie or len(cookie) > 100:
            raise Unauthorized("not signed in")
        row = self.db.read(sessions_table.get_with_user, secrets.hash_token(cookie))
        if row is None or row["disabled"] or row["expires_at"] <= clock.now_us():
            raise Unauthorized("not signed in")
        if bool(row["mfa_pending"]) != mfa_pending:
            raise Unauthorized("not signed in")
        principal = Principal(
            row["user_id"], row["email"], row["role"], None, role_scopes(row["role"]), ip
        )
        session = Session(principal, row["name"] or row["email"], row["csrf"])
        session.must_change_password = bool(row["must_change_password"])
        session.theme = row["theme"]
        session.must_set_up_mfa = self.require_mfa and row["mfa_enabled_at"] is None
        return session

    async def close(self, cookie: str) -> None:
        await self.writer.run(lambda conn: sessions_table.delete(conn, secrets.hash_token(cookie)))

    def purge(self) -> int:
        now = clock.now_us()
        return self.writer.run_sync(lambda conn: sessions_table.purge(conn, now))
