"""Two irbox nodes serving one PostgreSQL database both dispatch webhook deliveries: each
delivery is claimed by one of them before it is posted, so the receiver gets each delivery id
once, whichever node made the event."""

from __future__ import annotations

import time
from collections import Counter

from tests.harness import Server
from tests.receiver import Receiver


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
