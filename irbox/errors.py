"""Domain errors. Services raise these; the HTTP layer maps each to a status and the error body."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "internal"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    """`details` maps each bad field's path (e.g. `observables[2].value`) to what is wrong."""

    code = "validation_error"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"

    def __init__(self, required_scope: str) -> None:
        super().__init__(
            f"this action needs the {required_scope!r} scope", {"required_scope": required_scope}
        )


class NotTheAuthor(Forbidden):
    """A change only the author of something may make (e.g. editing a comment)."""

    def __init__(self, what: str, change: str = "edit", who: str = "its author") -> None:
        DomainError.__init__(self, f"only {who} can {change} this {what}", {what: "not yours"})


class NotFound(DomainError):
    code = "not_found"


class InvalidState(DomainError):
    code = "invalid_state"


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class LicenseLocked(DomainError):
    code = "license_locked"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limit exceeded; retry after {retry_after} s")
        self.retry_after = retry_after


class StorageUnavailable(DomainError):
    code = "unavailable"


class Errors:
    """Collects field errors so that one 400 names every bad field, not just the first."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, message)

    def raise_if_any(self, message: str = "the request is invalid") -> None:
        if self.fields:
            raise ValidationFailed(message, dict(self.fields))
