"""Drives a real irbox server: a subprocess on a free 127.0.0.1 port over a temp data dir."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from irbox.cli.accounts import run_apikey_create
from irbox.config import Config, load_config
from irbox.store.database import Connection

SOURCE_COMMAND = [sys.executable, "-m", "irbox"]

# IRBOX_TEST_DATABASE=postgresql: every server of the tests keeps its data in a database of its
# own on a PostgreSQL cluster this process starts (tests/postgres.py), named in the config file
# beside its data dir; unset or "sqlite", in SQLite in the data dir.
TEST_DATABASE = os.environ.get("IRBOX_TEST_DATABASE", "sqlite")
_cluster = None
_databases: dict[Path, str] = {}


def database_url_for(data_dir: Path) -> str | None:
    """The PostgreSQL database of the data dir (the same one each time), or None on SQLite."""
    global _cluster
    if TEST_DATABASE != "postgresql":
        return None
    if _cluster is None:
        import atexit

        from tests.postgres import PostgresCluster

        _cluster = PostgresCluster().start()
        atexit.register(_cluster.stop)
    key = data_dir.resolve()
    if key not in _databases:
        _databases[key] = _cluster.fresh_database()
    return _databases[key]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(
        self,
        data_dir: Path,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
        database_url: str | None = None,
    ) -> None:
        """`database_url`: this server's database ("" for SQLite in the data dir); by default
        the one IRBOX_TEST_DATABASE gives the data dir."""
        self.data_dir = Path(data_dir)
        self.command = command or SOURCE_COMMAND
        self.config_file: Path | None = None
        if database_url is None:
            database_url = database_url_for(self.data_dir)
        self.database_url = database_url or None
        if database_url:
            self.config_file = self.data_dir.parent / f"{self.data_dir.name}-database.toml"
            self.data_dir.parent.mkdir(parents=True, exist_ok=True)
            self.config_file.write_text(f'database_url = "{database_url}"\n')
        database = {"IRBOX_CONFIG": str(self.config_file)} if self.config_file else {}
        self.env = {**os.environ, "IRBOX_LOG_LEVEL": "warning", **database, **(env or {})}
        self.port = free_port()
        self.proc: subprocess.Popen[str] | None = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"
        self.first_output = ""
        self._first_password = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*self.command, *args, "--data-dir", str(self.data_dir)],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"irbox {' '.join(args)} failed: {result.stderr}")
        return result

    def start(self, timeout: float = 60) -> Server:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "a")  # noqa: SIM115 - kept open for the child's lifetime
        self.proc = subprocess.Popen(
            [
                *self.command,
                "serve",
                "--data-dir",
                str(self.data_dir),
                "--listen",
                f"127.0.0.1:{self.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            text=True,
            start_new_session=True,  # its own process group, so kill() reaches the worker too
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    self.first_output = self.log_path.read_text()
                    written = self.data_dir / "first-admin-password"
                    if written.exists():  # until the first admin changes it
                        self._first_password = written.read_text().strip()
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"server did not become healthy:\n{self.log_path.read_text()}")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM and wait; returns the exit status."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.proc = None

    def kill(self) -> None:
        """SIGKILL the whole process group of the server (Granian supervisor and worker)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the worker too: it holds the DuckDB file lock
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        self.proc = None

    def token(
        self, email: str = "admin@irbox.local", scopes: str | None = None, name: str = "test"
    ) -> str:
        """A key made by `irbox apikey create`: in this process when the server runs from
        source (a subprocess per key costs a second of imports), as a command otherwise."""
        if self.command != SOURCE_COMMAND:
            args = ["apikey", "create", "--user", email, "--name", name]
            return self.cli(*args, *(["--scopes", scopes] if scopes else [])).stdout.strip()
        config = str(self.config_file) if self.config_file else None
        command = argparse.Namespace(
            config=config, data_dir=str(self.data_dir), user=email, name=name, scopes=scopes,
            expires_at=None,
        )  # fmt: skip
        printed = io.StringIO()

        def mint() -> None:
            with contextlib.redirect_stdout(printed):
                run_apikey_create(command)

        # On a thread of its own: the command runs an event loop, and Playwright's sync API
        # keeps one running on the test's thread.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(mint).result()
        return printed.getvalue().strip()

    def config(self) -> Config:
        """The config this server's commands run with (its data dir, its database)."""
        return load_config(self.config_file, overrides={"data_dir": str(self.data_dir)})

    @contextlib.contextmanager
    def database(self) -> Iterator[Connection]:
        """A connection to this server's database, SQLite file or PostgreSQL, in autocommit
        mode: `?` placeholders and rows by name on both (for tests that look at what is stored
        or set up what an API cannot)."""
        if self.database_url:
            from irbox.store.postgres.connection import connect as connect_postgres

            conn: Any = connect_postgres(self.database_url)
        else:
            from irbox.store.sqlite.connection import connect as connect_sqlite

            conn = connect_sqlite(self.data_dir / "irbox.db")
        try:
            yield conn
        finally:
            conn.close()

    def stored_bytes(self) -> bytes:
        """All the database holds, for tests that look for a secret in it: on SQLite the file
        and its WAL byte for byte (free pages included), on PostgreSQL every row of every
        table."""
        if not self.database_url:
            files = [self.data_dir / "irbox.db", self.data_dir / "irbox.db-wal"]
            return b"".join(path.read_bytes() for path in files if path.exists())
        with self.database() as conn:
            tables = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
            rows = [conn.execute(f"SELECT * FROM {t[0]}").fetchall() for t in tables]
        return repr(rows).encode()

    def client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=30)

    def ui_client(self, email: str, password: str) -> httpx.Client:
        """A client signed in to the web UI the way a browser is: the sign-in page first (its
        token and cookie), then the form."""
        client = httpx.Client(base_url=self.url, timeout=30)
        page = client.get("/login").text
        token = page.split('name="login_token" value="', 1)[1].split('"', 1)[0]
        answer = client.post(
            "/login", data={"email": email, "password": password, "login_token": token}
        )
        assert answer.is_redirect and "irbox_session" in client.cookies, answer.text
        if client.get("/alerts").headers.get("location", "").startswith("/settings"):
            # The first sign-in with the password irbox generated: choose one, sign in again.
            client.close()
            return self.ui_client(email, self.change_first_password(email, password))
        return client

    def change_first_password(self, email: str, password: str) -> str:
        """What a person does at their first sign-in: a password of their own in Settings
        (kept as `first_password` for the tests that sign in later)."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            page = client.get("/login").text
            token = page.split('name="login_token" value="', 1)[1].split('"', 1)[0]
            form = {"email": email, "password": password, "login_token": token}
            assert client.post("/login", data=form).is_redirect
            settings = client.get("/settings").text
            csrf = settings.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            chosen = password + "-own"
            changed = client.post("/settings/password", data={
                "csrf_token": csrf, "current_password": password,
                "new_password": chosen, "confirm_password": chosen,
            })  # fmt: skip
            assert changed.is_redirect, changed.text
        if password == self._first_password:
            self._first_password = chosen
        return chosen

    @property
    def first_password(self) -> str:
        """The first admin's generated password, as `serve` left it in the data dir."""
        return self._first_password


