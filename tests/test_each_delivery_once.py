"""Two irbox nodes serving one PostgreSQL database both dispatch webhook deliveries and send
mail: each delivery and each message is claimed by one of them before it goes, so the receiver
gets each delivery id once and the relay each message once, whichever node made the event. Both
run the scheduled SLA check, and a late case is announced once."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from tests.harness import Server, alert
from tests.mailbox import Mailbox
from tests.receiver import Receiver

SEVERITIES = ("info", "low", "medium", "high", "critical")


def test_each_delivery_is_posted_by_one_node(two_nodes: tuple[Server, Server]) -> None:
    a, b = two_nodes
    receiver = Receiver().start()
    try:
        with a.client(a.token()) as on_a, b.client(b.token()) as on_b:
            hook = on_a.post("/webhooks", json={"url": receiver.url, "events": ["case.created"]})
            assert hook.status_code == 201, hook.text
            for n in range(15):
                for api in (on_a, on_b):
                    made = api.post("/cases", json={"title": f"case {n}", "severity": "low"})
                    assert made.status_code == 201
            receiver.wait_for_deliveries(30, timeout=60)
            time.sleep(2)  # four dispatch ticks of each node more: a second post would be in
            ids = Counter(r.headers.get("X-IR-Delivery") for r in receiver.requests)
        assert len(ids) == 30
        assert [n for n in ids.values() if n > 1] == []
    finally:
        receiver.stop()


def test_each_mail_is_sent_by_one_node(two_nodes: tuple[Server, Server], tmp_path: Path) -> None:
    # Slow enough that a batch is still being sent at the other node's next tick.
    relay = Mailbox(tmp_path, delay_s=0.3).start()
    try:
        for node in two_nodes:
            node.stop()
            node.env.update({"IRBOX_SMTP_HOST": "127.0.0.1", "IRBOX_SMTP_PORT": str(relay.port),
                             "IRBOX_SMTP_FROM": "irbox@example.org",
                             "IRBOX_SMTP_STARTTLS": "false"})  # fmt: skip
            node.start()
        a, b = two_nodes
        with a.client(a.token()) as on_a, b.client(b.token()) as on_b:
            on_a.put("/me/subscriptions", json={"new_alert_min_severity": "low"})
            for n in range(6):
                for api in (on_a, on_b):
                    sent = api.post("/alerts", json=alert(f"{id(api)}-{n}", severity="high"))
                    assert sent.status_code == 201
        relay.wait_for(12, Subject="New high alert")
        time.sleep(4)  # two ticks of each node more: a second send would be in
        ids = Counter(m["Message-ID"] for m in relay.messages)
        assert len(ids) == 12
        assert [n for n in ids.values() if n > 1] == []
    finally:
        relay.stop()


def test_a_late_case_is_announced_once_though_both_nodes_check(
    two_nodes: tuple[Server, Server],
) -> None:
    """Every node runs the scheduled SLA check; the breach is recorded, put on the timeline and
    sent to webhooks once: the check runs in the writers' turn and records what it did."""
    a, b = two_nodes
    receiver = Receiver().start()
    try:
        with a.client(a.token()) as on_a, b.client(b.token()) as on_b:
            on_a.post("/webhooks", json={"url": receiver.url, "events": ["case.sla_breached"]})
            late = {"triage_m": None, "resolve_h": 0.0005}  # 1.8 s to resolve a critical case
            targets = {s: {"triage_m": None, "resolve_h": None} for s in SEVERITIES}
            assert on_a.put("/settings/sla", json={**targets, "critical": late}).is_success
            cases = [
                api.post("/cases", json={"title": f"late {n}", "severity": "critical"}).json()
                for n, api in enumerate((on_a, on_b, on_a))
            ]
            receiver.wait_for_deliveries(3, timeout=30)
            time.sleep(6)  # more checks of both nodes: a second announcement would be in
            for case in cases:
                timeline = on_b.get(f"/cases/{case['id']}").json()["timeline"]
                assert [e["type"] for e in timeline].count("sla_breached") == 1
        announced = Counter(json.loads(r.body)["case_id"] for r in receiver.requests)
        assert announced == Counter(case["id"] for case in cases)
    finally:
        receiver.stop()
