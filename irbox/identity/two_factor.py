"""Two-factor sign-in: TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, pyotp computes the codes)
and 10 single-use recovery codes.

- The secret is sealed at rest (irbox.sealed), while being set up and once confirmed.
- A code is accepted for the current step or one step either side (clocks drift), and only for
  a step later than the last one accepted: a code seen over a shoulder or replayed from a
  proxy log is refused, even within its 30 s.
- Recovery codes are 10 random hex digits (40 bits), shown once, kept as SHA-256 (a slow hash
  buys nothing at that entropy behind a throttle), each spent when used.
Throttling attempts is the caller's (the web UI throttles per user and per client)."""

from __future__ import annotations

import hmac
import secrets as random_tokens

import msgspec
import pyotp

from irbox import clock
from irbox.errors import InvalidState, NotFound, Unauthorized, ValidationFailed
from irbox.identity import secrets
from irbox.identity.principal import Actor
from irbox.sealed import SecretBox
from irbox.store import audit
from irbox.store import recovery_codes as codes_table
from irbox.store import sessions as sessions_table
from irbox.store import users as users_table
from irbox.store.database import Connection, Database, Row
from irbox.store.writer import Writer

STEP_S = 30
ISSUER = "irbox"
RECOVERY_CODES = 10


class Enrolment(msgspec.Struct):
    """A secret being set up: the key to type and the `otpauth://` URI the QR code carries."""

    secret: str
    uri: str


class TwoFactorStatus(msgspec.Struct):
    enabled_at: int | None  # µs since the epoch; None: off
    recovery_codes_left: int


def recovery_hash(code: str) -> str:
    """Codes are compared without case, spaces or dashes, as people type them."""
    return secrets.hash_token("".join(code.lower().split()).replace("-", ""))


def _new_recovery_code() -> str:
    digits = random_tokens.token_hex(5)
    return f"{digits[:5]}-{digits[5:]}"


