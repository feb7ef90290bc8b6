"""What a license means right now: tier, grace period, lock. A pure function of the license, the
number of active users, when seats were first found exceeded, and the time."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox import clock

HOUR_US = 3600 * 1_000_000
TIERS = ("team", "company")


class LicensePayload(msgspec.Struct):
    license_id: str
    org: str
    tier: str
    seats: int
    issued_at: str
    expires_at: str
    grace_days: int = 14


class LicenseStatus(msgspec.Struct):
    tier: str  # community, team, company
    status: str  # community, valid, grace, locked
    locked: bool
    grace_h: int
    grace_started_at: str | None
    grace_ends_at: str | None
    reasons: list[str]  # why the grace period runs: expired, seats exceeded
    active_users: int
    license: LicensePayload | None


def parse_payload(payload: dict[str, Any]) -> tuple[LicensePayload, int]:
    """The payload and its expiry in microseconds; ValueError naming what is wrong."""
    try:
        parsed = msgspec.convert(payload, LicensePayload)
    except msgspec.ValidationError as exc:
        raise ValueError(f"license payload: {exc}") from None
    if parsed.tier not in TIERS:
        raise ValueError(f"license payload: tier must be one of {', '.join(TIERS)}")
    if parsed.seats < 1 or parsed.grace_days < 0:
        raise ValueError("license payload: seats must be at least 1, grace_days at least 0")
    try:
        expires = clock.parse_rfc3339(parsed.expires_at)
        clock.parse_rfc3339(parsed.issued_at)
    except ValueError as exc:
        raise ValueError(f"license payload: {exc}") from None
    return parsed, expires


def evaluate(
    payload: LicensePayload | None,
    expires_us: int | None,
    active_users: int,
    over_seats_since: int | None,
    now: int,
) -> LicenseStatus:
    if payload is None or expires_us is None:
        return LicenseStatus("community", "community", False, 0, None, None, [], active_users, None)
    starts: list[int] = []
    reasons: list[str] = []
    if now >= expires_us:
        starts.append(expires_us)
        reasons.append("expired")
    if over_seats_since is not None and active_users > payload.seats:
        starts.append(over_seats_since)
        reasons.append(f"{active_users} active users for {payload.seats} seats")
    if not starts:
        return LicenseStatus(payload.tier, "valid", False, 0, None, None, [], active_users, payload)
    started = min(starts)
    ends = started + payload.grace_days * 24 * HOUR_US
    locked = now >= ends
    return LicenseStatus(
        tier=payload.tier,
        status="locked" if locked else "grace",
        locked=locked,
        grace_h=max(0, (now - started) // HOUR_US),
        grace_started_at=clock.to_rfc3339(started),
        grace_ends_at=clock.to_rfc3339(ends),
        reasons=reasons,
        active_users=active_users,
        license=payload,
    )
