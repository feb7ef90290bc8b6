"""/webhooks CRUD (admin): the secret is shown once, events are validated, ping works."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.harness import Server
from tests.receiver import Receiver


def test_create_list_update_delete(api: httpx.Client) -> None:
    r = api.post("/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["case.resolved"]})
    assert r.status_code == 201
    created = r.json()
    hook, secret = created["webhook"], created["secret"]
    assert hook["id"].startswith("wh_") and len(secret) >= 32 and hook["active"] is True
    listed = api.get("/webhooks").json()
    assert hook["id"] in [h["id"] for h in listed["items"]] and secret not in str(listed)
    assert secret not in api.get(f"/webhooks/{hook['id']}").text
    r = api.patch(f"/webhooks/{hook['id']}", json={"events": ["*"], "active": False})
    assert r.json()["webhook"]["events"] == ["*"] and r.json()["webhook"]["active"] is False
    assert r.json()["secret"] is None
    rotated = api.patch(f"/webhooks/{hook['id']}", json={"rotate_secret": True}).json()["secret"]
    assert rotated and rotated != secret
    given = api.post(
        "/webhooks", json={"url": "https://h.example/x", "events": ["*"], "secret": "s" * 20}
    ).json()
    assert given["secret"] == "s" * 20
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 200
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404


def test_validation(api: httpx.Client) -> None:
    r = api.post("/webhooks", json={"url": "ftp://x", "events": ["case.exploded"], "secret": "x"})
    assert r.status_code == 400
    assert set(r.json()["details"]) == {"url", "events[0]", "secret"}
    assert api.post("/webhooks", json={"url": "http://x.example", "events": []}).status_code == 400


def test_ping(server: Server, api: httpx.Client) -> None:
    receiver = Receiver().start()
    try:
        hook = api.post("/webhooks", json={"url": receiver.url, "events": ["case.created"]}).json()
        r = api.post(f"/webhooks/{hook['webhook']['id']}/ping")
        assert r.status_code == 201 and r.json()["event"] == "ping"
        got = receiver.wait_for(1)[0]
        assert got.headers["X-IR-Event"] == "ping"
        api.delete(f"/webhooks/{hook['webhook']['id']}")
    finally:
        receiver.stop()


@pytest.mark.parametrize(
    "url",
    [
        "http://x.example/a b",
        "http://x.example/\x00",
        "http://x.example/\r\nX-Injected: 1",
        "http://x.example/\t",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_urls_that_could_never_work_or_reach_metadata_are_refused(
    api: httpx.Client, url: str
) -> None:
    r = api.post("/webhooks", json={"url": url, "events": ["case.created"]})
    assert r.status_code == 400 and "url" in r.json()["details"], r.text


def test_loopback_and_private_targets_can_be_refused(fresh_server: Server) -> None:
    fresh_server.env["IRBOX_WEBHOOK_REFUSED_TARGETS"] = "link-local,loopback,private"
    server = fresh_server.start()
    receiver = Receiver().start()
    try:
        with server.client(server.token()) as api:
            for url in (receiver.url, "http://10.1.2.3/h", "http://[::1]:9/h"):
                r = api.post("/webhooks", json={"url": url, "events": ["case.created"]})
                assert r.status_code == 400 and "refused" in r.json()["details"]["url"]
            # A name is looked up at each delivery: one that resolves to loopback is refused
            # then, and the receiver never hears of it.
            named = receiver.url.replace("127.0.0.1", "localhost")
            hook = api.post("/webhooks", json={"url": named, "events": ["case.created"]}).json()
            hook_id = hook["webhook"]["id"]
            api.post(f"/webhooks/{hook_id}/ping")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                items = api.get(f"/webhooks/{hook_id}/deliveries").json()["items"]
                if items and items[0]["last_error"]:
                    break
                time.sleep(0.1)
            assert "loopback" in items[0]["last_error"] and items[0]["status"] != "delivered"
            assert receiver.requests == []
    finally:
        receiver.stop()
