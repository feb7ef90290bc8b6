"""Resolve with a verdict, get the incident report (HTML and Markdown), reopen."""

from __future__ import annotations

import hashlib
import re

import httpx

from tests.harness import Server, alert
from tests.htmlcheck import active_content

XSS = "<script>alert('pwned')</script><img src=x onerror=alert(1)>"


def _full_case(api: httpx.Client, unique: str) -> tuple[str, bytes]:
    alert_id = api.post(
        "/alerts",
        json=alert(
            unique,
            title=f"Beacon to C2 {unique} {XSS}",
            observables=[{"type": "domain", "value": "c2.evil.example"}],
        ),
    ).json()["id"]
    case_id = api.post(f"/alerts/{alert_id}/escalate", json={}).json()["case_id"]
    api.patch(f"/cases/{case_id}", json={"attack": ["T1071.001"], "description": f"desc {XSS}"})
    api.post(f"/cases/{case_id}/comments", json={"body": f"**isolated** the host {XSS}"})
    evidence = b"pcap bytes " + unique.encode()
    api.post(f"/cases/{case_id}/attachments", files={"file": ("c2.pcap", evidence)})
    return case_id, evidence


def test_resolve_generates_the_report(server: Server, api: httpx.Client, unique: str) -> None:
    case_id, evidence = _full_case(api, unique)
    r = api.post(
        f"/cases/{case_id}/resolve",
        json={
            "verdict": "true_positive",
            "root_cause": "Macro-enabled attachment",
            "narrative": f"User opened the file; we contained it. {XSS}",
        },
    )
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["status"] == "resolved"
    assert case["resolution"]["verdict"] == "true_positive"
    assert case["resolution"]["root_cause"] == "Macro-enabled attachment"
    assert case["report"]["html"].endswith(f"/api/v1/cases/{case_id}/report")
    assert case["timeline"][-1]["type"] == "resolved"
    assert len(list((server.data_dir / "reports").glob(f"{case_id}-*.html"))) == 1

    html = api.get(f"/cases/{case_id}/report")
    assert html.status_code == 200
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in html.headers["content-security-policy"]
    text = html.text
    assert active_content(text) == []  # no script reaches the report
    for expected in (
        f"case #{case['number']}",
        "true positive",
        "Macro-enabled attachment",
        "c2.evil.example",
        "T1071.001",
        "Web Protocols",
        "c2.pcap",
        hashlib.sha256(evidence).hexdigest(),
        "<strong>isolated</strong>",
        f"Beacon to C2 {unique}",
        "@page",
    ):
        assert expected in text, expected
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # self-contained

    md = api.get(f"/cases/{case_id}/report", params={"format": "md"})
    assert md.status_code == 200
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert "<script" not in md.text and "&lt;script&gt;" in md.text
    for expected in (
        "## Timeline",
        "true positive",
        hashlib.sha256(evidence).hexdigest(),
        "T1071.001",
    ):
        assert expected in md.text, expected
    assert api.get(f"/cases/{case_id}/report", params={"format": "pdf"}).status_code == 400


def test_report_is_regenerated_when_its_file_is_missing(
    server: Server, api: httpx.Client, unique: str
) -> None:
    case_id, _ = _full_case(api, unique)
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})
    first = api.get(f"/cases/{case_id}/report").text
    for written in (server.data_dir / "reports").glob(f"{case_id}-*.html"):
        written.unlink()
    assert api.get(f"/cases/{case_id}/report").text == first


def test_resolve_and_reopen_rules(api: httpx.Client, unique: str) -> None:
    case_id = api.post("/cases", json={"title": f"r {unique}", "severity": "low"}).json()["id"]
    assert api.get(f"/cases/{case_id}/report").status_code == 404  # not resolved yet
    bad = api.post(f"/cases/{case_id}/resolve", json={"verdict": "maybe"})
    assert bad.status_code == 400 and "verdict" in bad.json()["details"]
    assert api.post(f"/cases/{case_id}/reopen").status_code == 409
    assert api.post(f"/cases/{case_id}/resolve", json={"verdict": "duplicate"}).status_code == 200
    again = api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})
    assert again.status_code == 409 and again.json()["error"] == "invalid_state"
    r = api.post(f"/cases/{case_id}/reopen")
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert r.json()["resolution"] is None and r.json()["report"] is None
    assert api.get(f"/cases/{case_id}/report").status_code == 404
    missing = "case_01J00000000000000000000000"
    assert api.post(f"/cases/{missing}/resolve", json={"verdict": "benign"}).status_code == 404


def test_the_html_checker_finds_active_content() -> None:
    assert active_content("<p>&lt;script&gt;</p>") == []
    assert active_content("<script>x</script>") == ["<script>"]
    assert active_content('<a href="javascript:x">a</a>') == ["a[href=javascript:x]"]
    assert active_content("<img src=x onerror=y>") == ["img[onerror]"]