def _matching_step(secret: str, code: str, now_s: float) -> int | None:
    """The time step whose code is `code`: this step's, the one before or the one after."""
    totp = pyotp.TOTP(secret)
    now_step = int(now_s // STEP_S)
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


class TwoFactorService:
    def __init__(self, db: Database, writer: Writer, box: SecretBox) -> None:
        self.db = db
        self.writer = writer
        self.box = box

    def status(self, user_id: str) -> TwoFactorStatus:
        row = self._row(user_id)
        left = self.db.read(codes_table.unused, user_id) if row["mfa_enabled_at"] else 0
        return TwoFactorStatus(row["mfa_enabled_at"], left)

    def enabled(self, user_id: str) -> bool:
        return self._row(user_id)["mfa_enabled_at"] is not None

    def pending(self, user_id: str) -> Enrolment | None:
        """The secret being set up, if the user began and has not confirmed it yet."""
        row = self._row(user_id)
        if row["totp_pending"] is None or row["mfa_enabled_at"] is not None:
            return None
        return self._enrolment(self.box.open(row["totp_pending"]), row["email"])

    async def begin(self, user_id: str) -> Enrolment:
        """A new secret to set up; it works only once confirmed with a code (`confirm`)."""
        row = self._row(user_id)
        if row["mfa_enabled_at"] is not None:
            raise InvalidState("two-factor sign-in is on already")
        secret = pyotp.random_base32()
        sealed = self.box.seal(secret)
        await self.writer.run(
            lambda conn: users_table.update(conn, user_id, {"totp_pending": sealed})
        )
        return self._enrolment(secret, row["email"])

    async def confirm(self, user_id: str, code: str, actor: Actor) -> list[str]:
        """Turn two-factor sign-in on with a code from the app; the recovery codes, shown
        once."""
        row = self._row(user_id)
        if row["totp_pending"] is None or row["mfa_enabled_at"] is not None:
            raise InvalidState("set up two-factor sign-in first")
        step = _matching_step(self.box.open(row["totp_pending"]), _digits(code), _now_s())
        if step is None:
            raise ValidationFailed("wrong code", {"code": "not the code your app shows now"})
        recovery = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
        now = clock.now_us()
        changes = {"totp_secret": row["totp_pending"], "totp_pending": None,
                   "totp_last_step": step, "mfa_enabled_at": now}  # fmt: skip

        def write(conn: Connection) -> None:
            users_table.update(conn, user_id, changes)
            codes_table.replace(conn, user_id, [recovery_hash(c) for c in recovery], now)
            audit.record(conn, actor.who, "user.mfa_on", user_id, now)

        await self.writer.run(write)
        return recovery

    async def verify(self, user_id: str, code: str, actor: Actor) -> str:
        """Accept a code from the app, or a recovery code (spent); which one it was. Refused
        (Unauthorized): a wrong code, a code whose step was used already, a spent code."""
        row = self._row(user_id)
        if row["totp_secret"] is None:
            raise InvalidState("two-factor sign-in is off")
        digits = _digits(code)
        now = clock.now_us()
        if len(digits) == 6:
            step = _matching_step(self.box.open(row["totp_secret"]), digits, _now_s())
            if step is None:
                raise Unauthorized("wrong code")
            if not await self.writer.run(lambda c: users_table.accept_step(c, user_id, step)):
                raise Unauthorized("that code was used already: wait for the next one")
            return "totp"

        def spend(conn: Connection) -> bool:
            spent = codes_table.use(conn, user_id, recovery_hash(code), now)
            if spent:
                audit.record(conn, actor.who, "user.recovery_code_used", user_id, now)
            return spent

        if not await self.writer.run(spend):
            raise Unauthorized("wrong code")
        return "recovery"

    async def new_recovery_codes(self, user_id: str, code: str, actor: Actor) -> list[str]:
        """Ten new codes for a code from the app (the old ones stop working)."""
        await self.verify(user_id, code, actor)
        recovery = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
        now = clock.now_us()

        def write(conn: Connection) -> None:
            codes_table.replace(conn, user_id, [recovery_hash(c) for c in recovery], now)
            audit.record(conn, actor.who, "user.mfa_recovery_codes", user_id, now)

        await self.writer.run(write)
        return recovery

    async def turn_off(self, user_id: str, code: str, actor: Actor) -> None:
        """The user's own choice, proven with a current code."""
        await self.verify(user_id, code, actor)
        await self.writer.run(lambda conn: self._clear(conn, user_id, actor, "user.mfa_off"))

    async def reset(self, email: str, actor: Actor) -> None:
        """At the machine (`irbox user reset-mfa`), for a user who lost the phone and the
        codes: off, and the user's sessions end."""

        def write(conn: Connection) -> None:
            row = users_table.get_by_email(conn, email.strip())
            if row is None:
                raise NotFound(f"no user with email {email}")
            self._clear(conn, row["id"], actor, "user.mfa_reset")
            sessions_table.delete_for_user(conn, row["id"])

        await self.writer.run(write)

    def _clear(self, conn: Connection, user_id: str, actor: Actor, action: str) -> None:
        now = clock.now_us()
        users_table.update(conn, user_id, {"totp_secret": None, "totp_pending": None,
                                           "mfa_enabled_at": None, "updated_at": now})  # fmt: skip
        codes_table.delete_for_user(conn, user_id)
        audit.record(conn, actor.who, action, user_id, now)

    def _row(self, user_id: str) -> Row:
        row = self.db.read(users_table.second_factor, user_id)
        if row is None:
            raise NotFound(f"no user {user_id}")
        return row

    @staticmethod
    def _enrolment(secret: str, email: str) -> Enrolment:
        uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
        return Enrolment(secret, uri)


def _digits(code: str) -> str:
    return "".join(code.split())


def _now_s() -> float:
    return clock.now_us() / 1_000_000
