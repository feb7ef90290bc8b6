"""Every error leaves as `{"error", "message", "details"}` with the spec's status codes, including
Litestar's own (unknown route, wrong method, malformed JSON, failed body validation)."""

from __future__ import annotations

import errno
import logging
import re
from typing import Any

import msgspec
from litestar import Response
from litestar.exceptions import HTTPException, ValidationException

from irbox import errors
from irbox.web.asgi import Send, send_bytes
from irbox.web.deps import AnyRequest

log = logging.getLogger("irbox.web.api")

STATUS_OF: dict[type[errors.DomainError], int] = {
    errors.ValidationFailed: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.IdempotencyConflict: 409,
    errors.InvalidState: 409,
    errors.PayloadTooLarge: 413,
    errors.LicenseLocked: 423,
    errors.RateLimited: 429,
    errors.StorageUnavailable: 503,
}
CODE_OF_STATUS = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "invalid_state",
    413: "payload_too_large",
    415: "validation_error",
    423: "license_locked",
    429: "rate_limited",
    503: "unavailable",
}
_FIELD = re.compile(r"field `([^`]+)`")
# Litestar names a missing parameter only in its message (no `extra`): taken from there.
_MISSING = re.compile(r"^Missing required (\w+) parameter '([^']+)'")


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    return msgspec.json.encode({"error": code, "message": message, "details": details or {}})


def _response(
    status: int, code: str, message: str, details: dict[str, Any] | None, headers: dict[str, str]
) -> Response[bytes]:
    return Response(
        error_body(code, message, details),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def status_of(exc: errors.DomainError) -> int:
    return next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 500)


def domain_error_headers(exc: errors.DomainError) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else {}


def domain_error_body(exc: errors.DomainError) -> bytes:
    return error_body(exc.code, exc.message, exc.details)


async def send_domain_error(send: Send, exc: errors.DomainError) -> None:
    """A refusal answered by an ASGI layer in front of Litestar (the gate, the ingest path),
    exactly as the route's handler would answer it."""
    headers = [(k.lower().encode(), v.encode()) for k, v in domain_error_headers(exc).items()]
    await send_bytes(send, status_of(exc), domain_error_body(exc), headers)


def domain_error_handler(_: AnyRequest, exc: errors.DomainError) -> Response[bytes]:
    return _response(status_of(exc), exc.code, exc.message, exc.details, domain_error_headers(exc))


def _validation_details(extra: Any) -> dict[str, str]:
    """Litestar reports msgspec's errors as [{"message", "key"}]; turn them into path -> message."""
    details: dict[str, str] = {}
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        key = str(item.get("key") or "body")
        if message == repr(key):  # a KeyError's text: the value is missing
            message = "required"
            if key == "data":  # the handler's body
                key, message = "body", "a JSON body is required"
        named = _FIELD.search(message)
        if named:
            key = named.group(1) if key in ("data", "body") else f"{key}.{named.group(1)}"
        details[key] = message
    return details


def http_exception_handler(request: AnyRequest, exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500:
        return internal_error_handler(request, exc)
    code = CODE_OF_STATUS.get(status, "validation_error" if status < 500 else "internal")
    details: dict[str, Any] = {}
    message = exc.detail or "request failed"
    if isinstance(exc, ValidationException):
        details = _validation_details(exc.extra)
        message = "the request is invalid"
        missing = _MISSING.match(exc.detail or "")
        if missing and not details:
            details = {missing.group(2): f"required {missing.group(1)} parameter"}
    if status == 400 and "malformed" in (exc.detail or ""):
        details = {"body": exc.detail}
    if status == 404:
        message = "no such resource"
    headers = dict(exc.headers or {})
    return _response(status, code, message, details, headers)


def internal_error_handler(request: AnyRequest, exc: Exception) -> Response[bytes]:
    request_id = request.scope.get("irbox_request_id")
    log.error("unhandled error in request %s", request_id, exc_info=exc)
    return _response(
        500,
        "internal",
        f"unexpected error; quote request id {request_id} when reporting it",
        {"request_id": request_id},
        {},
    )


def recursion_error_handler(request: AnyRequest, exc: RecursionError) -> Response[bytes]:
    """msgspec gives up on JSON nested past Python's recursion limit: the body is at fault."""
    if "deserializ" not in str(exc):
        return internal_error_handler(request, exc)
    details = {"body": "JSON nested too deeply"}
    return _response(400, "validation_error", "the request is invalid", details, {})


# The filesystem refused bytes for lack of room: the storage, not the request, is at fault.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def os_error_handler(request: AnyRequest, exc: OSError) -> Response[bytes]:
    """A full disk while writing a file (evidence, a report, a license) is a 503, like SQLite's
    "database or disk is full"; the writer of the file has already removed what it began."""
    if exc.errno not in _NO_SPACE:
        return internal_error_handler(request, exc)
    log.error("request %s: the disk is full: %s", request.scope.get("irbox_request_id"), exc)
    return _response(503, "unavailable", "storage is full; nothing was kept", {}, {})


HANDLERS = {
    OSError: os_error_handler,
    RecursionError: recursion_error_handler,
    errors.DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
