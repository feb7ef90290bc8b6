"""Runs irbox (`python bench/named_threads.py serve ...`) with each Python thread's name given
to its OS thread (Linux prctl), so /proc, `top -H` and `perf` tell the writer from the indexer.
Python 3.11 leaves every thread named after the executable. For profiling only."""

from __future__ import annotations

import ctypes
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_PR_SET_NAME = 15
_libc = ctypes.CDLL(None)
_bootstrap_inner = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]


def _named_bootstrap_inner(self: threading.Thread) -> None:
    _libc.prctl(_PR_SET_NAME, self.name[:15].encode(), 0, 0, 0)  # 15 bytes: the kernel's limit
    _bootstrap_inner(self)


threading.Thread._bootstrap_inner = _named_bootstrap_inner  # type: ignore[attr-defined]

if __name__ == "__main__":
    from irbox.cli import main

    sys.argv = ["irbox", *sys.argv[1:]]
    main()
