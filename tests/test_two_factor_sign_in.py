"""Two-factor sign-in (TOTP, RFC 6238) through the real server: set it up with a code, sign in
with the password and then a code, a code is never accepted twice, recovery codes work once,
guesses are throttled, `irbox user reset-mfa` turns it off at the machine, `require_mfa` makes
everyone set it up, and API keys never ask for a code."""

from __future__ import annotations

import re
import time
from contextlib import closing

import httpx
import pyotp
import pytest

from tests.harness import Server

EMAIL, PASSWORD = "totp@x.example", "correct horse battery"


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _password_step(server: Server, then: str = "/login/code") -> httpx.Client:
    """A browser-like client that gave the password: its session waits for the code (or,
    without a second factor, is signed in)."""
    client = httpx.Client(base_url=server.url, timeout=30)
    token = _csrf_like(client.get("/login").text)
    answer = client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "login_token": token}
    )
    assert answer.is_redirect and answer.headers["location"] == then
    return client


def _csrf_like(page: str) -> str:
    return page.split('name="login_token" value="', 1)[1].split('"', 1)[0]


def _give_code(client: httpx.Client, code: str) -> httpx.Response:
    page = client.get("/login/code")
    assert page.status_code == 200, page.text
    return client.post("/login/code", data={"csrf_token": _csrf(page.text), "code": code})


def _set_up(client: httpx.Client) -> tuple[pyotp.TOTP, list[str]]:
    """Settings → set up → the key → a code: on, with ten recovery codes shown once."""
    settings = client.get("/settings").text
    assert "Set up two-factor sign-in" in settings
    assert client.post("/settings/mfa/begin", data={"csrf_token": _csrf(settings)}).is_redirect
    settings = client.get("/settings").text
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', settings).group(1)
    assert 'aria-label="QR code of your two-factor key"' in settings  # drawn by the server
    totp = pyotp.TOTP(secret)
    wrong = client.post(
        "/settings/mfa/confirm", data={"csrf_token": _csrf(settings), "code": "000000"}
    )
    assert wrong.status_code == 400 and "not the code your app shows" in wrong.text
    shown = client.post(
        "/settings/mfa/confirm", data={"csrf_token": _csrf(settings), "code": totp.now()}
    )
    assert shown.status_code == 200
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", shown.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "10 recovery codes left" in client.get("/settings").text
    assert not re.findall(r"<li>[0-9a-f]{5}-[0-9a-f]{5}</li>", client.get("/settings").text)
    return totp, codes


@pytest.fixture
def user(fresh_server: Server) -> Server:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        made = api.post("/users", json={"email": EMAIL, "role": "analyst", "password": PASSWORD})
        assert made.status_code == 201
    return fresh_server


def test_set_up_then_sign_in_with_a_code_never_the_same_twice(user: Server) -> None:
    with closing(user.ui_client(EMAIL, PASSWORD)) as ui:
        totp, codes = _set_up(ui)
    with user.database() as db:  # nothing readable at rest
        sealed, pending = db.execute(
            "SELECT totp_secret, totp_pending FROM users WHERE email = ?", (EMAIL,)
        ).fetchone()
        stored = " ".join(r[0] for r in db.execute("SELECT code_hash FROM recovery_codes"))
    assert sealed.startswith("sealed:v1:") and totp.secret not in sealed and pending is None
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)

    client = _password_step(user)
    assert client.get("/alerts").headers["location"] == "/login"  # the password alone: nothing
    # The code setting it up used this 30 s step; the next step's code is also accepted (the
    # phone's clock may run ahead), once.
    upcoming = totp.at(time.time() + 30)
    signed_in = _give_code(client, upcoming)
    assert signed_in.is_redirect and signed_in.headers["location"] == "/alerts"
    assert client.get("/alerts").status_code == 200
    replayed = _give_code(_password_step(user), upcoming)
    assert replayed.status_code == 401 and "used already" in replayed.text

    # A recovery code, typed as people type them, works once.
    again = _password_step(user)
    assert _give_code(again, " " + codes[0].upper() + " ").is_redirect
    assert _give_code(_password_step(user), codes[0]).status_code == 401
    assert "9 recovery codes left" in again.get("/settings").text


