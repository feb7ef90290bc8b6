"""The running server's hold on its data dir: an exclusive `flock` on the directory itself, taken
before the server initialises or opens anything and kept until its process ends (a crash or
`kill -9` releases it with the process). Commands that replace what a server has open (`irbox
restore`, `irbox reindex`) take the same lock for their work, so they refuse to run beside a
server, and a second server on the same data dir stops at start. Commands that are safe beside
a running server (backup, check, user and key management) do not take it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class DataDirInUse(Exception):
    """Another process (normally the running server) holds the data dir."""


def hold(data_dir: Path) -> int:
    """Take the lock; returns the descriptor that keeps it (closing it releases the lock)."""
    fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        in_use = f"{data_dir} is in use by a running irbox server: stop it first"
        raise DataDirInUse(in_use) from None
    return fd


@contextmanager
def held(data_dir: Path) -> Iterator[None]:
    """The lock for the duration of a command's work (nothing to hold when the dir is absent)."""
    if not data_dir.is_dir():
        yield
        return
    fd = hold(data_dir)
    try:
        yield
    finally:
        os.close(fd)
