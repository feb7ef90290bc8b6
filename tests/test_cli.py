"""The irbox command: exit statuses, init, user and key creation, listing and revoking, config
errors."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.harness import Server


def irbox(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "irbox", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_usage_errors_exit_2() -> None:
    assert irbox().returncode == 2
    assert irbox("frobnicate").returncode == 2
    assert irbox("user", "create", "--email", "a@b.c").returncode == 2  # --role missing
    assert irbox("user", "create", "--email", "a@b.c", "--role", "god").returncode == 2
    version = irbox("--version")
    assert version.returncode == 0 and version.stdout.startswith("irbox ")


def test_init_is_idempotent_and_shows_the_login_once(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    first = irbox("init", "--data-dir", data)
    assert first.returncode == 0
    assert "admin@irbox.local" in first.stdout and "password:" in first.stdout
    second = irbox("init", "--data-dir", data)
    assert "first-admin-password" in first.stdout
    assert second.returncode == 0 and "password" not in second.stdout
    assert {p.name for p in (tmp_path / "data").iterdir()} >= {"irbox.db", "attachments", "reports"}


def test_user_and_key_creation(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    irbox("init", "--data-dir", data)
    made = irbox(
        "user",
        "create",
        "--data-dir",
        data,
        "--email",
        "Eve@Example.com",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="correct horse battery staple\n",
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().startswith("user_") and "password" not in made.stdout
    key = irbox("apikey", "create", "--data-dir", data, "--user", "eve@example.com", "--name", "k")
    assert key.returncode == 0, key.stderr
    assert key.stdout.count("\n") == 1 and key.stdout.startswith("irbox_")  # only the token
    dup = irbox(
        "user", "create", "--data-dir", data, "--email", "eve@example.com", "--role", "viewer"
    )
    assert dup.returncode == 1 and dup.stderr.count("\n") == 1 and "email" in dup.stderr
    nobody = irbox(
        "apikey", "create", "--data-dir", data, "--user", "no@example.com", "--name", "k"
    )
    assert nobody.returncode == 1 and "no user" in nobody.stderr
    bad_scope = irbox(
        "apikey",
        "create",
        "--data-dir",
        data,
        "--user",
        "eve@example.com",
        "--name",
        "k",
        "--scopes",
        "alerts:read,root",
    )
    assert bad_scope.returncode == 1 and "scopes" in bad_scope.stderr


def test_cli_key_works_against_the_server(fresh_server: Server) -> None:
    fresh_server.start()
    fresh_server.cli("user", "create", "--email", "ops@example.com", "--role", "analyst")
    token = fresh_server.token("ops@example.com")
    me = httpx.get(fresh_server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "analyst"


def test_list_users_and_keys_and_revoke_a_leaked_key(fresh_server: Server) -> None:
    """What an operator at the machine does when a key leaks and the UI is out of reach."""
    fresh_server.start()
    fresh_server.cli("user", "create", "--email", "fwd@example.com", "--role", "analyst",
                     "--name", "Log Forwarder")  # fmt: skip
    token = fresh_server.token("fwd@example.com", "alerts:write", name="siem")
    users = fresh_server.cli("user", "list").stdout.splitlines()
    assert users[0].split() == ["EMAIL", "ROLE", "STATE", "ID", "NAME"]
    assert [line.split()[:3] for line in users[1:]] == [
        ["fwd@example.com", "analyst", "active"], ["admin@irbox.local", "admin", "active"]
    ]  # fmt: skip
    assert users[1].endswith("Log Forwarder")
    keys = fresh_server.cli("apikey", "list", "--user", "FWD@example.com").stdout.splitlines()
    assert keys[0].split() == ["ID", "OWNER", "SCOPES", "STATE", "LAST", "USED", "NAME"]
    key_id, owner, scopes, state, used, name = keys[1].split()
    assert (owner, scopes, state, used, name) == (
        "fwd@example.com", "alerts:write", "active", "never", "siem"
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    post = httpx.post(fresh_server.url + "/api/v1/alerts", headers=headers, json={})
    assert post.status_code == 400  # the key works (the body does not)

    assert fresh_server.cli("apikey", "revoke", key_id).stdout == f"revoked {key_id} (siem)\n"
    deadline = time.monotonic() + 10  # the server's key cache keeps a lookup up to 5 s
    while (
        httpx.post(fresh_server.url + "/api/v1/alerts", headers=headers, json={}).status_code != 401
    ):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    listed = fresh_server.cli("apikey", "list").stdout
    assert f"{key_id}  fwd@example.com  alerts:write  revoked" in listed
    missing = fresh_server.cli("apikey", "revoke", "key_01J00000000000000000000000", check=False)
    assert missing.returncode == 1 and "no API key" in missing.stderr
    nobody = fresh_server.cli("apikey", "list", "--user", "nobody@example.com", check=False)
    assert (
        nobody.returncode == 1 and nobody.stderr == "irbox: no user with email nobody@example.com\n"
    )


def test_disable_and_enable_a_user_at_the_machine(fresh_server: Server) -> None:
    """An account taken over while the UI is out of reach: the operator disables it, and the
    running server signs it out and refuses its keys (within its caches' 5 s)."""
    fresh_server.start()
    fresh_server.cli("user", "create", "--email", "eve@example.com", "--role", "analyst",
                     "--password-stdin", stdin="eve-password-123\n")  # fmt: skip
    token = fresh_server.token("eve@example.com", "alerts:read", name="eve")
    ui = fresh_server.ui_client("eve@example.com", "eve-password-123")
    headers = {"Authorization": f"Bearer {token}"}
    api = httpx.Client(base_url=fresh_server.url + "/api/v1", headers=headers)

    def key_answers(status: int) -> None:
        deadline = time.monotonic() + 10
        while api.get("/alerts").status_code != status:
            assert time.monotonic() < deadline, f"the key did not answer {status}"
            time.sleep(0.2)

    assert api.get("/alerts").status_code == 200 and ui.get("/alerts").status_code == 200
    disabled = fresh_server.cli("user", "disable", "--email", "EVE@example.com")
    assert disabled.stdout == "disabled eve@example.com\n"
    key_answers(401)
    signed_out = ui.get("/alerts")
    assert signed_out.is_redirect and "/login" in signed_out.headers["location"]
    listed = fresh_server.cli("user", "list").stdout
    assert [line.split()[:3] for line in listed.splitlines() if "eve@" in line] == [
        ["eve@example.com", "analyst", "disabled"]
    ]
    assert fresh_server.cli("user", "enable", "--email", "eve@example.com").stdout == (
        "enabled eve@example.com\n"
    )
    key_answers(200)  # the keys work again; the sessions stay ended (sign in anew)
    assert ui.get("/alerts").is_redirect
    last_admin = fresh_server.cli("user", "disable", "--email", "admin@irbox.local", check=False)
    assert last_admin.returncode == 1 and "at least one active admin" in last_admin.stderr
    nobody = fresh_server.cli("user", "disable", "--email", "nobody@example.com", check=False)
    assert nobody.returncode == 1 and "no user with email" in nobody.stderr


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    r = irbox("init", "--data-dir", data, env={"IRBOX_MAX_UPLOAD_MB": "lots"})
    assert r.returncode == 1 and r.stderr.startswith("irbox: max_upload_mb:")
    assert r.stderr.count("\n") == 1
    conf = tmp_path / "irbox.toml"
    conf.write_text('listen = "nowhere"\n')
    r = irbox("init", "--data-dir", data, "--config", str(conf))
    assert r.returncode == 1 and "listen" in r.stderr
    conf.write_text('colour = "blue"\n')
    r = irbox("init", "--data-dir", data, "--config", str(conf))
    assert r.returncode == 1 and "colour" in r.stderr
    r = irbox("init", "--config", str(tmp_path / "missing.toml"))
    assert r.returncode == 1 and "not found" in r.stderr


def test_commands_need_an_initialised_data_dir(tmp_path: Path) -> None:
    r = irbox(
        "apikey", "create", "--data-dir", str(tmp_path / "x"), "--user", "a@b.c", "--name", "k"
    )
    assert r.returncode == 1 and "irbox init" in r.stderr


def test_reset_password(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    irbox("init", "--data-dir", data)
    r = irbox("user", "reset-password", "--data-dir", data, "--email", "admin@irbox.local")
    assert r.returncode == 0 and r.stdout.startswith("password: ")
    from irbox.config import Config
    from irbox.identity.auth_cache import AuthCache
    from irbox.identity.users import UserService
    from irbox.store.sqlite.database import SqliteDatabase as Database
    from irbox.store.sqlite.writer import open_writer as Writer

    cfg = Config(data_dir=data)
    users = UserService(Database(cfg.db_path), Writer(cfg.db_path), AuthCache())
    new_password = r.stdout.split(": ", 1)[1].strip()
    signed_in = asyncio.run(users.sign_in("admin@irbox.local", new_password, None))
    assert signed_in.role == "admin"
    r = irbox(
        "user",
        "reset-password",
        "--data-dir",
        data,
        "--email",
        "admin@irbox.local",
        "--password-stdin",
        stdin="short\n",
    )
    assert r.returncode == 1 and "password" in r.stderr
    r = irbox("user", "reset-password", "--data-dir", data, "--email", "nobody@x.y")
    assert r.returncode == 1 and "no user" in r.stderr


def test_serve_refuses_a_port_already_listened_on(tmp_path: Path) -> None:
    """Granian binds with SO_REUSEPORT, which would let a second server share the port (the
    kernel splitting clients between two data dirs): serve checks first, before it initialises
    (a first login printed by a server that then fails to start would be lost)."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as Granian binds
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = irbox("serve", "--data-dir", str(tmp_path / "d"), "--listen", f"127.0.0.1:{port}")
    assert r.returncode == 1 and "already in use" in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) == 1 and "password" not in r.stdout
    assert not (tmp_path / "d" / "irbox.db").exists()


def test_the_first_password_waits_in_a_private_file_not_the_journal(tmp_path: Path) -> None:
    """Under systemd what `serve` prints stays in the journal: the generated password goes to a
    0600 file in the data dir instead, and is gone once the admin changes it."""
    data = tmp_path / "data"
    first = irbox("init", "--data-dir", str(data))
    written = data / "first-admin-password"
    password = written.read_text().strip()
    assert len(password) >= 12 and password not in first.stdout
    assert written.stat().st_mode & 0o777 == 0o600
    assert f"cat {written}" in first.stdout
    # The commands it prints work as printed: here, `python -m irbox`.
    assert f"{sys.executable} -m irbox apikey create" in first.stdout
    r = irbox("user", "reset-password", "--data-dir", str(data), "--email", "admin@irbox.local")
    assert r.returncode == 0 and not written.exists()
