"""Shared fixtures: one real server for the API tests, fresh ones where a test needs its own."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from irbox.services import Services
from tests.browser import CHROMIUM, FLAGS
from tests.harness import Server, nodes
from tests.postgres import PostgresCluster

_counter = itertools.count()
ROOT = Path(__file__).resolve().parent.parent

# Test tiers follow from the fixtures a test uses, so a test cannot run Chromium or need the
# built executable without its marker (`make check` leaves both tiers out).
TIER_OF_FIXTURE = {"browser": "browser", "built_binary": "binary"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in TIER_OF_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)


@pytest.fixture(scope="session")
def built_binary() -> Path:
    """dist/irbox, the one-file executable `make binary` builds (`make test` does first)."""
    binary = Path(os.environ.get("IRBOX_BINARY", ROOT / "dist" / "irbox"))
    assert binary.exists(), f"{binary} is missing: run `make binary` (make test does)"
    return binary


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
def services(fresh_server: Server) -> Iterator[Services]:
    """The domain services over a data dir of the test's own (initialised, no server, no
    index), for tests that drive the services or a middleware in-process."""
    fresh_server.cli("init")
    services = Services(fresh_server.config())
    try:
        yield services
    finally:
        services.close()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this module's own (tests/postgres.py), for tests that make
    their databases themselves."""
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def two_nodes(tmp_path: Path, postgres: PostgresCluster) -> Iterator[tuple[Server, Server]]:
    """Two irbox servers (nodes) with data dirs of their own serving one PostgreSQL database,
    holding the same `secret.key` (what opens the sealed webhook secrets), as every node must."""
    url = postgres.fresh_database()
    # A timed-out attempt is posted again (at least once): 10 s leaves a loaded machine room.
    env = {"IRBOX_WEBHOOK_RETRY_BASE_S": "1", "IRBOX_WEBHOOK_TIMEOUT_S": "10"}
    a, b = nodes(tmp_path, url, env=env)
    a.start()
    b.start()
    yield a, b
    a.kill()
    b.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, one per test module."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: make test installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def ui(fresh_server: Server) -> Server:
    """A started server of the test's own, for a browser test."""
    return fresh_server.start()


@pytest.fixture
def unique() -> str:
    """A token unique to this test, for external ids and sources that must not collide."""
    return f"t{next(_counter)}-{id(object()):x}"


def user_token(server: Server, admin: httpx.Client, role: str, scopes: str | None = None) -> str:
    email = f"{role}-{next(_counter)}@example.com"
    created = admin.post("/users", json={"email": email, "role": role, "name": role})
    assert created.status_code == 201, created.text
    return server.token(email, scopes)