def test_guesses_are_throttled_per_user(user: Server) -> None:
    with closing(user.ui_client(EMAIL, PASSWORD)) as ui:
        _set_up(ui)
    client = _password_step(user)
    # Five wrong codes a minute per user, the one typed while setting it up included.
    answers = [_give_code(client, "123456") for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert int(answers[4].headers["Retry-After"]) >= 1


def test_reset_at_the_machine(user: Server) -> None:
    with closing(user.ui_client(EMAIL, PASSWORD)) as ui:
        _set_up(ui)
        done = user.cli("user", "reset-mfa", "--email", EMAIL)
        assert "two-factor sign-in is off" in done.stdout
        assert ui.get("/alerts").headers["location"] == "/login"  # signed out everywhere
    with closing(user.ui_client(EMAIL, PASSWORD)) as ui:  # the password alone again
        assert "Off: your password alone signs you in." in ui.get("/settings").text
    refused = user.cli("user", "reset-mfa", "--email", "nobody@x.example", check=False)
    assert refused.returncode != 0 and "no user" in refused.stderr


def test_required_for_everyone_but_never_for_api_keys(fresh_server: Server) -> None:
    fresh_server.env["IRBOX_REQUIRE_MFA"] = "true"
    fresh_server.start()
    token = fresh_server.token()
    with fresh_server.client(token) as api:  # keys are unaffected
        api.post("/users", json={"email": EMAIL, "role": "analyst", "password": PASSWORD})
        assert api.get("/alerts").status_code == 200
    with closing(_password_step(fresh_server, "/alerts")) as ui:
        assert ui.get("/alerts").headers["location"] == "/settings#mfa"
        assert "Required here" in ui.get("/settings").text
        totp, _ = _set_up(ui)
        assert ui.get("/alerts").status_code == 200
        settings = ui.get("/settings").text
        assert "Turn off" not in settings
        refused = ui.post("/settings/mfa/off", data={"csrf_token": _csrf(settings), "code": "1"})
        assert "required here" in refused.text
    assert _give_code(_password_step(fresh_server), totp.at(time.time() + 30)).is_redirect


def test_turn_off_and_new_codes_need_a_current_code(user: Server) -> None:
    with closing(user.ui_client(EMAIL, PASSWORD)) as ui:
        _, codes = _set_up(ui)
        csrf = _csrf(ui.get("/settings").text)
        wrong = ui.post("/settings/mfa/recovery-codes", data={"csrf_token": csrf, "code": "1"})
        assert wrong.status_code == 400 and "wrong code" in wrong.text
        renewed = ui.post(
            "/settings/mfa/recovery-codes", data={"csrf_token": csrf, "code": codes[1]}
        )
        fresh = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", renewed.text)
        assert len(fresh) == 10 and not set(fresh) & set(codes)
        off = ui.post("/settings/mfa/off", data={"csrf_token": csrf, "code": fresh[0]})
        assert off.is_redirect
        assert "Off: your password alone" in ui.get("/settings").text
    _password_step(user, "/alerts").close()  # the password alone again


def test_the_code_page_needs_its_own_session_and_token(user: Server) -> None:
    assert httpx.get(user.url + "/login/code").headers["location"] == "/login"
    assert httpx.post(user.url + "/login/code", data={"code": "1"}).headers["location"] == "/login"
    with closing(user.ui_client(EMAIL, PASSWORD)) as ui:
        _set_up(ui)
    client = _password_step(user)
    forged = client.post("/login/code", data={"csrf_token": "forged", "code": "123456"})
    assert forged.status_code == 403
