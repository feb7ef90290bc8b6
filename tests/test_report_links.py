"""The Markdown report is opened in other tools (wikis, ticket systems, editors' previews), some
of which follow any link: a link in the case's text that would run a script there points
nowhere in the report, while ordinary links stay as written."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from markdown_it import MarkdownIt

HOSTILE = (
    "[click](javascript:alert(1)) [upper](JAVASCRIPT:alert(2)) [escaped](javascript\\:alert(3))\n"
    "[spaced](  vbscript:msgbox) [data](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(4)>\n"
    "[ok](https://example.com/a) [mail](mailto:soc@example.com) [ref][r]\n\n"
    "[r]: javascript:alert(5)\n"
)


def _hrefs(markdown: str) -> list[str]:
    """Every link target a permissive renderer (one that validates nothing) would produce."""
    md = MarkdownIt("commonmark")
    md.validateLink = lambda url: True
    found = []
    for block in md.parse(markdown):
        for token in block.children or []:
            if token.type == "link_open":
                found.append(str(token.attrs["href"]))
    return found


def test_script_links_in_the_markdown_report_point_nowhere(api: httpx.Client) -> None:
    case = api.post("/cases", json={"title": "links", "severity": "low", "description": HOSTILE})
    case_id = case.json()["id"]
    api.post(f"/cases/{case_id}/comments", json={"body": HOSTILE})
    resolved = api.post(
        f"/cases/{case_id}/resolve",
        json={"verdict": "false_positive", "root_cause": HOSTILE, "narrative": HOSTILE},
    )
    assert resolved.status_code == 200, resolved.text
    report = api.get(f"/cases/{case_id}/report", params={"format": "md"}).text

    hrefs = _hrefs(report)
    assert "https://example.com/a" in hrefs and "mailto:soc@example.com" in hrefs
    schemes = {urlsplit(h).scheme.lower() for h in hrefs}
    assert schemes <= {"", "http", "https", "mailto"}, hrefs
    assert _hrefs(HOSTILE) and {urlsplit(h).scheme for h in _hrefs(HOSTILE)} - {"https", "mailto"}
