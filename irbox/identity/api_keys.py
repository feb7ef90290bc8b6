"""API keys: created with scopes, shown once, stored as a hash, revocable, optionally expiring."""

from __future__ import annotations

import time
from typing import Any

import msgspec

from irbox import clock, ids
from irbox.errors import Errors, Forbidden, NotFound, Unauthorized
from irbox.identity import secrets
from irbox.identity.auth_cache import AuthCache
from irbox.identity.principal import SYSTEM, Actor, Principal
from irbox.identity.scopes import SCOPES, effective, role_scopes
from irbox.store import api_keys as keys_table
from irbox.store import audit, changes
from irbox.store import users as users_table
from irbox.store.database import Connection, Database, Row, RowLike, written
from irbox.store.writer import Writer

MAX_NAME = 200
LAST_USED_EVERY_S = 60  # last-used time is written at most this often per key


class ApiKey(msgspec.Struct):
    id: str
    name: str
    user_id: str
    scopes: list[str]
    token_prefix: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None


class ApiKeyList(msgspec.Struct):
    items: list[ApiKey]
    next_cursor: str | None = None


class ApiKeyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    scopes: list[str] | None = None  # default: every scope the owner's role allows
    expires_at: str | None = None


class ApiKeyCreated(msgspec.Struct):
    key: ApiKey
    token: str  # shown once, never again


def to_key(row: RowLike) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        user_id=row["user_id"],
        scopes=sorted(row["scopes"].split()),
        token_prefix=row["token_prefix"],
        created_at=clock.to_rfc3339(row["created_at"]),
        expires_at=clock.to_rfc3339(row["expires_at"]),
        revoked_at=clock.to_rfc3339(row["revoked_at"]),
        last_used_at=clock.to_rfc3339(row["last_used_at"]),
    )


class ApiKeyService:
    def __init__(self, db: Database, writer: Writer, cache: AuthCache) -> None:
        self.db = db
        self.writer = writer
        self.cache = cache
        self._touched: dict[str, float] = {}

    async def create(
        self,
        owner_id: str,
        data: ApiKeyCreate,
        actor: Actor,
        allowed: frozenset[str] | None,
        parent: str | None = None,
    ) -> ApiKeyCreated:
        """Create a key for `owner_id`. `allowed` caps the scopes (the creator's own scopes);
        None means only the owner's role caps them (the CLI). A key made by another key
        (`parent`) expires no later than it and is revoked with it."""
        errors = Errors()
        name = data.name.strip()
        if not name or len(data.name) > MAX_NAME:
            errors.add("name", f"1 to {MAX_NAME} characters, not blank")
        if data.scopes is not None and not data.scopes:  # a key that could do nothing
            errors.add("scopes", "at least one scope (leave it out for all your role allows)")
        for i, scope in enumerate(data.scopes or []):
            if scope not in SCOPES:
                errors.add(f"scopes[{i}]", f"unknown scope; known: {' '.join(SCOPES)}")
        expires_at = None
        if data.expires_at is not None:
            try:
                expires_at = clock.parse_rfc3339(data.expires_at)
            except ValueError as exc:
                errors.add("expires_at", str(exc))
            else:
                if expires_at <= clock.now_us():
                    errors.add("expires_at", "must be in the future")
        errors.raise_if_any()
        owner = self.db.read(users_table.get, owner_id)
        if owner is None:
            raise NotFound(f"no user {owner_id}")
        if parent is not None:
            made_by = self.db.read(keys_table.get, parent)
            if made_by is not None and made_by["expires_at"] is not None:
                expires_at = min(expires_at or made_by["expires_at"], made_by["expires_at"])
        wanted = set(data.scopes) if data.scopes is not None else set(role_scopes(owner["role"]))
        for scope in sorted(wanted):
            if allowed is not None and scope not in allowed:
                raise Forbidden(scope)
        token = secrets.new_token()
        now = clock.now_us()
        row: dict[str, Any] = {
            "id": ids.new_id("key"),
            "user_id": owner_id,
            "name": name,
            "token_hash": secrets.hash_token(token),
            "token_prefix": token[: len(secrets.TOKEN_PREFIX) + 6],
            "scopes": " ".join(sorted(wanted)),
            "created_at": now,
            "expires_at": expires_at,
            "revoked_at": None,
            "last_used_at": None,
            "parent_key_id": parent,
        }

        def write(conn: Connection) -> None:
            keys_table.insert(conn, row)
            audit.record(conn, actor.who, "api_key.create", row["id"], now, {"name": name})

        await self.writer.run(write)
        return ApiKeyCreated(key=to_key(row), token=token)

    def list(self, user_id: str | None) -> list[ApiKey]:
        return [to_key(r) for r in self.db.read(keys_table.list_for, user_id)]

    async def revoke(self, key_id: str, caller: Principal | None) -> ApiKey:
        """Revoke a key and the keys made from it. `caller` None is the operator at the
        machine (`irbox apikey revoke`): any key. A signed-in user (no key) revokes their own
        keys, an admin anyone's; through the API, a key without `admin` revokes only itself, so
        a leaked key cannot lock its owner's other keys out."""
        now = clock.now_us()
        actor = caller.actor if caller is not None else SYSTEM
        admin = caller is None or caller.can("admin")
        # Someone else's key is invisible to a non-admin: 404, never 403.
        only_of = caller.user_id if caller is not None and not admin else None
        # A key without admin revokes only itself (a signed-in user, no key, any of their own).
        itself = caller.key_id if caller is not None and not admin else None

        def write(conn: Connection) -> Row:
            row = keys_table.get(conn, key_id)
            if row is None or (only_of is not None and row["user_id"] != only_of):
                raise NotFound(f"no API key {key_id}")
            if itself is not None and key_id != itself:
                raise Forbidden("admin")
            for revoked_id in keys_table.revoke(conn, key_id, now):
                audit.record(conn, actor.who, "api_key.revoke", revoked_id, now)
            changes.announce(conn, changes.AUTH)  # other nodes' caches forget it too
            return written(keys_table.get(conn, key_id))

        revoked = await self.writer.run(write)
        self.cache.clear()
        return to_key(revoked)

    def authenticate(self, token: str, ip: str | None) -> Principal:
        if not token.startswith(secrets.TOKEN_PREFIX) or len(token) > 200:
            raise Unauthorized("malformed bearer token")
        token_hash = secrets.hash_token(token)
        cached = self.cache.get(token_hash)
        if cached is None:
            row = self.db.read(keys_table.get_with_owner, token_hash)
            if row is None:
                raise Unauthorized("unknown bearer token")
            cached = (row, effective(frozenset(row["scopes"].split()), row["role"]))
            self.cache.put(token_hash, cached)
        row, scopes = cached
        now = clock.now_us()
        if row["revoked_at"] is not None:
            raise Unauthorized("this API key was revoked")
        if row["expires_at"] is not None and row["expires_at"] <= now:
            raise Unauthorized("this API key has expired")
        if row["disabled"]:
            raise Unauthorized("the owner of this API key is disabled")
        self._note_use(row["id"], now)
        return Principal(row["user_id"], row["email"], row["role"], row["id"], scopes, ip)

    def _note_use(self, key_id: str, now: int) -> None:
        last = self._touched.get(key_id)
        if last is None or time.monotonic() - last >= LAST_USED_EVERY_S:
            self._touched[key_id] = time.monotonic()
            # Fire and forget: the request does not wait for this bookkeeping write.
            self.writer.submit(lambda conn: keys_table.touch(conn, key_id, now))
