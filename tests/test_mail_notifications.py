"""E-mail notifications through a real SMTP relay (aiosmtpd, started by the tests): each
subscription mails what it promises (mentioned, assigned, alert added to my case, new alerts
from a severity up), in plain text and HTML with a link back; admins hear of webhook
deliveries that failed for good; a relay that refuses is retried until it accepts; a mail
queued before a crash is sent after the restart, and nothing is mailed twice; a message the
relay took while the database went away is recorded sent once it is back, not sent again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from irbox.config import ConfigError, load_config
from tests.harness import Server, alert
from tests.mailbox import PASSWORD, USER, Mailbox
from tests.postgres import PostgresCluster

ANA = "ana@example.org"


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Mailbox]:
    box = Mailbox(tmp_path, tls=True).start()
    yield box
    box.stop()


def _mail_config(server: Server, port: int, **more: str) -> None:
    server.env.update({"IRBOX_SMTP_HOST": "127.0.0.1", "IRBOX_SMTP_PORT": str(port),
                       "IRBOX_SMTP_FROM": "irbox <irbox@example.org>",
                       "IRBOX_SMTP_STARTTLS": "false", **more})  # fmt: skip


def _with_tls_relay(server: Server, relay: Mailbox) -> Server:
    secret = server.data_dir.parent / "smtp-password"
    secret.write_text(PASSWORD)
    _mail_config(server, relay.port, IRBOX_SMTP_STARTTLS="true",
                 IRBOX_SMTP_CA_FILE=str(relay.ca_file), IRBOX_SMTP_USERNAME=USER,
                 IRBOX_SMTP_PASSWORD_FILE=str(secret))  # fmt: skip
    return server.start()


def test_each_subscription_mails_what_it_promises(fresh_server: Server, relay: Mailbox) -> None:
    server = _with_tls_relay(fresh_server, relay)
    admin = server.client(server.token())
    ana_id = admin.post("/users", json={"email": ANA, "role": "analyst", "name": "Ana"}).json()[
        "user"
    ]["id"]
    ana = server.client(server.token(ANA))
    assert ana.get("/me/subscriptions").json() == {
        "mentioned": True, "assigned": True, "alert_added_to_my_case": True,
        "new_alert_min_severity": None, "sla_breached": True,
    }  # fmt: skip
    chosen = ana.put("/me/subscriptions", json={"new_alert_min_severity": "high"})
    assert chosen.status_code == 200 and chosen.json()["new_alert_min_severity"] == "high"
    bad = ana.put("/me/subscriptions", json={"new_alert_min_severity": "urgent"})
    assert bad.status_code == 400

    case = admin.post("/cases", json={"title": "Phishing at ACME", "severity": "high"}).json()
    link = f"{server.url}/cases/{case['id']}"
    admin.post(f"/cases/{case['id']}/comments", json={"body": f"@{ANA} look at this"})
    mentioned = relay.wait_for(1, To=ANA, Subject="mentioned")[0]
    assert mentioned["Subject"] == f"You were mentioned: case #{case['number']}: Phishing at ACME"
    assert mentioned["From"] == "irbox <irbox@example.org>"
    assert mentioned["Auto-Submitted"] == "auto-generated"
    plain = mentioned.get_body(("plain",)).get_content()
    rich = mentioned.get_body(("html",)).get_content()
    assert link in plain and f'href="{link}"' in rich

    admin.patch(f"/cases/{case['id']}", json={"assignee": ana_id})
    assert "assigned" in relay.wait_for(1, To=ANA, Subject="assigned")[0]["Subject"]
    added = admin.post("/alerts", json=alert("m0", severity="medium", title="Joins")).json()
    admin.post(f"/alerts/{added['id']}/escalate", json={"case_id": case["id"]})
    relay.wait_for(1, To=ANA, Subject="An alert joined your case")
    loud = admin.post("/alerts", json=alert("m1", severity="critical", title="C2 beacon")).json()
    new = relay.wait_for(1, To=ANA, Subject="New critical alert")[0]
    assert f"{server.url}/alerts/{loud['id']}" in new.get_body(("plain",)).get_content()

    # Unsubscribed from mentions; a low alert is below her severity. The next mail she still
    # wants is the barrier: what came before it is all there is.
    ana.put("/me/subscriptions", json={"mentioned": False, "new_alert_min_severity": "high"})
    admin.post(f"/cases/{case['id']}/comments", json={"body": f"@{ANA} again"})
    admin.post("/alerts", json=alert("m2", severity="low", title="Quiet one"))
    admin.post("/alerts", json=alert("m3", severity="high", title="Barrier"))
    relay.wait_for(1, To=ANA, Subject="Barrier")
    subjects = [m["Subject"] for m in relay.messages if ANA in m["To"]]
    assert sum("mentioned" in s for s in subjects) == 1
    assert not any("Quiet one" in s for s in subjects)
    assert len(subjects) == len(set(subjects)) == 5  # nothing twice


def test_a_relay_that_refuses_then_accepts(fresh_server: Server, tmp_path: Path) -> None:
    relay = Mailbox(tmp_path, refuse_first=2).start()
    try:
        _mail_config(fresh_server, relay.port, IRBOX_WEBHOOK_RETRY_BASE_S="0.3")
        server = fresh_server.start()
        ui = server.ui_client("admin@irbox.local", server.first_password)
        page = ui.get("/settings").text
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        sent = ui.post("/settings/test-mail", data={"csrf_token": csrf})
        assert "A test mail is on its way to admin@irbox.local" in sent.text
        got = relay.wait_for(1, Subject="irbox test mail")
        assert relay.refused == 2 and len(got) == 1
        scraper = {"Authorization": f"Bearer {server.token(scopes='metrics:read')}"}
        deadline = time.monotonic() + 10  # the relay said 250; the outcome is recorded after
        while _status(server) != "sent" or 'outcome="sent"} 1.0' not in (
            exposed := httpx.get(server.url + "/metrics", headers=scraper).text
        ):
            assert time.monotonic() < deadline, _status(server)
            time.sleep(0.1)
        assert _attempts(server) == 3
        assert 'irbox_mail_attempts_total{outcome="retrying"} 2.0' in exposed
    finally:
        relay.stop()


def test_queued_mail_survives_a_crash_and_goes_once(fresh_server: Server, tmp_path: Path) -> None:
    port = Mailbox(tmp_path).port  # nothing listens there yet: the relay is down
    _mail_config(fresh_server, port, IRBOX_WEBHOOK_RETRY_BASE_S="0.3")
    server = fresh_server.start()
    ui = server.ui_client("admin@irbox.local", server.first_password)
    csrf = ui.get("/settings").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    ui.post("/settings/test-mail", data={"csrf_token": csrf})
    deadline = time.monotonic() + 10
    while _attempts(server) < 1:  # tried once, refused: the relay is down
        assert time.monotonic() < deadline
        time.sleep(0.1)
    server.kill()  # kill -9
    relay = Mailbox(tmp_path, port=port).start()
    try:
        server.start()
        got = relay.wait_for(1, Subject="irbox test mail")
        time.sleep(3)  # a tick or more later: still once
        assert len(relay.wait_for(1, Subject="irbox test mail")) == 1
        assert got[0]["Message-ID"].startswith("<mail_")
    finally:
        relay.stop()


def test_a_mail_the_relay_took_while_the_database_was_away_is_recorded_once_back(
    tmp_path: Path, postgres: PostgresCluster
) -> None:
    relay = Mailbox(tmp_path, before_accepting=postgres.pause).start()  # away as it says 250
    server = Server(tmp_path / "data", database_url=postgres.fresh_database())
    _mail_config(server, relay.port)
    server.start()
    try:
        ui = server.ui_client("admin@irbox.local", server.first_password)
        csrf = ui.get("/settings").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        ui.post("/settings/test-mail", data={"csrf_token": csrf})
        relay.wait_for(1, Subject="irbox test mail")
        time.sleep(2)  # the sender holds the outcome meanwhile
        postgres.resume()
        deadline = time.monotonic() + 15  # well inside the claim's 50 s lease
        while _status(server) != "sent":
            assert time.monotonic() < deadline, _status(server)
            time.sleep(0.2)
        time.sleep(3)  # a tick or more later: still once
        assert len(relay.messages) == 1
    finally:
        server.kill()
        relay.stop()


def _status(server: Server) -> str | None:
    with server.database() as db:
        row = db.execute("SELECT status FROM mail_outbox").fetchone()
    return row[0] if row else None


def _attempts(server: Server) -> int:
    with server.database() as db:
        row = db.execute("SELECT attempts FROM mail_outbox").fetchone()
    return row[0] if row else 0


def test_admins_hear_of_a_webhook_that_failed_for_good(
    fresh_server: Server, tmp_path: Path
) -> None:
    relay = Mailbox(tmp_path).start()
    try:
        _mail_config(fresh_server, relay.port, IRBOX_WEBHOOK_RETRY_BASE_S="0.2",
                     IRBOX_WEBHOOK_RETRY_MAX_AGE_H="0.0005",  # 1.8 s of retries
                     IRBOX_WEBHOOK_REFUSED_TARGETS="link-local")  # fmt: skip
        server = fresh_server.start()
        with server.client(server.token()) as api:
            dead = "http://127.0.0.1:9/hook"  # nothing answers there
            made = api.post("/webhooks", json={"url": dead, "events": ["case.created"]})
            assert made.status_code == 201, made.text
            api.post("/cases", json={"title": "Noisy", "severity": "low"})
        told = relay.wait_for(1, To="admin@irbox.local", Subject="failed for good")[0]
        assert "case.created to http://127.0.0.1:9/hook" in told["Subject"]
        assert "Redeliver it from Settings" in told.get_body(("plain",)).get_content()
    finally:
        relay.stop()


def test_subscriptions_from_settings(fresh_server: Server) -> None:
    server = fresh_server.start()  # no relay: choices are kept for when mail is set up
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/settings").text
    assert "Mail is not set up on this irbox" in page and 'id="test-mail"' not in page
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": csrf, "assigned": "on", "new_alert_min_severity": "critical"}
    assert ui.post("/settings/subscriptions", data=form).is_redirect
    with server.client(server.token()) as api:
        assert api.get("/me/subscriptions").json() == {
            "mentioned": False, "assigned": True, "alert_added_to_my_case": False,
            "new_alert_min_severity": "critical", "sla_breached": False,
        }  # fmt: skip
    refused = ui.post("/settings/test-mail", data={"csrf_token": csrf})
    assert "Mail is not set up here" in refused.text


def test_mail_settings_are_checked_at_start() -> None:
    base = {"smtp_host": "relay.example.org", "smtp_from": "irbox@example.org"}
    assert load_config(overrides=base, environ={}).smtp_port == 587
    for bad, key in [({"smtp_from": ""}, "smtp_from"), ({"smtp_username": "u"}, "smtp_username"),
                     ({"smtp_port": 0}, "smtp_port"),
                     ({"smtp_ca_file": "/nonexistent.pem"}, "smtp_ca_file")]:  # fmt: skip
        with pytest.raises(ConfigError, match=key):
            load_config(overrides={**base, **bad}, environ={})
