"""One exception class per kind of SP-API failure.

Services decide what to tell shop staff from the class alone (retry later, ask
the seller to authorize again, fix the product data), so the mapping from HTTP
status to class lives here and nowhere else.
"""
from __future__ import annotations

import json
from typing import Any


class SPAPIError(Exception):
    """Base of every error the client raises."""

    #: Whether the client may send the same request again after a pause.
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = list(errors or [])
        self.code = code or (self.errors[0].get("code") if self.errors else None)
        self.request_id = request_id
        self.operation = operation

    @property
    def messages(self) -> list[str]:
        """Amazon's own messages, with details, in the order Amazon sent them."""
        out = []
        for err in self.errors:
            text = str(err.get("message") or err.get("code") or "")
            if err.get("details"):
                text = f"{text} ({err['details']})" if text else str(err["details"])
            if text:
                out.append(text)
        return out

    def __str__(self) -> str:
        head = []
        if self.operation:
            head.append(self.operation)
        if self.status is not None:
            head.append(f"HTTP {self.status}")
        if self.code:
            head.append(self.code)
        amazon = "; ".join(self.messages)
        if not amazon:
            text = self.message
        elif self.message and self.message not in amazon:
            text = f"{self.message}: {amazon}"
        else:
            text = amazon
        if head:
            text = f"[{' '.join(head)}] {text}"
        if self.request_id:
            text = f"{text} (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ThrottledError(SPAPIError):
    """HTTP 429: the seller's token bucket for this operation is empty."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class UnauthorizedError(SPAPIError):
    """HTTP 401: the access token was refused."""


class ForbiddenError(SPAPIError):
    """HTTP 403: the app lacks the role, or the token is expired or revoked."""


class NotFoundError(SPAPIError):
    """HTTP 404: no such order, listing, feed or document."""


class InvalidInputError(SPAPIError):
    """HTTP 400, 413, 415 or 422: the request itself is wrong; Amazon says why."""


class ServerError(SPAPIError):
    """HTTP 5xx: Amazon failed; the same request may succeed later."""

    retryable = True


class MalformedResponseError(ServerError):
    """A success status with a body that is not the JSON Amazon promises."""


class NetworkError(SPAPIError):
    """No HTTP answer: connect or read timeout, connection dropped.

    ``may_have_reached`` says the request may have been sent in full before the
    answer was lost (a read timeout, a connection dropped after sending):
    Amazon may have acted on it. Such an error of an operation that is not
    idempotent is not retried, since the retry could do the thing twice.
    """

    retryable = True

    def __init__(self, message: str, *, may_have_reached: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.may_have_reached = may_have_reached


class LWAError(SPAPIError):
    """Login with Amazon refused or failed a token request."""

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        **kw: Any,
    ) -> None:
        kw.setdefault("code", error)
        super().__init__(message, **kw)
        self.error = error
        self.error_description = error_description
        # A failing token endpoint is as transient as a failing SP-API one: a 5xx,
        # a 429 "slow_down", or a 200 whose body broke off before the token.
        self.retryable = bool(self.status and (self.status >= 500 or self.status in (200, 429)))

    def __str__(self) -> str:
        text = super().__str__()
        if self.error_description and self.error_description not in text:
            text = f"{text}: {self.error_description}"
        return text


class InvalidGrantError(LWAError):
    """The consent code is expired, already used, or for another app."""


class AuthorizationRevokedError(LWAError):
    """The refresh token no longer works: the seller must authorize again."""


class InvalidClientError(LWAError):
    """Login with Amazon refused the application's own credentials (``invalid_client``, HTTP 401).

    Amazon expires an LWA client secret 180 days after it was issued unless it is rotated;
    then every token request fails this way until AMAZON_TR_LWA_CLIENT_SECRET holds the new
    secret. The sellers' refresh tokens stay valid: nobody needs to authorize again.
    """


_BY_STATUS: dict[int, type[SPAPIError]] = {
    400: InvalidInputError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    413: InvalidInputError,
    415: InvalidInputError,
    422: InvalidInputError,
    429: ThrottledError,
}


def parse_error_body(body: bytes | str | None) -> list[dict[str, Any]]:
    """Amazon's ``{"errors": [...]}`` list, or [] when the body is something else."""
    if not body:
        return []
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        return [e for e in data["errors"] if isinstance(e, dict)]
    return []


def error_for_status(
    status: int,
    body: bytes | str | None,
    *,
    operation: str | None = None,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> SPAPIError:
    """The typed exception for a non-2xx SP-API response."""
    errors = parse_error_body(body)
    if status >= 500:
        cls: type[SPAPIError] = ServerError
    else:
        cls = _BY_STATUS.get(status, SPAPIError)
    if errors:
        message = "; ".join(str(e.get("message") or e.get("code") or "") for e in errors)
    else:
        message = f"HTTP {status} without an Amazon error body"
    kw: dict[str, Any] = dict(status=status, errors=errors, request_id=request_id, operation=operation)
    if cls is ThrottledError:
        return ThrottledError(message, retry_after=retry_after, **kw)
    return cls(message, **kw)
