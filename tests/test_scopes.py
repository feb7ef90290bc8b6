"""The scope/role matrix over every API route: a key may do what its scopes AND its owner's role
allow; anything else is 403 with `details.required_scope`."""

from __future__ import annotations

import httpx
import pytest

from irbox.config import Config
from irbox.identity.scopes import SCOPES, role_scopes
from irbox.web.app import create_litestar
from tests.conftest import user_token
from tests.harness import Server

ANY = None  # any valid token
X = "x_01J00000000000000000000000"

# What each route needs. Written out by hand on purpose: a new route must be added here.
EXPECTED: dict[tuple[str, str], str | tuple[str, ...] | None] = {
    ("POST", "/api/v1/alerts"): "alerts:write",
    ("GET", "/api/v1/alerts"): "alerts:read",
    ("GET", "/api/v1/alerts/{alert_id:str}"): "alerts:read",
    ("POST", "/api/v1/alerts/{alert_id:str}/dismiss"): "alerts:write",
    ("POST", "/api/v1/alerts/{alert_id:str}/reopen"): "alerts:write",
    ("GET", "/api/v1/alerts/{alert_id:str}/related"): ("alerts:read", "cases:read"),
    ("POST", "/api/v1/alerts/batch"): "alerts:write",
    ("POST", "/api/v1/alerts/bulk"): "alerts:write",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("GET", "/api/v1/users/{user_id:str}"): "admin",
    ("PATCH", "/api/v1/users/{user_id:str}"): "admin",
    ("GET", "/api/v1/audit"): "admin",
    ("GET", "/api/v1/me"): ANY,
    ("POST", "/api/v1/api-keys"): "admin",
    ("GET", "/api/v1/api-keys"): ANY,
    ("DELETE", "/api/v1/api-keys/{key_id:str}"): ANY,
    ("GET", "/api/v1/me/notifications"): "cases:read",
    ("POST", "/api/v1/me/notifications/read"): ANY,
    ("GET", "/api/v1/me/subscriptions"): ANY,
    ("PUT", "/api/v1/me/subscriptions"): ANY,
    ("GET", "/api/v1/me/views"): ANY,
    ("POST", "/api/v1/me/views"): ANY,
    ("DELETE", "/api/v1/me/views/{view_id:str}"): ANY,
    ("GET", "/api/v1/settings/sla"): ANY,
    ("PUT", "/api/v1/settings/sla"): "admin",
    ("GET", "/api/v1/settings/reports"): ANY,
    ("PUT", "/api/v1/settings/reports"): "admin",
    ("POST", "/api/v1/alerts/{alert_id:str}/escalate"): ("alerts:write", "cases:write"),
    ("POST", "/api/v1/cases"): "cases:write",
    ("GET", "/api/v1/cases"): "cases:read",
    ("GET", "/api/v1/cases/{case_id:str}"): "cases:read",
    ("PATCH", "/api/v1/cases/{case_id:str}"): "cases:write",
    ("POST", "/api/v1/cases/{case_id:str}/observables"): "cases:write",
    ("DELETE", "/api/v1/cases/{case_id:str}/observables/{observable_id:str}"): "cases:write",
    ("POST", "/api/v1/cases/{case_id:str}/timeline"): "cases:write",
    ("POST", "/api/v1/cases/{case_id:str}/links"): "cases:write",
    ("DELETE", "/api/v1/cases/{case_id:str}/links/{linked_id:str}"): "cases:write",
    ("GET", "/api/v1/grouping-rules"): "alerts:read",
    ("POST", "/api/v1/grouping-rules"): "admin",
    ("GET", "/api/v1/grouping-rules/{rule_id:str}"): "alerts:read",
    ("PATCH", "/api/v1/grouping-rules/{rule_id:str}"): "admin",
    ("DELETE", "/api/v1/grouping-rules/{rule_id:str}"): "admin",
    ("GET", "/api/v1/case-templates"): "cases:read",
    ("POST", "/api/v1/case-templates"): "admin",
    ("GET", "/api/v1/case-templates/{template_id:str}"): "cases:read",
    ("PATCH", "/api/v1/case-templates/{template_id:str}"): "admin",
    ("DELETE", "/api/v1/case-templates/{template_id:str}"): "admin",
    ("GET", "/api/v1/custom-fields"): "cases:read",
    ("POST", "/api/v1/custom-fields"): "admin",
    ("GET", "/api/v1/custom-fields/{key:str}"): "cases:read",
    ("PATCH", "/api/v1/custom-fields/{key:str}"): "admin",
    ("DELETE", "/api/v1/custom-fields/{key:str}"): "admin",
    ("POST", "/api/v1/cases/{case_id:str}/merge"): "cases:write",
    ("POST", "/api/v1/cases/import"): "cases:write",
    ("GET", "/api/v1/cases/{case_id:str}/export"): "cases:read",
    ("GET", "/api/v1/cases/{case_id:str}/tasks"): "cases:read",
    ("POST", "/api/v1/cases/{case_id:str}/tasks"): "cases:write",
    ("PATCH", "/api/v1/cases/{case_id:str}/tasks/{task_id:str}"): "cases:write",
    ("DELETE", "/api/v1/cases/{case_id:str}/tasks/{task_id:str}"): "cases:write",
    ("POST", "/api/v1/cases/{case_id:str}/comments"): "cases:write",
    ("PATCH", "/api/v1/cases/{case_id:str}/comments/{comment_id:str}"): "cases:write",
    ("DELETE", "/api/v1/cases/{case_id:str}/comments/{comment_id:str}"): "cases:write",
    ("POST", "/api/v1/cases/{case_id:str}/attachments"): "cases:write",
    ("GET", "/api/v1/cases/{case_id:str}/attachments/{attachment_id:str}"): "cases:read",
    ("DELETE", "/api/v1/cases/{case_id:str}/attachments/{attachment_id:str}"): "cases:write",
    ("POST", "/api/v1/cases/{case_id:str}/resolve"): "cases:write",
    ("POST", "/api/v1/cases/{case_id:str}/reopen"): "cases:write",
    ("GET", "/api/v1/cases/{case_id:str}/report"): "cases:read",
    ("GET", "/api/v1/attack/techniques"): "cases:read",
    ("GET", "/api/v1/observables/search"): "observables:read",
    ("POST", "/api/v1/observables/suppress"): "observables:write",
    ("GET", "/api/v1/observables/suppressions"): "observables:read",
    ("GET", "/api/v1/observables/suppressions/{suppression_id:str}/covered"): "observables:read",
    ("POST", "/api/v1/observables/suppressions/{suppression_id:str}/dismiss-covered"): (
        "observables:write",
        "alerts:write",
    ),
    ("DELETE", "/api/v1/observables/suppressions/{suppression_id:str}"): "observables:write",
    ("GET", "/api/v1/stats"): "alerts:read",
    ("POST", "/api/v1/webhooks"): "admin",
    ("GET", "/api/v1/webhooks"): "admin",
    ("GET", "/api/v1/webhooks/{webhook_id:str}"): "admin",
    ("PATCH", "/api/v1/webhooks/{webhook_id:str}"): "admin",
    ("DELETE", "/api/v1/webhooks/{webhook_id:str}"): "admin",
    ("GET", "/api/v1/webhooks/{webhook_id:str}/deliveries"): "admin",
    ("POST", "/api/v1/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}/redeliver"): "admin",
    ("POST", "/api/v1/webhooks/{webhook_id:str}/ping"): "admin",
    ("GET", "/api/v1/license"): ANY,
    ("PUT", "/api/v1/license"): "admin",
}
PUBLIC = {
    (method, path) for method in ("GET", "HEAD") for path in ("/healthz", "/api/v1/healthz")
} | {("GET", "/api/v1/openapi.json")}


