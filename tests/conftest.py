"""Shared fixtures: one real server for the API tests, fresh ones where a test needs its own."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import Server

_counter = itertools.count()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("shared") / "data").start()
    yield srv
    srv.kill()


@pytest.fixture(scope="session")
def admin_token(server: Server) -> str:
    return server.token()


@pytest.fixture
def api(server: Server, admin_token: str) -> Iterator[httpx.Client]:
    with server.client(admin_token) as client:
        yield client


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server of the test's own, for tests that restart, kill or configure it."""
    srv = Server(tmp_path / "data")
    yield srv
    srv.kill()


@pytest.fixture
def unique() -> str:
    """A token unique to this test, for external ids and sources that must not collide."""
    return f"t{next(_counter)}-{id(object()):x}"


def user_token(server: Server, admin: httpx.Client, role: str, scopes: str | None = None) -> str:
    email = f"{role}-{next(_counter)}@example.com"
    created = admin.post("/users", json={"email": email, "role": role, "name": role})
    assert created.status_code == 201, created.text
    return server.token(email, scopes)
