"""A real OpenLDAP server (Debian's `slapd`) for the directory sign-in tests: started on
127.0.0.1 on free ports (ldap:// with StartTLS, and ldaps://) with a CA and server certificate
made here, a small directory loaded through the root DN, stopped at the end."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import ldap3

from tests.certificates import make_certificates
from tests.harness import free_port

SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=example,dc=org"
ROOT_DN, ROOT_PASSWORD = f"cn=admin,{SUFFIX}", "root-secret"
SERVICE_DN, SERVICE_PASSWORD = f"cn=irbox-svc,{SUFFIX}", "service-secret"
ADMINS, ANALYSTS = f"cn=irbox-admins,ou=groups,{SUFFIX}", f"cn=irbox-analysts,ou=groups,{SUFFIX}"

CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
TLSCACertificateFile {dir}/ca.pem
TLSCertificateFile {dir}/server.pem
TLSCertificateKeyFile {dir}/server.key
database mdb
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {dir}/db
access to attrs=userPassword by anonymous auth by self write by * none
access to * by users read by * none
"""


def person(uid: str, mail: str, password: str) -> tuple[str, dict[str, object]]:
    dn = f"uid={uid},ou=people,{SUFFIX}"
    attrs = {"objectClass": ["inetOrgPerson"], "cn": uid.title(), "sn": uid, "mail": mail,
             "userPassword": password}  # fmt: skip
    return dn, attrs


class Directory:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port, self.tls_port = free_port(), free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    @property
    def ca_file(self) -> Path:
        return self.root / "ca.pem"

    def start(self) -> Directory:
        assert Path(SLAPD).exists(), "Debian's slapd is missing: make test installs it"
        (self.root / "db").mkdir(parents=True)
        make_certificates(self.root)
        config = self.root / "slapd.conf"
        config.write_text(CONFIG.format(dir=self.root, suffix=SUFFIX, root_dn=ROOT_DN,
                                         root_password=ROOT_PASSWORD))  # fmt: skip
        urls = f"{self.url}/ {self.tls_url}/"
        log = open(self.root / "slapd.log", "wb")  # noqa: SIM115 - kept for the child's lifetime
        # -d keeps slapd in the foreground, so that stop() reaches it.
        self.proc = subprocess.Popen([SLAPD, "-h", urls, "-f", str(config), "-d", "0"],
                                     stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                self._load()
                return self
            except ldap3.core.exceptions.LDAPException:
                assert self.proc.poll() is None, (self.root / "slapd.log").read_text()
                assert time.monotonic() < deadline, "slapd did not start"
                time.sleep(0.1)

    def admin(self) -> ldap3.Connection:
        return ldap3.Connection(ldap3.Server(self.url), ROOT_DN, ROOT_PASSWORD, auto_bind=True)

    def _load(self) -> None:
        with self.admin() as conn:
            entries = [
                (SUFFIX, {"objectClass": ["dcObject", "organization"], "o": "Example",
                          "dc": "example"}),
                (f"ou=people,{SUFFIX}", {"objectClass": ["organizationalUnit"], "ou": "people"}),
                (f"ou=groups,{SUFFIX}", {"objectClass": ["organizationalUnit"], "ou": "groups"}),
                (SERVICE_DN, {"objectClass": ["organizationalRole", "simpleSecurityObject"],
                              "cn": "irbox-svc", "userPassword": SERVICE_PASSWORD}),
                person("ana", "ana@example.org", "ana-password"),
                person("bob", "bob@example.org", "bob-password"),
                person("carl", "carl@example.org", "carl-password"),
                (ADMINS, {"objectClass": ["groupOfNames"], "cn": "irbox-admins",
                          "member": [f"uid=ana,ou=people,{SUFFIX}"]}),
                (ANALYSTS, {"objectClass": ["groupOfNames"], "cn": "irbox-analysts",
                            "member": [f"uid=bob,ou=people,{SUFFIX}",
                                       # groupOfNames needs a member when bob leaves
                                       f"uid=left-long-ago,ou=people,{SUFFIX}"]}),
            ]  # fmt: skip
            for dn, attrs in entries:
                attrs = dict(attrs)
                classes = attrs.pop("objectClass")
                assert conn.add(dn, classes, attrs), conn.result

    def leave_group(self, group_dn: str, member_dn: str) -> None:
        with self.admin() as conn:
            change = {"member": [(ldap3.MODIFY_DELETE, [member_dn])]}
            assert conn.modify(group_dn, change), conn.result

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        shutil.rmtree(self.root / "db", ignore_errors=True)
