"""LDAP / Active Directory sign-in against a real OpenLDAP server (Debian's slapd, started by
the tests with a small directory): search-and-bind with a service account over ldaps:// or
StartTLS checked against a CA file, roles from groups re-read at each sign-in (out of the
groups: no access) and between sign-ins by the review (sessions and keys follow), and a
directory that is down or misconfigured says so while local accounts keep signing in."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from irbox.config import ConfigError, load_config
from tests.directory import ADMINS, ANALYSTS, SERVICE_DN, SERVICE_PASSWORD, SUFFIX, Directory
from tests.harness import Server

BOB_DN = f"uid=bob,ou=people,{SUFFIX}"
ANA_DN = f"uid=ana,ou=people,{SUFFIX}"
GONE_DN = f"uid=left-long-ago,ou=people,{SUFFIX}"


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    d = Directory(tmp_path_factory.mktemp("slapd")).start()
    yield d
    d.stop()


def _configure(server: Server, directory: Directory, **overrides: str) -> Server:
    secret = server.data_dir.parent / "ldap-password"
    secret.write_text(SERVICE_PASSWORD + "\n")
    env = {
        "IRBOX_LDAP_URL": directory.tls_url,
        "IRBOX_LDAP_CA_FILE": str(directory.ca_file),
        "IRBOX_LDAP_BIND_DN": SERVICE_DN,
        "IRBOX_LDAP_BIND_PASSWORD_FILE": str(secret),
        "IRBOX_LDAP_USER_BASE": f"ou=people,{SUFFIX}",
        "IRBOX_LDAP_GROUP_ROLES": json.dumps({ADMINS: "admin", ANALYSTS: "analyst"}),
    }
    server.env.update({**env, **overrides})
    return server.start()


def _sign_in(server: Server, email: str, password: str) -> tuple[httpx.Response, httpx.Client]:
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/login").text
    token = page.split('name="login_token" value="', 1)[1].split('"', 1)[0]
    form = {"email": email, "password": password, "login_token": token}
    return client.post("/login", data=form), client


def _users(server: Server) -> dict[str, dict[str, object]]:
    with server.client(server.token()) as api:
        return {u["email"]: u for u in api.get("/users").json()["items"]}


def test_directory_users_sign_in_with_the_role_of_their_group(
    fresh_server: Server, directory: Directory
) -> None:
    server = _configure(fresh_server, directory)
    answer, ana = _sign_in(server, "ana@example.org", "ana-password")
    assert answer.is_redirect and answer.headers["location"] == "/alerts"
    assert "Ana · admin" in ana.get("/alerts").text
    answer, _ = _sign_in(server, "BOB@example.org", "bob-password")  # as people type it
    assert answer.is_redirect
    users = _users(server)
    assert users["ana@example.org"]["role"] == "admin"
    assert users["bob@example.org"]["role"] == "analyst"
    assert users["bob@example.org"]["source"] == "directory"
    assert users["admin@irbox.local"]["source"] == "local"
    for email, password in [("ana@example.org", "wrong"), ("nobody@example.org", "x"),
                            ("ana@example.org", ""), ("*", "ana-password"),
                            ("ana@example.org)(|(mail=*", "ana-password")]:  # fmt: skip
        refused, _ = _sign_in(server, email, password)
        assert refused.status_code == 401 and "Wrong email or password" in refused.text
    # In no group: no access, though the password is right.
    refused, _ = _sign_in(server, "carl@example.org", "carl-password")
    assert refused.status_code == 403 and "no group that gives access" in refused.text
    # The password lives in the directory, not here.
    reset = server.cli("user", "reset-password", "--email", "bob@example.org", check=False)
    assert reset.returncode != 0 and "signs in with the directory" in reset.stderr


def test_roles_are_read_again_at_each_sign_in(fresh_server: Server, directory: Directory) -> None:
    server = _configure(fresh_server, directory)
    _, bob = _sign_in(server, "bob@example.org", "bob-password")
    assert bob.get("/alerts").status_code == 200
    admin = server.ui_client("admin@irbox.local", server.first_password)
    assert 'bob@example.org <span class="badge">directory</span>' in admin.get("/settings").text
    directory.leave_group(ANALYSTS, BOB_DN)
    try:
        refused, _ = _sign_in(server, "bob@example.org", "bob-password")
        assert refused.status_code == 403
        assert bob.get("/alerts").headers["location"] == "/login"  # the open session ended too
    finally:
        with directory.admin() as conn:
            conn.modify(ANALYSTS, {"member": [(0, [BOB_DN])]})  # MODIFY_ADD: back in


def _until(check: object, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the review's time"
        time.sleep(0.2)


def test_the_review_ends_access_between_sign_ins_and_restores_it(
    fresh_server: Server, directory: Directory
) -> None:
    server = _configure(fresh_server, directory, IRBOX_LDAP_REVIEW_EVERY_S="1")
    assert _sign_in(server, "ana@example.org", "ana-password")[0].is_redirect
    _, bob_session = _sign_in(server, "bob@example.org", "bob-password")
    with (
        server.client(server.token("bob@example.org")) as bob,
        server.client(server.token("ana@example.org")) as ana,
    ):
        assert bob.get("/alerts").status_code == 200 and ana.get("/users").status_code == 200
        directory.leave_group(ANALYSTS, BOB_DN)
        with directory.admin() as conn:  # ana: from the admins to the analysts
            conn.modify(ANALYSTS, {"member": [(0, [ANA_DN])]})
            conn.modify(ADMINS, {"member": [(0, [GONE_DN])]})  # groupOfNames needs a member
        directory.leave_group(ADMINS, ANA_DN)
        try:
            _until(lambda: bob.get("/alerts").status_code == 401)  # no sign-in needed
            assert bob_session.get("/alerts").headers["location"] == "/login"
            _until(lambda: ana.get("/users").status_code == 403)  # her key follows her role
            assert ana.get("/alerts").status_code == 200
            users = _users(server)
            assert users["bob@example.org"]["disabled"] is True
            assert users["ana@example.org"]["role"] == "analyst"
        finally:
            with directory.admin() as conn:  # MODIFY_ADD: both back where they were
                conn.modify(ANALYSTS, {"member": [(0, [BOB_DN])]})
                conn.modify(ADMINS, {"member": [(0, [ANA_DN])]})
            directory.leave_group(ANALYSTS, ANA_DN)
        _until(lambda: bob.get("/alerts").status_code == 200)  # mapped again: restored
        assert _users(server)["bob@example.org"]["disabled"] is False


def test_the_review_never_takes_the_last_active_admin(
    fresh_server: Server, directory: Directory
) -> None:
    server = _configure(fresh_server, directory, IRBOX_LDAP_REVIEW_EVERY_S="1")
    assert _sign_in(server, "ana@example.org", "ana-password")[0].is_redirect
    with server.client(server.token("ana@example.org")) as ana:
        local = _users(server)["admin@irbox.local"]["id"]
        assert ana.patch(f"/users/{local}", json={"disabled": True}).status_code == 200
        with directory.admin() as conn:  # groupOfNames needs a member
            conn.modify(ADMINS, {"member": [(0, [GONE_DN])]})
        directory.leave_group(ADMINS, ANA_DN)
        try:
            _until(lambda: "last active admin" in server.log_path.read_text())
            assert ana.get("/users").status_code == 200  # left as she was: irbox keeps an admin
        finally:
            with directory.admin() as conn:
                conn.modify(ADMINS, {"member": [(0, [ANA_DN])]})


def test_starttls_with_the_ca_file(fresh_server: Server, directory: Directory) -> None:
    server = _configure(fresh_server, directory, IRBOX_LDAP_URL=directory.url,
                        IRBOX_LDAP_STARTTLS="true")  # fmt: skip
    answer, _ = _sign_in(server, "ana@example.org", "ana-password")
    assert answer.is_redirect and answer.headers["location"] == "/alerts"


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"IRBOX_LDAP_URL": "ldaps://127.0.0.1:9"}, id="unreachable"),
        pytest.param({"IRBOX_LDAP_BIND_DN": f"cn=nobody,{SUFFIX}"}, id="service-account-refused"),
        pytest.param({"IRBOX_LDAP_CA_FILE": "/etc/ssl/certs/ca-certificates.crt"}, id="wrong-ca"),
    ],
)
def test_a_broken_directory_says_so_and_local_admins_still_sign_in(
    fresh_server: Server, directory: Directory, broken: dict[str, str]
) -> None:
    server = _configure(fresh_server, directory, **broken)
    refused, _ = _sign_in(server, "ana@example.org", "ana-password")
    assert refused.status_code == 503 and "directory cannot be reached" in refused.text
    logged = server.log_path.read_text().count("asking the directory failed")
    assert logged == 1  # one line saying why
    local = server.ui_client("admin@irbox.local", server.first_password)
    assert local.get("/alerts").status_code == 200


def test_the_configuration_is_checked_at_start(tmp_path: Path) -> None:
    base = {"ldap_url": "ldaps://dc.example.org", "ldap_user_base": "dc=example,dc=org",
            "ldap_group_roles": {"cn=x": "admin"}}  # fmt: skip
    assert load_config(overrides=base, environ={}).ldap_url
    for bad, message in [
        ({"ldap_url": "http://dc"}, "ldap_url"),
        ({"ldap_user_base": ""}, "ldap_user_base"),
        ({"ldap_group_roles": {"cn=x": "root"}}, "ldap_group_roles"),
        ({"ldap_user_filter": "(uid=x)"}, "ldap_user_filter"),
        ({"ldap_starttls": True}, "ldap_starttls"),
        ({"ldap_bind_dn": "cn=svc"}, "ldap_bind_dn"),
        ({"ldap_ca_file": str(tmp_path / "missing.pem")}, "ldap_ca_file"),
    ]:
        with pytest.raises(ConfigError, match=message):
            load_config(overrides={**base, **bad}, environ={})
