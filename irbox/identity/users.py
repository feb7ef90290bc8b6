"""Users: creation, roles, disabling, password sign-in."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from irbox import clock, ids
from irbox.errors import Errors, InvalidState, NotFound, Unauthorized, ValidationFailed
from irbox.identity import secrets
from irbox.identity.auth_cache import AuthCache
from irbox.identity.directory import Directory, NotInAGroup
from irbox.identity.principal import Actor, Principal
from irbox.identity.scopes import ROLES, role_scopes
from irbox.store import audit
from irbox.store import changes as store_changes
from irbox.store import sessions as sessions_table
from irbox.store import users as users_table
from irbox.store.database import Connection, Database, Row, RowLike, written
from irbox.store.writer import Writer

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$|^[^@\s]{1,64}@[a-z0-9-]+$")
MIN_PASSWORD = 12
THEMES = ("system", "light", "dark")  # the UI theme a user may choose in Settings


class User(msgspec.Struct):
    id: str
    email: str
    name: str
    role: str
    disabled: bool
    created_at: str
    updated_at: str
    source: str = "local"  # local: irbox keeps the password; directory: LDAP / AD signs in


class UserList(msgspec.Struct):
    """All users in one page (a team has a handful), so `next_cursor` is always null."""

    items: list[User]
    next_cursor: str | None = None


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    role: str
    name: str = ""
    password: str | None = None


FIRST_ADMIN_EMAIL = "admin@irbox.local"
FIRST_PASSWORD_FILE = "first-admin-password"


class UserCreated(msgspec.Struct):
    user: User
    password: str | None = None  # only when irbox generated it: shown once


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    role: str | msgspec.UnsetType = msgspec.UNSET
    disabled: bool | msgspec.UnsetType = msgspec.UNSET


def to_user(row: RowLike) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        disabled=bool(row["disabled"]),
        created_at=clock.to_rfc3339(row["created_at"]),
        updated_at=clock.to_rfc3339(row["updated_at"]),
        source=row["auth_source"],
    )


def _check_role(errors: Errors, role: object) -> None:
    if role not in ROLES:
        errors.add("role", f"must be one of {', '.join(ROLES)}")


def _check_name(errors: Errors, name: str) -> None:
    if len(name) > 200:
        errors.add("name", "at most 200 characters")


class UserService:
    def __init__(
        self,
        db: Database,
        writer: Writer,
        cache: AuthCache,
        first_password: Path | None = None,
        directory: Directory | None = None,
    ) -> None:
        self.db = db
        self.writer = writer
        self.directory = directory
        # Where the first admin's generated password waits to be read (not the journal);
        # removed when that admin's password changes.
        self.first_password = first_password
        self.cache = cache  # cleared on every change that may affect what a key may do
        self.on_change: Callable[[], object] = lambda: None  # e.g. the license's seat check
        # Called inside the write job that disables a user or makes one a viewer, with
        # (conn, user id, why, actor, time): the cases' assignments (`cases/assignment.py`).
        self.on_lost_work: Callable[[Connection, str, str, Actor, int], object] = lambda *_: None

    async def create(self, data: UserCreate, actor: Actor) -> UserCreated:
        errors = Errors()
        email = data.email.strip().lower()
        if not EMAIL_RE.match(email):
            errors.add("email", "not a valid email address")
        _check_role(errors, data.role)
        _check_name(errors, data.name)
        if data.password is not None and len(data.password) < MIN_PASSWORD:
            errors.add("password", f"at least {MIN_PASSWORD} characters")
        errors.raise_if_any()
        generated = secrets.new_password() if data.password is None else None
        password_hash = await secrets.new_password_hash(data.password or generated or "")
        now = clock.now_us()
        row: dict[str, Any] = {
            "id": ids.new_id("user"),
            "email": email,
            "name": data.name.strip(),
            "role": data.role,
            "password_hash": password_hash,
            "disabled": 0,
            "created_at": now,
            "updated_at": now,
            "auth_source": "local",
        }

        def write(conn: Connection) -> None:
            if users_table.get_by_email(conn, email) is not None:
                raise ValidationFailed("a user with this email exists", {"email": "already taken"})
            users_table.insert(conn, row)
            audit.record(conn, actor.who, "user.create", row["id"], now, {"role": data.role})

        await self.writer.run(write)
        self.on_change()
        return UserCreated(user=to_user(row), password=generated)

    def get(self, user_id: str) -> User:
        row = self.db.read(users_table.get, user_id)
        if row is None:
            raise NotFound(f"no user {user_id}")
        return to_user(row)

    def list(self) -> list[User]:
        return [to_user(r) for r in self.db.read(users_table.list_all)]

    async def update(self, user_id: str, patch: UserPatch, actor: Actor) -> User:
        errors = Errors()
        changes: dict[str, object] = {}
        if patch.role is not msgspec.UNSET:
            _check_role(errors, patch.role)
            changes["role"] = patch.role
        if patch.name is not msgspec.UNSET:
            _check_name(errors, patch.name)
            changes["name"] = patch.name.strip()
        if patch.disabled is not msgspec.UNSET:
            changes["disabled"] = int(patch.disabled)
        errors.raise_if_any()
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            current = users_table.get(conn, user_id)
            if current is None:
                raise NotFound(f"no user {user_id}")
            loses_admin = changes.get("role", "admin") != "admin" or changes.get("disabled")
            if current["role"] == "admin" and not current["disabled"] and loses_admin:
                admins = conn.execute(
                    "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"
                ).fetchone()[0]
                if admins <= 1:
                    raise InvalidState("irbox needs at least one active admin")
            if changes:
                users_table.update(conn, user_id, {**changes, "updated_at": now})
                audit.record(conn, actor.who, "user.update", user_id, now, changes)
            if changes.get("disabled"):  # signed out everywhere: enabling again needs a sign-in
                sessions_table.delete_for_user(conn, user_id)
                self.on_lost_work(conn, user_id, "user disabled", actor, now)
            elif changes.get("role") == "viewer":
                self.on_lost_work(conn, user_id, "user made a viewer", actor, now)
            store_changes.announce(conn, store_changes.AUTH)  # other nodes' caches too
            return written(users_table.get(conn, user_id))

        updated = await self.writer.run(write)
        self.cache.clear()
        self.on_change()
        return to_user(updated)

    async def set_password(self, email: str, password: str | None, actor: Actor) -> str | None:
        """Set a user's password; generate one when `password` is None and return it."""
        if password is not None and len(password) < MIN_PASSWORD:
            raise ValidationFailed("password too short", {"password": f"at least {MIN_PASSWORD}"})
        generated = secrets.new_password() if password is None else None
        password_hash = await secrets.new_password_hash(password or generated or "")
        now = clock.now_us()

        def write(conn: Connection) -> None:
            row = users_table.get_by_email(conn, email.strip())
            if row is None:
                raise NotFound(f"no user with email {email}")
            _store_password(conn, row["id"], password_hash, actor, now)

        await self.writer.run(write)
        if email.strip() == FIRST_ADMIN_EMAIL:
            self._forget_first_password()
        return generated

    def _forget_first_password(self) -> None:
        if self.first_password is not None:
            self.first_password.unlink(missing_ok=True)

    async def change_own_password(self, user_id: str, current: str, new: str, actor: Actor) -> None:
        """A signed-in user's new password, given the current one (web UI)."""
        row = self.db.read(users_table.get, user_id)
        errors = Errors()
        if not await secrets.check_password(row["password_hash"] if row else None, current):
            errors.add("current_password", "not your current password")
        if len(new) < MIN_PASSWORD:
            errors.add("new_password", f"at least {MIN_PASSWORD} characters")
        errors.raise_if_any("the password was not changed")
        password_hash = await secrets.new_password_hash(new)
        now = clock.now_us()
        await self.writer.run(
            lambda conn: _store_password(conn, user_id, password_hash, actor, now)
        )
        if row is not None and row["email"] == FIRST_ADMIN_EMAIL:
            self._forget_first_password()

    async def choose_theme(self, user_id: str, theme: str, actor: Actor) -> None:
        """The user's own UI theme: `system` follows the browser, or `light` or `dark`."""
        if theme not in THEMES:
            raise ValidationFailed("unknown theme", {"theme": f"one of {', '.join(THEMES)}"})
        now = clock.now_us()

        def write(conn: Connection) -> None:
            users_table.update(conn, user_id, {"theme": theme, "updated_at": now})
            audit.record(conn, actor.who, "user.theme", user_id, now, {"theme": theme})

        await self.writer.run(write)

    async def sign_in(self, email: str, password: str, ip: str | None) -> Principal:
        """Password sign-in (the web UI): the principal has every scope of the user's role.
        With a directory, every address but a local account's is the directory's to check;
        local accounts (a break-glass admin) keep signing in when it is down. Every local
        attempt verifies a hash, known address or not, disabled or not (no timing)."""
        row = self.db.read(users_table.get_by_email, email.strip())
        directory_user = row is None or row["auth_source"] == "directory"
        if self.directory is not None and self.directory.enabled and directory_user:
            return await self._directory_sign_in(email, password, ip)
        matches = await secrets.check_password(row["password_hash"] if row else None, password)
        if row is None or row["disabled"] or not matches:
            raise Unauthorized("wrong email or password")
        return Principal(row["id"], row["email"], row["role"], None, role_scopes(row["role"]), ip)

    async def _directory_sign_in(self, email: str, password: str, ip: str | None) -> Principal:
        """Asked of the directory each time: the user's role follows their groups; in none,
        no access (and their sessions end). The user's row is made or updated to match."""
        assert self.directory is not None
        found = await asyncio.to_thread(self.directory.authenticate, email, password)
        now = clock.now_us()

        changed = False  # the user's row was made or its role or name changed

        def write(conn: Connection) -> Principal | str:
            nonlocal changed
            row = users_table.get_by_email(conn, found.email)
            if row is not None and row["auth_source"] != "directory":
                return "refused"  # a local account of that address: not the directory's
            if found.role is None:  # committed, not raised: the sessions must end
                if row is not None and sessions_table.delete_for_user(conn, row["id"]):
                    audit.record(conn, (row["id"], None, ip), "user.directory_no_group",
                                 row["id"], now)  # fmt: skip
                return "no group"
            if row is None:
                user_id, email_now = ids.new_id("user"), found.email
                users_table.insert(conn, {
                    "id": user_id, "email": email_now, "name": found.name, "role": found.role,
                    "password_hash": None, "disabled": 0, "created_at": now, "updated_at": now,
                    "auth_source": "directory",
                })  # fmt: skip
                audit.record(conn, (None, None, ip), "user.create", user_id, now,
                             {"role": found.role, "source": "directory"})  # fmt: skip
                changed = True
            elif row["disabled"] == users_table.DISABLED:
                return "refused"
            else:  # active, or suspended by the directory review: mapped again now
                user_id, email_now = row["id"], row["email"]
                if (row["role"], row["name"], row["disabled"]) != (found.role, found.name, 0):
                    changes = {"role": found.role, "name": found.name, "disabled": 0}
                    users_table.update(conn, user_id, {**changes, "updated_at": now})
                    audit.record(conn, (None, None, ip), "user.update", user_id, now,
                                 {**changes, "source": "directory"})  # fmt: skip
                    store_changes.announce(conn, store_changes.AUTH)  # a new role: other nodes
                    changed = True
            return Principal(user_id, email_now, found.role, None, role_scopes(found.role), ip)

        principal = await self.writer.run(write)
        if principal == "no group":
            raise NotInAGroup("your directory account is in no group irbox maps to a role")
        if not isinstance(principal, Principal):
            raise Unauthorized("wrong email or password")
        if changed:  # a new user counts against the seats; a new role changes what keys may do
            self.cache.clear()
            self.on_change()
        return principal


def _store_password(
    conn: Connection, user_id: str, password_hash: str, actor: Actor, now: int
) -> None:
    row = users_table.get(conn, user_id)
    if row is not None and row["auth_source"] == "directory":
        raise InvalidState("this user signs in with the directory: change the password there")
    users_table.update(
        conn,
        user_id,
        {"password_hash": password_hash, "updated_at": now, "must_change_password": 0},
    )
    # A new password (often because the old one leaked) ends every session the old one opened.
    sessions_table.delete_for_user(conn, user_id)
    audit.record(conn, actor.who, "user.password", user_id, now)
