"""Reports may show observable values defanged (`hxxps://evil[.]example`), a setting admins
choose; irbox reads such values back as they were (refang), so nothing is lost either way."""

from __future__ import annotations

import pytest

from irbox.observables.normalize import defang, refang
from tests.conftest import user_token
from tests.harness import Server

RESOLVE = {"verdict": "true_positive", "root_cause": "mail", "narrative": "done"}


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("url", "https://evil.example/a.php?x=1", "hxxps://evil[.]example/a.php?x=1"),
        ("url", "http://user@10.0.0.1:8080/", "hxxp://user[@]10[.]0[.]0[.]1:8080/"),
        ("domain", "c2.evil.example", "c2[.]evil[.]example"),
        ("ip", "203.0.113.7", "203[.]0[.]113[.]7"),
        ("email", "ceo@corp.example", "ceo[@]corp[.]example"),
        ("hash", "d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e"),
    ],
)
def test_defang_and_back(kind: str, value: str, shown: str) -> None:
    assert defang(kind, value) == shown
    assert refang(shown) == value


def test_a_report_shows_them_defanged_when_chosen(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        assert api.get("/settings/reports").json() == {"defang_observables": False}
        analyst = user_token(fresh_server, api, "analyst")
        with fresh_server.client(analyst) as other:
            refused = other.put("/settings/reports", json={"defang_observables": True})
            assert refused.status_code == 403

        def report_of(title: str) -> tuple[str, str]:
            case = api.post(
                "/cases",
                json={
                    "title": title,
                    "severity": "low",
                    "observables": [
                        {"type": "url", "value": "https://evil.example/login"},
                        {"type": "domain", "value": "evil.example"},
                    ],
                },
            ).json()
            api.post(f"/cases/{case['id']}/resolve", json=RESOLVE)
            url = f"/cases/{case['id']}/report"
            return api.get(url, params={"format": "md"}).text, api.get(url).text

        plain_md, _ = report_of("As they are")
        assert "`https://evil.example/login`" in plain_md and "`evil.example`" in plain_md
        chosen = api.put("/settings/reports", json={"defang_observables": True})
        assert chosen.status_code == 200 and chosen.json() == {"defang_observables": True}
        md, html = report_of("Defanged")
        assert "`hxxps://evil[.]example/login`" in md and "`evil[.]example`" in md
        assert ">hxxps://evil[.]example/login<" in html
        assert "https://evil.example" not in md
        entry = next(
            e for e in api.get("/audit").json()["items"] if e["action"] == "reports.update"
        )
        assert entry["data"] == {"defang_observables": True}