def served_routes() -> set[tuple[str, str]]:
    app = create_litestar(Config(data_dir="/nonexistent"))
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods - {"OPTIONS"}:
                if route.path.startswith("/api/v1/schema"):
                    continue  # Litestar's schema router, replaced by /api/v1/openapi.json
                if not route.path.startswith(("/api/", "/healthz")):
                    continue  # the web UI: signed-in sessions, see test_sign_in.py
                found.add((method, route.path))
    return found


def test_every_route_is_in_the_matrix() -> None:
    assert served_routes() == set(EXPECTED) | PUBLIC


def _call(client: httpx.Client, method: str, path: str) -> httpx.Response:
    url = path.replace("/api/v1", "")
    for param in (
        "{alert_id:str}",
        "{user_id:str}",
        "{key_id:str}",
        "{case_id:str}",
        "{attachment_id:str}",
        "{suppression_id:str}",
        "{webhook_id:str}",
        "{delivery_id:str}",
    ):
        url = url.replace(param, X)
    # Bodies that can change nothing: an empty object fails validation or hits a missing id.
    body = {} if method in ("POST", "PATCH") else None
    return client.request(method, url, json=body)


@pytest.fixture(scope="module")
def keys(server: Server, admin_token: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Tokens with known effective scopes: one per single scope, and every scope per role."""
    made: dict[str, tuple[str, frozenset[str]]] = {}
    for scope in SCOPES:
        made[f"admin+{scope}"] = (server.token(scopes=scope), frozenset({scope}))
    with server.client(admin_token) as admin:
        for role in ("analyst", "viewer"):
            made[f"{role}+all"] = (
                user_token(server, admin, role, ",".join(SCOPES)),
                role_scopes(role),
            )
    return made


@pytest.mark.parametrize("route", sorted(EXPECTED), ids=lambda r: f"{r[0]} {r[1]}")
def test_scope_is_enforced(server: Server, keys: dict, route: tuple[str, str]) -> None:
    method, path = route
    needed = EXPECTED[route]
    needed = () if needed is None else (needed,) if isinstance(needed, str) else needed
    for name, (token, effective) in keys.items():
        with server.client(token) as client:
            r = _call(client, method, path)
        missing = [s for s in needed if s not in effective]
        if not missing:
            assert r.status_code not in (401, 403), (name, r.status_code, r.text)
        else:
            assert r.status_code == 403, (name, r.status_code, r.text)
            assert r.json() == {
                "error": "forbidden",
                "message": r.json()["message"],
                "details": {"required_scope": missing[0]},
            }
        with server.client(None) as anonymous:
            assert _call(anonymous, method, path).status_code == 401


def test_role_caps_key_scopes_even_when_created_wider(server: Server, api: httpx.Client) -> None:
    token = user_token(server, api, "viewer", "alerts:read,alerts:write")
    with server.client(token) as viewer:
        assert viewer.get("/alerts").status_code == 200
        r = viewer.post("/alerts", json={})
        assert r.status_code == 403 and r.json()["details"]["required_scope"] == "alerts:write"
        assert sorted(viewer.get("/me").json()["scopes"]) == ["alerts:read"]


def test_a_key_cannot_mint_wider_keys(server: Server) -> None:
    with server.client(server.token(scopes="admin,alerts:read")) as narrow:
        r = narrow.post("/api-keys", json={"name": "wider", "scopes": ["alerts:write"]})
        assert r.status_code == 403 and r.json()["details"]["required_scope"] == "alerts:write"
        ok = narrow.post("/api-keys", json={"name": "same", "scopes": ["alerts:read"]})
        assert ok.status_code == 201 and ok.json()["key"]["scopes"] == ["alerts:read"]
