"""Logging: JSON lines on stdout (journald keeps them), one object per record."""

from __future__ import annotations

import logging
import sys
import time

import msgspec

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry, enc_hook=str).decode()


# Granian's own records (start-up, worker lifecycle) in the same JSON lines: its logging config
# with our formatter in place of its plain-text ones.
GRANIAN_LOGGING = {
    "formatters": {
        "generic": {"()": "irbox.logs.JsonFormatter"},
        "access": {"()": "irbox.logs.JsonFormatter"},
    }
}


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("apscheduler", "httpx"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
