"""Comments: markdown rendered and sanitised, mentions validated and notified."""

from __future__ import annotations

import httpx

from tests.conftest import user_token
from tests.harness import Server
from tests.htmlcheck import active_content


def _case(api: httpx.Client, unique: str) -> str:
    return api.post("/cases", json={"title": f"c {unique}", "severity": "low"}).json()["id"]


def test_markdown_is_rendered_and_sanitised(api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    body = (
        "**Found** it <script>alert('x')</script> [link](javascript:alert(1)) "
        '<img src=x onerror="alert(2)"> [ok](https://example.com)'
    )
    r = api.post(f"/cases/{case_id}/comments", json={"body": body})
    assert r.status_code == 201
    comment = r.json()
    html = comment["body_html"]
    assert "<strong>Found</strong>" in html
    assert active_content(html) == []
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert 'href="https://example.com"' in html
    assert comment["body"] == body  # the markdown is kept as written
    case = api.get(f"/cases/{case_id}").json()
    assert case["comments"] == [comment]
    assert case["timeline"][-1]["type"] == "comment"


def test_mentions_notify_users(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    token = user_token(server, api, "analyst")
    with server.client(token) as analyst:
        analyst_id = analyst.get("/me").json()["id"]
        email = analyst.get("/me").json()["email"]
        r = api.post(
            f"/cases/{case_id}/comments",
            json={"body": f"@ana have a look {unique}", "mentions": [analyst_id]},
        )
        assert r.status_code == 201
        inbox = analyst.get("/me/notifications", params={"unread": "true"}).json()["items"]
        assert len(inbox) == 1
        note = inbox[0]
        assert note["kind"] == "mention" and note["case_id"] == case_id
        assert note["comment_id"] == r.json()["id"] and note["read_at"] is None
        assert unique in note["summary"]
        marked = analyst.post("/me/notifications/read", json={"ids": [note["id"]]}).json()
        assert marked == {"marked": 1}
        assert analyst.get("/me/notifications", params={"unread": "true"}).json()["items"] == []
        assert analyst.get("/me/notifications").json()["items"][0]["read_at"]
    # Each notification names its case: a key that may not read cases may not read them.
    with server.client(server.token(email, scopes="alerts:read")) as alerts_only:
        refused = alerts_only.get("/me/notifications")
        assert refused.status_code == 403
        assert refused.json()["details"]["required_scope"] == "cases:read"
    # the admin was not mentioned
    admin_inbox = api.get("/me/notifications").json()["items"]
    assert all(n["comment_id"] != r.json()["id"] for n in admin_inbox)


def test_unknown_mentions_are_400_and_nothing_is_written(api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    me = api.get("/me").json()["id"]
    r = api.post(
        f"/cases/{case_id}/comments",
        json={"body": "hi", "mentions": [me, "user_01J00000000000000000000000"]},
    )
    assert r.status_code == 400 and "mentions[1]" in r.json()["details"]
    assert api.get(f"/cases/{case_id}").json()["comments"] == []
    # a disabled user would never read it: the same answer
    gone = api.post("/users", json={"email": f"gone-{unique}@x.example", "role": "analyst"})
    gone_id = gone.json()["user"]["id"]
    api.patch(f"/users/{gone_id}", json={"disabled": True})
    r = api.post(f"/cases/{case_id}/comments", json={"body": "hi", "mentions": [gone_id]})
    assert r.status_code == 400 and r.json()["details"] == {"mentions[0]": "no such active user"}
    assert api.post(f"/cases/{case_id}/comments", json={"body": "  "}).status_code == 400
    missing = "case_01J00000000000000000000000"
    assert api.post(f"/cases/{missing}/comments", json={"body": "x"}).status_code == 404


def test_mentions_written_as_addresses() -> None:
    from irbox.cases.comments import mentioned_addresses

    body = "cc @Ann@Example.com, and @bob@x.org. Not a@b.c nor @@z@y.io; again @ann@example.com"
    assert mentioned_addresses(body) == ["ann@example.com", "bob@x.org"]


def test_an_address_in_the_text_mentions_through_the_api_too(
    server: Server, api: httpx.Client, unique: str
) -> None:
    """One mention rule for the API and the page: `@address` of an active user in the text
    mentions them (the page's autocomplete writes that), beside the ids listed."""
    case_id = _case(api, unique)
    with server.client(user_token(server, api, "analyst")) as analyst:
        me = analyst.get("/me").json()
        body = f"@{me['email'].upper()} please look; @nobody@example.test is no one"
        r = api.post(f"/cases/{case_id}/comments", json={"body": body})
        assert r.status_code == 201 and r.json()["mentions"] == [me["id"]]
        inbox = analyst.get("/me/notifications", params={"unread": "true"}).json()["items"]
        assert [n["comment_id"] for n in inbox] == [r.json()["id"]]
