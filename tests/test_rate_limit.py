"""Per-key token buckets: 429 with Retry-After; /healthz is never limited."""

from __future__ import annotations

import httpx
import pytest

from tests.harness import Server, alert


@pytest.fixture
def limited(fresh_server: Server) -> Server:
    # One token back every 10 s: a loaded machine's slow requests never see a refill mid-test.
    fresh_server.env.update({"IRBOX_RATE_LIMIT_PER_MINUTE": "6", "IRBOX_RATE_LIMIT_BURST": "5"})
    return fresh_server.start()


def test_key_bucket_then_429_with_retry_after(limited: Server) -> None:
    token = limited.token()
    other = limited.token(name="other")
    with limited.client(token) as c:
        codes = [c.get("/alerts").status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and codes[5:] == [429] * 3
        r = c.get("/alerts")
        assert r.json()["error"] == "rate_limited"
        assert int(r.headers["retry-after"]) >= 1
    with limited.client(other) as c:  # another key has its own bucket
        assert c.get("/alerts").status_code == 200


def test_refused_alerts_take_one_token_each(limited: Server) -> None:
    # Ingest is first tried by the fast path: it refuses an invalid alert itself, and hands a
    # body that does not fit the model on to the Litestar route, which must not charge again.
    invalid = [alert(1, title=" "), alert(2, observables="1.2.3.4")] * 4
    with limited.client(limited.token()) as c:
        answers = [c.post("/alerts", json=body) for body in invalid[:7]]
    assert [r.status_code for r in answers] == [400] * 5 + [429] * 2
    assert set(answers[0].json()["details"]) == {"title"}
    assert set(answers[1].json()["details"]) == {"observables"}
    assert int(answers[5].headers["retry-after"]) >= 1


def test_unauthenticated_calls_are_limited_per_ip(limited: Server) -> None:
    codes = [httpx.get(limited.url + "/api/v1/alerts").status_code for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 2


def test_healthz_is_never_limited(limited: Server) -> None:
    assert all(httpx.get(limited.url + "/healthz").status_code == 200 for _ in range(30))
