"""This node's name among the nodes serving one database. Work a node takes from the shared
database (a webhook delivery it is posting) is marked with it, so that the same node, started
again after a crash, gives back at once what it held instead of leaving it until its lease runs
out. Kept in the data dir (`node.id`, 0600, made at first use): it outlives restarts and a
change of host name, and two nodes on one host have data dirs, hence names, of their own."""

from __future__ import annotations

import os
from pathlib import Path

from irbox.ids import new_id

NODE_FILE = "node.id"


def node_id(data_path: Path) -> str:
    path = data_path / NODE_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    name = new_id("node")
    with os.fdopen(fd, "w") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return name
