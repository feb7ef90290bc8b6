"""A real SMTP server for the mail tests (aiosmtpd) on 127.0.0.1: optionally STARTTLS (a
certificate from tests/certificates.py) and AUTH, optionally refusing the first messages with
a temporary error (451) the way a busy relay does; it keeps what it accepted."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.certificates import make_certificates
from tests.harness import free_port

USER, PASSWORD = "irbox-relay", "relay-secret"


class Mailbox:
    def __init__(self, root: Path, tls: bool = False, refuse_first: int = 0,
                 port: int | None = None, delay_s: float = 0.0,
                 before_accepting: Callable[[], object] | None = None) -> None:  # fmt: skip
        self.port = port or free_port()
        self.before_accepting = before_accepting  # run once, as the first message is taken
        self.delay_s = delay_s  # before each message is accepted (a slow relay)
        self.refuse_first = refuse_first
        self.messages: list[EmailMessage] = []
        self.refused = 0
        self.ca_file: Path | None = None
        kwargs: dict[str, Any] = {}
        if tls:
            self.ca_file = make_certificates(root)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(root / "server.pem", root / "server.key")
            kwargs = {"tls_context": context, "require_starttls": True,
                      "authenticator": self._authenticate, "auth_require_tls": True}  # fmt: skip
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)

    def start(self) -> Mailbox:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.refuse_first:
            self.refused += 1
            return "451 4.3.0 Busy, try again later"
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        if self.before_accepting is not None:
            hook, self.before_accepting = self.before_accepting, None
            hook()
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:  # fmt: skip
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        return AuthResult(success=ok)

    def wait_for(self, count: int, timeout: float = 20, **headers: str) -> list[EmailMessage]:
        """The first `count` messages whose headers contain the given words (To="ana@…")."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages if _matches(m, headers)]
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, f"{len(found)} of {count} messages came"
            time.sleep(0.1)


def _matches(message: EmailMessage, headers: dict[str, str]) -> bool:
    return all(v in str(message.get(k.replace("_", "-"), "")) for k, v in headers.items())