def nodes(
    root: Path,
    database_url: str,
    count: int = 2,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> list[Server]:
    """Servers (nodes) with data dirs of their own under `root`, initialised on one PostgreSQL
    database and holding the same `secret.key` (what opens the sealed secrets), as every node
    must; not started yet. `command`: how to run irbox (the source tree by default)."""
    from irbox.sealed import KEY_FILE, SecretBox

    made = [
        Server(root / chr(ord("a") + n), command=command, env=env, database_url=database_url)
        for n in range(count)
    ]
    for node in made:
        node.cli("init")
    key = made[0].data_dir / KEY_FILE
    SecretBox(key).seal("")  # made at its first use
    for node in made[1:]:
        shutil.copy2(key, node.data_dir / KEY_FILE)
    return made


def alert(n: int | str = 1, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "source": "edr",
        "external_id": f"ext-{n}",
        "severity": "high",
        "title": f"Suspicious PowerShell on WS-{n}",
        "detected_at": "2026-06-02T09:14:00Z",
        "observables": [{"type": "ip", "value": "203.0.113.4"}],
    }
    body.update(overrides)
    return body


def ui_post_paths() -> list[str]:
    """Every form the web UI accepts (its POST routes but sign-in's two), path parameters
    filled with placeholders such as `x_case_id`."""
    from irbox.web.ui.pages import ui_router

    return sorted(
        re.sub(r"\{(\w+):str\}", r"x_\1", route.path)
        for route in ui_router().routes
        if "POST" in getattr(route, "methods", ()) and not route.path.startswith("/login")
    )
