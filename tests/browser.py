"""What the browser tests share: Debian's Chromium driven by Playwright (no download), where
screenshots go, and signing in as the first admin the way a person does."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.harness import Server

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def sign_in(
    page: Page, server: Server, email: str = "admin@irbox.local", password: str | None = None
) -> None:
    """As the first admin unless told whom."""
    page.goto(server.url + "/alerts")
    assert page.url.endswith("/login")  # not signed in: sent to the sign-in page
    password = password or server.first_password
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/alerts") or "/settings" in url)
    if "/settings" in page.url:  # the generated password: choose one, as a person must
        page.context.clear_cookies()
        sign_in(page, server, email, server.change_first_password(email, password))
