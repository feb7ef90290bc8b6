"""Observable types and the normalisation of their values, shared by ingest and search so that the
same thing written two ways (`EXAMPLE.com.`, `example.com`) is one observable."""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import idna

TYPES = (
    "ip",
    "domain",
    "url",
    "hash",
    "email",
    "hostname",
    "user",
    "filename",
    "file_path",
    "registry_key",
    "process",
    "user_agent",
    "other",
)
MAX_VALUE = 4096
HASH_LENGTHS = (32, 40, 64, 128)
_HEX = re.compile(r"^[0-9a-f]+$")
# Real-world host names carry underscores (`_dmarc`, NetBIOS names), so they are allowed.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")  # one match for the whole name


def normalize(kind: str, value: str) -> str:
    """Return the canonical form of `value`, or raise ValueError saying what is wrong."""
    if len(value) <= CACHED_CHARS:
        return _recent(kind, value)
    return _normalize(kind, value)


def _normalize(kind: str, value: str) -> str:
    if kind not in TYPES:
        raise ValueError(f"unknown observable type; known: {' '.join(TYPES)}")
    if len(value) > MAX_VALUE:  # as sent: the rule the API documents
        raise ValueError(f"at most {MAX_VALUE} characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if kind in DEFANGED_TYPES:
        value = refang(value)
    normalizer = _NORMALIZERS.get(kind)
    return normalizer(value) if normalizer else value


# How threat reports and chat write indicators so that nobody clicks them: `hxxp://`,
# `evil[.]example(.)com`, `user[@]example.com`, `10.0.0.1[:]8080`.
_DEFANGS = (
    (re.compile(r"^hxxp(s?)(?=\[?:)", re.IGNORECASE), r"http\1"),
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]", re.IGNORECASE), "."),
    (re.compile(r"\[@\]|\(@\)|\[at\]", re.IGNORECASE), "@"),
    (re.compile(r"\[:\]|\[://\]"), lambda m: m.group(0)[1:-1]),
)
DEFANGED_TYPES = frozenset({"ip", "domain", "hostname", "email", "url"})


def defang(kind: str, value: str) -> str:
    """A value written so that nobody follows it by accident, as reports may show them:
    `https://evil.example/x` -> `hxxps://evil[.]example/x`, `a@b.example` -> `a[@]b[.]example`.
    `refang` gives the value back."""
    if kind not in DEFANGED_TYPES:
        return value
    value = re.sub(r"^http(s?)(?=://)", r"hxxp\1", value, flags=re.IGNORECASE)
    if kind == "url":  # dots of the host only: a path's dots stay readable
        scheme, sep, rest = value.partition("://")
        host, slash, path = rest.partition("/")
        return scheme + sep + host.replace(".", "[.]").replace("@", "[@]") + slash + path
    return value.replace(".", "[.]").replace("@", "[@]")


def refang(value: str) -> str:
    """`evil[.]example[.]com` -> `evil.example.com`, `hxxps[://]x` -> `https://x`."""
    if "[" not in value and "(" not in value and "{" not in value and "xx" not in value.lower():
        return value  # the common case: nothing defanged
    for pattern, replacement in _DEFANGS:
        value = pattern.sub(replacement, value)
    return value


def detect(value: str) -> list[str]:
    """The types a pasted value may be, likeliest first: one when its form says (an address,
    a URL, a hash by its length...), several when unsure (every type that accepts it)."""
    text = refang(value.strip())
    telling: list[tuple[str, bool]] = [
        ("url", "://" in text),
        ("email", "@" in text and " " not in text),
        ("ip", True),
        ("hash", True),
    ]
    for kind, looks in telling:
        if looks and _parses(_NORMALIZERS[kind], text):
            return [kind]
    if "." in text and _parses(_domain, text):
        return ["domain", "hostname"]
    if "\\" in text and text.upper().startswith(("HK", "HKEY")):
        return ["registry_key"]
    if "/" in text or "\\" in text:
        return ["file_path", "url"] if "/" in text else ["file_path"]
    return [k for k in TYPES if _parses(_NORMALIZERS.get(k, str), text)]


def _parses(normalizer: Callable[[str], str], text: str) -> bool:
    try:
        normalizer(text)
        return True
    except ValueError:
        return False


# Alerts repeat their observables (the same hosts, users, IPs), and normalising one costs ~5 us:
# the forms of recent short values are kept (at most ~10 MB). Refusals are not kept.
CACHED_CHARS = 256
_recent = functools.lru_cache(maxsize=16_384)(_normalize)


def _ip(value: str) -> str:
    text = value.strip("[]")
    # Fast path through the C library; it also writes IPv4-mapped IPv6 as ::ffff:1.2.3.4.
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_ntop(family, socket.inet_pton(family, text))
        except (OSError, ValueError):
            continue
    try:  # scoped IPv6 (fe80::1%eth0) and anything else the stdlib parser knows
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValueError("not an IPv4 or IPv6 address") from None


def _host(value: str) -> str:
    text = value.lower()
    if text.endswith("."):
        text = text[:-1]
    if not text.isascii():
        try:
            text = idna.encode(text, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValueError(f"not a valid internationalised name: {exc}") from None
    if len(text) > 253 or not _HOST.fullmatch(text):
        raise ValueError("not a valid host name")
    return text


def _domain(value: str) -> str:
    text = _host(value)
    # A valid host name is an IPv4 address only when all its labels are digits (an IPv6 one
    # never passes `_host`): only then is the slower parse needed.
    if not text.replace(".", "").isdigit():
        return text
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text
    raise ValueError("an IP address is not a domain; use type ip")


def _email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or len(local) > 64 or any(c.isspace() for c in local):
        raise ValueError("not a valid email address")
    try:
        return f"{local.lower()}@{_host(domain)}"
    except ValueError:
        raise ValueError("not a valid email address") from None


def _hash(value: str) -> str:
    text = value.lower()
    if len(text) not in HASH_LENGTHS or not _HEX.match(text):
        raise ValueError("expected hex of length 32, 40, 64 or 128 (MD5, SHA-1, SHA-256, SHA-512)")
    return text


def _url(value: str) -> str:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError("not a valid URL") from None
    if not parts.scheme or not parts.hostname:
        raise ValueError("not a valid URL: needs a scheme and a host")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + host + (f":{port}" if port is not None else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


_NORMALIZERS = {
    "ip": _ip,
    "domain": _domain,
    "hostname": _host,
    "email": _email,
    "hash": _hash,
    "url": _url,
}
