"""Passwords (argon2) and API tokens (random, stored as SHA-256).

argon2 is slow on purpose (measured here: 60-120 ms of a core per hash or verification at
argon2-cffi's defaults, more under load). On the event loop a sign-in froze every request for
that long (`/healthz` waited 107-426 ms during sign-ins), so hashing and verifying run on one
worker thread (argon2-cffi releases the GIL while it works), with a bounded queue: past it a
sign-in is told to retry (429) instead of piling up. A sign-in for an address nobody has
verifies against a dummy hash, so that it takes as long as a wrong password for a real one
(it took 2-13 ms against 120-590 ms: whether an address has an account could be timed)."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from irbox.errors import RateLimited

TOKEN_PREFIX = "irbox_"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("irbox: an address with no account")


def _verify_dummy(password: str) -> bool:
    # On the worker too: the first call makes the dummy hash, as slow as a verification.
    return verify_password(_dummy_hash(), password)


T = TypeVar("T")
MAX_WAITING = 32  # password checks queued for the worker; more are refused with 429
_waiting = 0
_waiting_lock = threading.Lock()


_pools: dict[int, ThreadPoolExecutor] = {}


def _worker() -> ThreadPoolExecutor:
    # One per process: a pool made before Granian forks its worker (`irbox serve` hashes the
    # first admin's password first) is inherited without its thread, and would wait forever.
    pid = os.getpid()
    if pid not in _pools:
        _pools[pid] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="irbox-argon2")
    return _pools[pid]


async def _off_loop(fn: Callable[..., T], *args: Any) -> T:
    global _waiting
    with _waiting_lock:
        if _waiting >= MAX_WAITING:
            raise RateLimited(1)
        _waiting += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_worker(), fn, *args)
    finally:
        with _waiting_lock:
            _waiting -= 1


async def check_password(password_hash: str | None, password: str) -> bool:
    """`verify_password` on the worker thread; without a hash (no such account, or one that
    signs in elsewhere), a dummy one is verified, so both take the same time."""
    if not password_hash:
        await _off_loop(_verify_dummy, password)
        return False
    return bool(await _off_loop(verify_password, password_hash, password))


async def new_password_hash(password: str) -> str:
    """`hash_password` on the worker thread."""
    return str(await _off_loop(hash_password, password))


def new_password() -> str:
    return secrets.token_urlsafe(15)


def new_token() -> str:
    # 256 bits of entropy: a plain SHA-256 at rest is enough; no slow hash needed per request.
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
