"""Every error has the spec's shape, and every response a request id."""

from __future__ import annotations

import base64
import json
import re

import httpx
from litestar.routes import HTTPRoute

from irbox.web.app import create_litestar
from tests.harness import Server


def _is_error(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code and body["message"]


def test_unknown_route_and_method(server: Server, api: httpx.Client) -> None:
    _is_error(api.get("/nope"), 404, "not_found")
    _is_error(httpx.get(server.url + "/nope"), 404, "not_found")
    _is_error(api.get("/nope/deeper/still"), 404, "not_found")
    _is_error(api.put("/alerts"), 405, "method_not_allowed")


def test_options_and_405_name_every_method_of_the_path(server: Server) -> None:
    """What a path allows, for every API route: `OPTIONS` and a 405 agree with the routes."""
    app = create_litestar(server.config())
    expected: dict[str, set[str]] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/v1/"):
            expected.setdefault(re.sub(r"\{[^}]+\}", "x", route.path), set()).update(route.methods)
    assert len(expected) > 40
    for path, methods in expected.items():
        answer = httpx.options(server.url + path)
        assert answer.status_code == 204, path
        assert set(answer.headers["allow"].split(", ")) == methods, path
        if "PUT" not in methods:
            refused = httpx.put(server.url + path)
            assert refused.status_code == 405, path
            assert set(refused.headers["allow"].split(", ")) == methods, path


def test_malformed_json_and_wrong_types(api: httpx.Client) -> None:
    r = api.post("/alerts", content=b"{not json", headers={"content-type": "application/json"})
    _is_error(r, 400, "validation_error")
    _is_error(api.post("/alerts", json=[1, 2]), 400, "validation_error")
    _is_error(api.post("/alerts", json="text"), 400, "validation_error")
    _is_error(api.post("/alerts", content=b""), 400, "validation_error")
    _is_error(api.post("/alerts/alert_x/dismiss", json={"reason_code": 5}), 400, "validation_error")


def test_a_missing_parameter_is_named(api: httpx.Client) -> None:
    r = api.get("/observables/search", params={"type": "ip"})
    _is_error(r, 400, "validation_error")
    assert r.json()["details"] == {"value": "required query parameter"}


def test_a_missing_or_malformed_body_is_named(api: httpx.Client) -> None:
    for r in (api.post("/cases"), api.post("/observables/suppress", content=b"")):
        _is_error(r, 400, "validation_error")
        assert r.json()["details"] == {"body": "a JSON body is required"}
    r = api.post("/cases", content=b"x", headers={"content-type": "text/plain"})
    _is_error(r, 400, "validation_error")
    assert "malformed" in r.json()["details"]["body"]


def test_every_response_has_a_request_id(server: Server, api: httpx.Client) -> None:
    ids = {
        api.get("/alerts").headers["x-request-id"],
        api.get("/nope").headers["x-request-id"],
        httpx.get(server.url + "/healthz").headers["x-request-id"],
        httpx.get(server.url + "/api/v1/alerts").headers["x-request-id"],
    }
    assert len(ids) == 4 and all(i.startswith("req_") for i in ids)
    echoed = api.get("/alerts", headers={"X-Request-Id": "probe-123"})
    assert echoed.headers["x-request-id"] == "probe-123"
    unsafe = api.get("/alerts", headers={"X-Request-Id": "bad id; with spaces"})
    assert unsafe.headers["x-request-id"].startswith("req_")


def test_openapi_document_is_served(server: Server) -> None:
    r = httpx.get(server.url + "/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/alerts" in doc["paths"]
    assert "post" in doc["paths"]["/api/v1/alerts"]
    assert "bearer" in doc["components"]["securitySchemes"]


def test_a_tampered_cursor_is_400_on_every_list(api: httpx.Client) -> None:
    def cursor(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    paths = ("/alerts", "/cases", "/audit", "/observables/suppressions", "/me/notifications")
    lists: list[tuple[str, dict[str, str]]] = [(path, {}) for path in paths]
    # (/webhooks, /users and /api-keys answer one page and take no cursor)
    lists.append(("/observables/search", {"type": "ip", "value": "192.0.2.1"}))
    forged = [["v1", 2**63], ["v1", -1], ["v1", True], ["v1", 1.5], ["v1"], ["o1", 2**64, 1]]
    forged += [["o1", 1], {"v1": 1}, None, "v1"]
    for path, params in lists:
        for value in forged:
            r = api.get(path, params={**params, "cursor": cursor(value)})
            _is_error(r, 400, "validation_error")
            assert "cursor" in r.json()["details"], (path, value)
