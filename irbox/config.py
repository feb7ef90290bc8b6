"""Configuration: defaults, then a TOML file, then `IRBOX_<KEY>` environment variables.

Every key is validated at start; a bad value raises `ConfigError` whose message is one line naming
the key, which the CLI prints before exiting with status 1.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import socket
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

LOG_LEVELS = ("debug", "info", "warning", "error")


class ConfigError(Exception):
    """A configuration value is missing, malformed or out of range."""


class Config(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: str = "./data"
    listen: str = "127.0.0.1:8080"
    public_url: str = "http://127.0.0.1:8080"
    max_upload_mb: int = 50
    rate_limit_per_minute: int = 6000
    rate_limit_burst: int = 1000
    webhook_timeout_s: float = 10.0
    webhook_retry_base_s: float = 30.0
    webhook_retry_max_age_h: float = 24.0
    # Classes of addresses webhooks may not point at: link-local (with cloud metadata),
    # loopback, private (see irbox.webhooks.targets).
    webhook_refused_targets: list[str] = msgspec.field(default_factory=lambda: ["link-local"])
    license_file: str = ""  # empty means <data_dir>/license.json
    license_public_keys: list[str] = []
    log_level: str = "info"
    header_timeout_s: float = 10.0  # a connection that has not sent its headers by then is closed
    # A request with an Idempotency-Key is in flight (a retry on any node is refused) this long
    # after its node last said so: every quarter of it while the request runs. A node that died
    # with one in flight holds the key this long, then a retry runs.
    idempotency_lease_s: float = 120.0
    metrics_listen: str = ""  # HOST:PORT serving /metrics without a token; empty: off
    # The source of truth: empty, SQLite in the data dir; "postgresql://user@host:5432/db",
    # PostgreSQL 15+ (the password, if one is needed, in database_password_file or ~/.pgpass).
    database_url: str = ""
    database_password_file: str = ""
    index_flush_ms: int = 250
    index_memory_mb: int = 192
    trusted_proxies: list[str] = []  # addresses or networks whose X-Forwarded-For is believed
    require_mfa: bool = False  # every user must set up two-factor sign-in (API keys unaffected)
    # LDAP / Active Directory sign-in (irbox.identity.directory); empty ldap_url: off.
    ldap_url: str = ""  # ldap://host:389 or ldaps://host:636
    ldap_starttls: bool = False
    ldap_ca_file: str = ""  # PEM CA to verify the directory's certificate; empty: the system's
    ldap_bind_dn: str = ""  # the service account that searches for users
    ldap_bind_password_file: str = ""
    ldap_user_base: str = ""
    ldap_user_filter: str = "(mail={email})"
    ldap_group_roles: dict[str, str] = {}  # group DN -> admin, analyst or viewer
    # How often directory users' groups are read again between sign-ins (0: only at sign-in).
    ldap_review_every_s: float = 300.0
    # E-mail notifications through an SMTP relay (irbox.notifications.mail); empty host: off.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ca_file: str = ""  # PEM CA to verify the relay's certificate; empty: the system's
    smtp_username: str = ""  # empty: no AUTH
    smtp_password_file: str = ""
    smtp_from: str = ""  # e.g. "irbox <irbox@example.org>"
    # Evidence files in S3-compatible storage (irbox.store.blobs): the endpoint and the bucket,
    # "https://s3.example.org/irbox-evidence" (a path after the bucket is a key prefix); empty:
    # in the data dir. Several nodes need it (docs/scale-out.md).
    blob_url: str = ""
    blob_access_key_id: str = ""
    blob_secret_key_file: str = ""  # 0600, the secret access key
    blob_region: str = ""
    # An object no attachment holds any more is deleted only once it is this old: an upload on
    # another node may be about to record it.
    blob_grace_s: int = 3600

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def db_path(self) -> Path:
        return self.data_path / "irbox.db"

    @property
    def index_path(self) -> Path:
        return self.data_path / "index.duckdb"

    @property
    def license_path(self) -> Path:
        return Path(self.license_file) if self.license_file else self.data_path / "license.json"

    @property
    def listen_host(self) -> str:
        return split_listen(self.listen)[0]

    @property
    def listen_port(self) -> int:
        return split_listen(self.listen)[1]

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


KEYS: dict[str, Any] = {f: Config.__annotations__[f] for f in Config.__struct_fields__}


def split_listen(value: str, key: str = "listen") -> tuple[str, int]:
    """The address to bind and the port. Granian binds IP addresses only, so a host name
    (`localhost:8080`) is resolved here, IPv4 first: a name that does not resolve stops start-up
    with one line, not a traceback."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{key}: expected HOST:PORT, got {value!r}")
    return _bind_address(host.strip("[]"), key), int(port)


