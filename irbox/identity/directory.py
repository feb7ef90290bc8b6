"""LDAP / Active Directory sign-in (ldap3): search-and-bind.

The service account (`ldap_bind_dn`) finds the one entry matching `ldap_user_filter` under
`ldap_user_base`; a bind as that entry with the password typed proves it; the groups of
`ldap_group_roles` that list the entry as a member (`member` or `uniqueMember`, read from each
group itself, so neither AD's `memberOf` nor OpenLDAP's memberof overlay is needed) give the
role, the strongest one if several. No group: no access. Everything is read again at each
sign-in, and between sign-ins by the review (`directory_review.py`).

The directory is asked over TLS when the URL is `ldaps://` or `ldap_starttls` is set, the
certificate checked against `ldap_ca_file` (or the system's CAs). An unreachable or
misconfigured directory is `DirectoryUnavailable`, never a wrong password: the sign-in page
says so, one log line says why, and local accounts keep signing in."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ldap3
import msgspec
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from irbox.config import Config
from irbox.errors import Forbidden, StorageUnavailable, Unauthorized

log = logging.getLogger("irbox.directory")

STRENGTH = ("viewer", "analyst", "admin")  # weakest first: several groups give the strongest
CONNECT_TIMEOUT_S, ANSWER_TIMEOUT_S = 5, 10


class DirectoryUnavailable(StorageUnavailable):
    """The directory could not be asked (down, refused TLS, the service account refused): a
    store of users irbox depends on is unavailable, as a 503."""


class NotInAGroup(Forbidden):
    """The directory knows the user and the password, but none of their groups is mapped."""


class DirectoryUser(msgspec.Struct, frozen=True):
    dn: str
    email: str
    name: str
    role: str | None  # None: in no group irbox maps


class Directory:
    def __init__(self, config: Config) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.ldap_url)

    def authenticate(self, email: str, password: str) -> DirectoryUser:
        """The directory's user for this address and password (blocking: call off the event
        loop). Unauthorized for an unknown address or a wrong password."""
        if not password:  # an empty password is an anonymous bind, which "succeeds"
            raise Unauthorized("wrong email or password")
        with self._service_search() as search:
            found = self._find(search, email)
            if found is None:
                raise Unauthorized("wrong email or password")
            dn, attributes = found
            self._connection(dn, password, as_user=True).unbind()  # the password proven
            role = self._role(search, dn)
        mail = attributes.get("mail") or [email]
        name = attributes.get("displayName") or attributes.get("cn") or [""]
        return DirectoryUser(dn, str(mail[0]).lower(), str(name[0]), role)

    def roles_of(self, emails: list[str]) -> dict[str, str | None]:
        """The role each address's entry has now (None: in no mapped group, or no longer in
        the directory), asked with the service account (blocking)."""
        with self._service_search() as search:
            roles: dict[str, str | None] = {}
            for email in emails:
                found = self._find(search, email)
                roles[email] = self._role(search, found[0]) if found else None
            return roles

    @contextmanager
    def _service_search(self) -> Iterator[ldap3.Connection]:
        """The service account's connection, unbound after; an LDAP failure inside is the
        directory being unavailable."""
        try:
            search = self._connection(self.config.ldap_bind_dn or None, self._service_password())
            try:
                yield search
            finally:
                search.unbind()
        except LDAPException as exc:
            raise self._unavailable(f"{type(exc).__name__}: {exc}") from None

    def _service_password(self) -> str | None:
        path = self.config.ldap_bind_password_file
        if not path:
            return None
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise self._unavailable(f"cannot read ldap_bind_password_file: {exc}") from None

    def _connection(
        self, dn: str | None, password: str | None, as_user: bool = False
    ) -> ldap3.Connection:
        cfg = self.config
        tls = ldap3.Tls(ca_certs_file=cfg.ldap_ca_file or None, validate=ssl.CERT_REQUIRED)
        server = ldap3.Server(cfg.ldap_url, use_ssl=cfg.ldap_url.startswith("ldaps://"), tls=tls,
                              connect_timeout=CONNECT_TIMEOUT_S, get_info=ldap3.NONE)  # fmt: skip
        conn = ldap3.Connection(
            server, user=dn, password=password, receive_timeout=ANSWER_TIMEOUT_S
        )
        conn.open()
        if cfg.ldap_starttls and not conn.start_tls():
            raise self._unavailable(f"StartTLS refused: {conn.result}")
        if not conn.bind():
            conn.unbind()
            if as_user:
                raise Unauthorized("wrong email or password")
            raise self._unavailable(f"the service account's bind was refused: {conn.result}")
        return conn

    def _find(
        self, conn: ldap3.Connection, email: str
    ) -> tuple[str, dict[str, list[object]]] | None:
        cfg = self.config
        query = cfg.ldap_user_filter.replace("{email}", escape_filter_chars(email.strip()))
        attributes = ["mail", "cn", "displayName"]
        searched = conn.search(
            cfg.ldap_user_base, query, ldap3.SUBTREE, attributes=attributes, size_limit=2
        )
        # Not found is an answer (32: no such object); anything else is the directory's fault.
        if not searched and conn.result.get("result") not in (0, 4, 32):
            raise self._unavailable(f"the user search failed: {conn.result}")
        entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        if len(entries) != 1:
            if entries:
                log.warning("directory: %d entries match %s; refused", len(entries), query)
            return None
        entry = entries[0]
        return entry["dn"], {k: list(v) if isinstance(v, list) else [v]
                             for k, v in entry["attributes"].items() if v}  # fmt: skip

    def _role(self, conn: ldap3.Connection, dn: str) -> str | None:
        member = escape_filter_chars(dn)
        query = f"(|(member={member})(uniqueMember={member}))"
        roles = [
            role
            for group, role in self.config.ldap_group_roles.items()
            if conn.search(group, query, ldap3.BASE, attributes=["cn"]) and conn.response
        ]
        return max(roles, key=STRENGTH.index) if roles else None

    def _unavailable(self, why: str) -> DirectoryUnavailable:
        log.warning("asking the directory failed at %s: %s", self.config.ldap_url, why)
        return DirectoryUnavailable("the directory cannot be asked now", {"directory": why})
