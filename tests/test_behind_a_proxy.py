"""Behind a reverse proxy: X-Forwarded-For names the client only when the connection comes from
a proxy in `trusted_proxies`; otherwise the header is ignored (anyone can write it)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from irbox.config import ConfigError, load_config
from tests.harness import Server

FORWARDED = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}  # client-written, then the proxy's


def _audited_ip(api: httpx.Client, email: str) -> str:
    created = api.post("/users", json={"email": email, "role": "viewer"}, headers=FORWARDED)
    assert created.status_code == 201, created.text
    entry = next(e for e in api.get("/audit").json()["items"] if e["action"] == "user.create")
    assert entry["entity_id"] == created.json()["user"]["id"]
    return entry["ip"]


def test_the_header_is_ignored_by_default(api: httpx.Client, unique: str) -> None:
    assert _audited_ip(api, f"direct-{unique}@x.io") == "127.0.0.1"


def test_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", env={"IRBOX_TRUSTED_PROXIES": "127.0.0.0/8"})
    try:
        server.start()
        with server.client(server.token()) as api:
            # The right-most address not itself a trusted proxy: the one the proxy saw.
            assert _audited_ip(api, "proxied@x.io") == "203.0.113.9"
    finally:
        server.kill()


def test_a_bad_proxy_address_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"^trusted_proxies: "):
        load_config(overrides={"trusted_proxies": ["10.0.0.0/8", "proxy.local"]})
    assert load_config(overrides={"trusted_proxies": ["10.0.0.1", "::1"]}).trusted_proxies
