"""Where a webhook may not point: `webhook_refused_targets` names classes of addresses
(`link-local`, on by default: 169.254.0.0/16, fe80::/10 and the clouds' metadata services, whose
answers hand out credentials; `loopback`; `private`: RFC 1918 and unique-local). A URL is
checked when it is saved (a literal address, a metadata host name) and each delivery checks the
addresses its host name resolves to, so a name pointed at a refused address later is refused
too. URLs with control characters or spaces are refused outright (they were accepted, then
failed for 24 h)."""

from __future__ import annotations

import ipaddress
import socket

KINDS = ("link-local", "loopback", "private")
# Cloud metadata services outside 169.254.0.0/16 (AWS over IPv6, Alibaba Cloud).
METADATA_ADDRESSES = {
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
METADATA_NAMES = {"metadata", "metadata.google.internal", "metadata.goog"}


def unprintable(url: str) -> bool:
    """Whether `url` holds a space, a control character or NUL."""
    return any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url)


def kind_of(address: str) -> str | None:
    """The refusable class of an IP address, or None (an ordinary address, or not one)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip in METADATA_ADDRESSES:
        return "link-local"
    if ip.is_loopback:
        return "loopback"
    if ip.is_private:
        return "private"
    return None


def refusal(host: str, refused: frozenset[str] | tuple[str, ...]) -> str | None:
    """Why a URL's host is refused when saved (no name look-up), or None."""
    if host.lower().rstrip(".") in METADATA_NAMES and "link-local" in refused:
        return "a cloud metadata service (link-local) is refused by webhook_refused_targets"
    kind = kind_of(host)
    if kind is not None and kind in refused:
        return f"a {kind} address is refused by webhook_refused_targets"
    return None


def resolved_refusal(host: str, refused: frozenset[str] | tuple[str, ...]) -> str | None:
    """Why a delivery to `host` is refused, looking at every address the name resolves to."""
    early = refusal(host, refused)
    if early is not None or not refused:
        return early
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None  # the attempt itself reports the failure
    for info in found:
        kind = kind_of(str(info[4][0]))
        if kind is not None and kind in refused:
            return f"{host} resolves to a {kind} address, refused by webhook_refused_targets"
    return None