@functools.lru_cache(maxsize=16)
def _bind_address(host: str, key: str) -> str:
    """An IP address as it is; a name resolved once per process (validation, the address check
    and Granian all ask for it)."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ConfigError(f"{key}: cannot resolve the host name {host!r}") from None
    found.sort(key=lambda info: info[0] != socket.AF_INET)
    return str(found[0][4][0])


def _from_env(key: str, raw: str) -> Any:
    """Environment values are strings; lists are comma-separated."""
    if KEYS[key] == "list[str]":
        return [item.strip() for item in raw.split(",") if item.strip()]
    if KEYS[key] == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{key}: expected an integer, got {raw!r}") from None
    if KEYS[key] == "float":
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{key}: expected a number, got {raw!r}") from None
    if KEYS[key] == "dict[str, str]":  # JSON, since DNs hold commas and equal signs
        try:
            value = json.loads(raw)
        except ValueError:
            raise ConfigError(f"{key}: expected a JSON object, got {raw!r}") from None
        return value
    if KEYS[key] == "bool":
        if raw.strip().lower() not in BOOLEANS:
            raise ConfigError(f"{key}: expected true or false, got {raw!r}")
        return BOOLEANS[raw.strip().lower()]
    return raw


BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _check(cfg: Config) -> None:
    split_listen(cfg.listen)
    if cfg.metrics_listen:
        split_listen(cfg.metrics_listen, "metrics_listen")
    if not cfg.public_url.startswith(("http://", "https://")):
        raise ConfigError(f"public_url: expected an http(s) URL, got {cfg.public_url!r}")
    positive: tuple[str, ...] = ("max_upload_mb", "rate_limit_per_minute", "rate_limit_burst")
    positive += ("index_flush_ms",)
    positive += ("index_memory_mb", "header_timeout_s")
    positive += ("webhook_timeout_s", "webhook_retry_base_s", "webhook_retry_max_age_h")
    for key in positive:
        if getattr(cfg, key) <= 0:
            raise ConfigError(f"{key}: must be greater than 0, got {getattr(cfg, key)!r}")
    if cfg.idempotency_lease_s < 1:
        raise ConfigError(f"idempotency_lease_s: at least 1 second, got {cfg.idempotency_lease_s}")
    _check_database(cfg)
    if cfg.log_level not in LOG_LEVELS:
        raise ConfigError(f"log_level: expected one of {', '.join(LOG_LEVELS)}")
    if not cfg.data_dir:
        raise ConfigError("data_dir: must not be empty")
    proxy_networks(cfg.trusted_proxies)
    _check_directory(cfg)
    _check_mail(cfg)
    _check_blobs(cfg)
    for kind in cfg.webhook_refused_targets:
        if kind not in ("link-local", "loopback", "private"):
            raise ConfigError(
                f"webhook_refused_targets: {kind!r} is not one of link-local, loopback, private"
            )


def _paired_and_present(cfg: Config, pair: tuple[str, str], ca_key: str) -> None:
    """A login and its password file come together; the files named exist (read at use)."""
    login, password_file = pair
    if bool(getattr(cfg, login)) != bool(getattr(cfg, password_file)):
        raise ConfigError(f"{login} and {password_file}: set both or neither")
    for path_key in (ca_key, password_file):
        path = getattr(cfg, path_key)
        if path and not Path(path).is_file():
            raise ConfigError(f"{path_key}: no such file {path!r}")


def _check_database(cfg: Config) -> None:
    url = cfg.database_url
    if not url:
        if cfg.database_password_file:
            raise ConfigError("database_password_file: only with a postgresql:// database_url")
        return
    parsed = urlsplit(url)
    if parsed.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"database_url: expected postgresql://…, got a {parsed.scheme}: URL")
    if parsed.password is not None:
        raise ConfigError(
            "database_url: holds a password; put it in database_password_file (0600) instead"
        )


def _check_mail(cfg: Config) -> None:
    if not cfg.smtp_host:
        return
    if not cfg.smtp_from or "@" not in cfg.smtp_from:
        raise ConfigError("smtp_from: needed with smtp_host, an address mail is sent from")
    if not 0 < cfg.smtp_port < 65536:
        raise ConfigError(f"smtp_port: expected 1-65535, got {cfg.smtp_port}")
    _paired_and_present(cfg, ("smtp_username", "smtp_password_file"), "smtp_ca_file")


def _check_blobs(cfg: Config) -> None:
    if not cfg.blob_url:
        if cfg.blob_access_key_id or cfg.blob_secret_key_file:
            raise ConfigError("blob_access_key_id, blob_secret_key_file: only with blob_url")
        return
    parsed = urlsplit(cfg.blob_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"blob_url: expected https://host/bucket, got {cfg.blob_url!r}")
    if not parsed.path.strip("/"):
        raise ConfigError("blob_url: name the bucket (https://host/bucket)")
    if parsed.username or parsed.password:
        raise ConfigError(
            "blob_url: holds credentials; use blob_access_key_id and blob_secret_key_file"
        )
    if not (cfg.blob_access_key_id and cfg.blob_secret_key_file):
        raise ConfigError("blob_access_key_id and blob_secret_key_file: needed with blob_url")
    if not Path(cfg.blob_secret_key_file).is_file():
        raise ConfigError(f"blob_secret_key_file: no such file {cfg.blob_secret_key_file!r}")
    if cfg.blob_grace_s < 0:
        raise ConfigError("blob_grace_s: 0 or more seconds")


def _check_directory(cfg: Config) -> None:
    if not cfg.ldap_url:
        return
    if not cfg.ldap_url.startswith(("ldap://", "ldaps://")):
        raise ConfigError(f"ldap_url: expected ldap:// or ldaps://, got {cfg.ldap_url!r}")
    if cfg.ldap_starttls and cfg.ldap_url.startswith("ldaps://"):
        raise ConfigError("ldap_starttls: ldaps:// is TLS already; use one or the other")
    if not cfg.ldap_user_base:
        raise ConfigError("ldap_user_base: needed with ldap_url (where users are searched)")
    if "{email}" not in cfg.ldap_user_filter:
        raise ConfigError("ldap_user_filter: must contain {email}")
    _paired_and_present(cfg, ("ldap_bind_dn", "ldap_bind_password_file"), "ldap_ca_file")
    for group, role in cfg.ldap_group_roles.items():
        if role not in ("admin", "analyst", "viewer"):
            raise ConfigError(f"ldap_group_roles: {group!r} maps to {role!r}, not a role")
    if not cfg.ldap_group_roles:
        raise ConfigError("ldap_group_roles: needed with ldap_url (no group, no access)")
    if cfg.ldap_review_every_s < 0:
        raise ConfigError("ldap_review_every_s: 0 (only at sign-in) or more seconds")


def proxy_networks(values: list[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`trusted_proxies` as networks (a single address is a /32 or /128)."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ConfigError(f"trusted_proxies: not an IP address or network: {value!r}") from None
    return tuple(networks)


def load_config(
    path: str | os.PathLike[str] | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """Build the effective config; `overrides` (from CLI flags) win over everything else."""
    environ = dict(os.environ) if environ is None else environ
    values: dict[str, Any] = {}
    path = path or environ.get("IRBOX_CONFIG") or None
    if path:
        try:
            with open(path, "rb") as fh:
                values.update(tomllib.load(fh))
        except FileNotFoundError:
            raise ConfigError(f"config: file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config: {path} is not valid TOML: {exc}") from None
        for key in values:
            if key not in KEYS:
                raise ConfigError(f"{key}: unknown configuration key in {path}")
    for key in KEYS:
        env_value = environ.get(f"IRBOX_{key.upper()}")
        if env_value is not None:
            values[key] = _from_env(key, env_value)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if "public_url" not in values and "listen" in values:
        # Unset public_url follows the listen address, so links work on a first try.
        values["public_url"] = f"http://{values['listen']}"
    try:
        cfg = msgspec.convert(values, Config, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(_key_message(str(exc))) from None
    _check(cfg)
    return cfg


def _key_message(message: str) -> str:
    # msgspec says "Expected `int`, got `str` - at `$.max_upload_mb`": lead with the key.
    text, _, where = message.partition(" - at `$.")
    key = where.split("`")[0].split("[")[0]
    return f"{key}: {text}" if key else message
