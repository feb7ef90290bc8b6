"""Every node's ear for `store.changes`: a thread that LISTENs on its own connection and calls
what was registered for each topic. While it is not connected it cannot know what it missed,
so each (re)connection calls every callback once, as if everything had changed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

import psycopg

from irbox.store.changes import CHANNEL

log = logging.getLogger("irbox.store.postgres")
RETRY_S = 1.0


class ChangeListener:
    def __init__(self, url: str, callbacks: Mapping[str, Callable[[], object]]) -> None:
        self._url = url
        self._callbacks = dict(callbacks)
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="irbox-changes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._all_changed()
                    self.connected.set()
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=0.5):
                            self._changed(notice.payload)
            except psycopg.Error as exc:
                if not self._stop.is_set():
                    log.warning("not hearing of other nodes' changes: %s", exc)
            finally:
                self.connected.clear()
            self._stop.wait(RETRY_S)

    def _changed(self, topic: str) -> None:
        callback = self._callbacks.get(topic)
        if callback is not None:
            callback()

    def _all_changed(self) -> None:
        for callback in self._callbacks.values():
            callback()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
