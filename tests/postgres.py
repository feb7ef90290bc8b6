"""A real PostgreSQL for the tests: Debian's server binaries (`postgresql`), a cluster made
with initdb in a temporary directory, listening on 127.0.0.1 on a free port, stopped at the end.
Each user of it gets a database of its own (`fresh_database`). As root, the server runs as the
`postgres` user (initdb refuses root)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.harness import free_port


def _server_binaries() -> Path:
    """IRBOX_TEST_PG_BIN, else the newest of Debian's installed PostgreSQL versions."""
    if "IRBOX_TEST_PG_BIN" in os.environ:
        return Path(os.environ["IRBOX_TEST_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


BIN = _server_binaries()
_names = itertools.count(1)


class PostgresCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="irbox-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _as_owner(self, *command: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *command] if self.user else list(command)

    def start_standby_of(self, primary: PostgresCluster, name: str) -> PostgresCluster:
        """A streaming standby of `primary` (pg_basebackup -R), known to it as `name` (its
        application_name: what synchronous_standby_names lists)."""
        if self.user:
            shutil.chown(self.root, self.user)
        self.root.chmod(0o700)
        source = f"host=127.0.0.1 port={primary.port} user=irbox application_name={name}"
        subprocess.run(
            self._as_owner(str(BIN / "pg_basebackup"), "-D", str(self.data), "-d", source,
                           "-R", "-X", "stream", "-c", "fast"),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        self.resume()
        return self

    def make_synchronous(self, standby_name: str) -> None:
        """Commits wait until the standby has them (none acknowledged is lost with this
        server)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{standby_name}'")
            conn.execute("SELECT pg_reload_conf()")

    def promote(self) -> None:
        """A standby becomes a primary that takes writes."""
        subprocess.run(
            self._as_owner(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "promote"),
            check=True, capture_output=True, text=True,
        )  # fmt: skip

    def crash(self) -> None:
        """kill -9 the server's first process; its backends end when they notice."""
        os.kill(self.postmaster_pid(), 9)

    def start(self) -> PostgresCluster:
        if not (BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL's server binaries are not in {BIN} (make system-deps)")
        if self.user:
            shutil.chown(self.root, self.user)
        self.root.chmod(0o700)
        subprocess.run(
            self._as_owner(str(BIN / "initdb"), "-D", str(self.data), "-U", "irbox",
                           "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-N"),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        self.resume()
        return self

    def resume(self) -> None:
        """Start the server (again, after `pause`): same data, same port."""
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories="
            f"{self.root} -c max_connections=400 -c shared_buffers=128MB"
        )
        subprocess.run(
            self._as_owner(str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                           "-l", str(self.root / "server.log"), "-w", "start"),
            check=True, capture_output=True, text=True,
        )  # fmt: skip

    def pause(self) -> None:
        """Stop the server as an outage would (connections cut), keeping its data."""
        subprocess.run(
            self._as_owner(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"),
            check=True, capture_output=True, text=True,
        )  # fmt: skip

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://irbox@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database's URL."""
        import psycopg

        name = f"irbox_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def postmaster_pid(self) -> int:
        """The server's first process (its backends are its children)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        subprocess.run(
            self._as_owner(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)
