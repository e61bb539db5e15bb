"""Sending a call to Amazon: pacing, the access token, retries with backoff, typed errors.

Two kinds of call go through one retry loop: SP-API operations (paced by the
seller's token bucket, signed with an access token, answered in JSON) and
transfers to the presigned URLs of feed documents and schemas (neither paced
nor signed, answered by a document store).
"""
from __future__ import annotations

import hashlib
import json
import logging
import platform
import random as _random
import threading
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable

import requests
from urllib3 import exceptions as urllib3_exceptions

from .errors import (
    ForbiddenError,
    MalformedResponseError,
    NetworkError,
    SPAPIError,
    ThrottledError,
    UnauthorizedError,
    error_for_status,
)
from .formats import encode_query
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)

#: Operations that create something on each call: a network error after the
#: request may have been sent is not retried (see NetworkError.may_have_reached).
#: createFeedDocument is retried all the same: a duplicate input document is never
#: used and costs nothing; a duplicate feed is applied twice and spends createFeed's
#: scarce quota.
NOT_IDEMPOTENT = frozenset({"createFeed"})

#: What a single attempt returns to ask for another one at once, without backoff.
_SEND_AGAIN = object()


@dataclass
class ClientStats:
    """Counters a service can show or a benchmark can print."""

    calls: Counter = field(default_factory=Counter)  # HTTP requests sent, per operation
    retries: int = 0
    throttled: int = 0  # 429 answers seen
    pacing_seconds: float = 0.0  # waited for a token before sending
    backoff_seconds: float = 0.0  # waited between retries
    errors: Counter = field(default_factory=Counter)  # final errors raised, per class

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def request_may_have_been_sent(exc: requests.RequestException) -> bool:
    """Whether the server may have received the whole request before ``exc``.

    Only a failure to connect proves it was never sent; a read timeout or a
    connection dropped while waiting for the answer leaves it open.
    """
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        if isinstance(reason, (urllib3_exceptions.NewConnectionError, urllib3_exceptions.ConnectTimeoutError)):
            return False
    return True


def _package_version() -> str:
    try:
        return metadata.version("flask-amazon-tr")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def default_user_agent() -> str:
    # Amazon asks for "App/version (Language=...)" so its support can trace calls.
    return f"flask-amazon-tr/{_package_version()} (Language=Python/{platform.python_version()})"


def _network_error(exc: requests.RequestException, operation: str, where: str) -> NetworkError:
    sent = request_may_have_been_sent(exc)
    error = NetworkError(f"{type(exc).__name__} {where}", operation=operation, may_have_reached=sent)
    if sent and operation in NOT_IDEMPOTENT:
        # Amazon may have acted on it: sending it again could do it twice,
        # so the caller finds out what happened instead.
        error.retryable = False
    return error


def _decode(response: requests.Response, operation: str) -> dict:
    if not response.content or response.status_code == 204:
        return {}
    try:
        data = response.json()
    except ValueError:
        data = None
        problem = "Amazon answered with a body that is not JSON"
    else:
        problem = "Amazon answered with JSON that is not an object"
    if not isinstance(data, dict):
        raise MalformedResponseError(problem, status=response.status_code,
                                     request_id=response.headers.get("x-amzn-RequestId"), operation=operation)
    return data


def _error(response: requests.Response, operation: str) -> SPAPIError:
    retry_after = None
    header = response.headers.get("Retry-After")
    if header:
        try:
            retry_after = max(0.0, float(header))
        except ValueError:
            retry_after = None
    return error_for_status(response.status_code, response.content, operation=operation,
                            request_id=response.headers.get("x-amzn-RequestId"), retry_after=retry_after)


class Transport:
    """One selling partner's line to one SP-API endpoint."""

    def __init__(
        self,
        *,
        endpoint: str,
        lwa: Any,
        refresh_token: str,
        seller_id: str | None,
        session: requests.Session,
        clock: Any,
        rate_limiter: RateLimiter,
        max_retries: int,
        backoff_base: float,
        backoff_cap: float,
        timeout: tuple[float, float] | float,
        user_agent: str | None,
        random: Any,
        max_wait: float | None,
    ) -> None:
        if not endpoint:
            raise ValueError("endpoint is required")
        # Keep any path prefix (the sandbox may be mounted under one).
        self.endpoint = endpoint.rstrip("/")
        self.lwa = lwa
        self._refresh_token = refresh_token
        self._session = session
        self.clock = clock
        self.rate_limiter = rate_limiter
        self.max_retries = max(0, int(max_retries))
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.timeout = timeout
        self.user_agent = user_agent or default_user_agent()
        self._random = random or _random.Random()
        # Someone waiting at a button cannot wait a minute for a token: past
        # max_wait seconds the call fails with ThrottledError(retry_after=…).
        self.max_wait = max_wait
        self.stats = ClientStats()
        self._stats_lock = threading.Lock()
        # Buckets are per selling partner; before the seller id is known the
        # refresh token identifies the partner, by digest so no key leaks it.
        self._limit_key = seller_id or "rt:" + hashlib.sha256(refresh_token.encode()).hexdigest()[:16]

    def request(self, method: str, path: str, *, operation: str, params: dict[str, Any] | None = None,
                body: Any = None) -> dict:
        """Send one SP-API operation; Amazon's JSON answer, or ``{}`` for an empty one.

        ``path`` is already encoded (see :func:`quote_segment`); ``params``
        values may be lists (sent comma-separated) or datetimes.
        """
        url = self.endpoint + path
        query = encode_query(params)
        if query:
            url = f"{url}?{query}"
        data = None
        headers = {"accept": "application/json", "user-agent": self.user_agent}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["content-type"] = "application/json"
        reauthorized = False

        def once() -> Any:
            nonlocal reauthorized
            headers["x-amz-access-token"] = self.lwa.access_token(self._refresh_token)
            try:
                response = self._session.request(method, url, data=data, headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                self._bump(operation=operation)
                raise _network_error(exc, operation, "talking to SP-API") from exc
            self._bump(operation=operation)
            self._observe_rate(operation, response)
            if 200 <= response.status_code < 300:
                return _decode(response, operation)
            error = _error(response, operation)
            if isinstance(error, ThrottledError):
                self._bump(throttled=1)
                self.rate_limiter.drain(operation, self._limit_key)
            elif isinstance(error, (UnauthorizedError, ForbiddenError)) and not reauthorized:
                # The cached access token may have been revoked early;
                # one fresh token settles whether the refusal is real.
                reauthorized = True
                self.lwa.forget(self._refresh_token)
                log.info("%s: HTTP %s, retrying once with a fresh access token", operation, response.status_code)
                return _SEND_AGAIN
            raise error

        return self._with_retries(operation, once, paced=True)

    def document_request(self, method: str, url: str, *, operation: str, data: bytes | None = None,
                         headers: dict[str, str] | None = None) -> requests.Response:
        """A call to a presigned document URL: no access token, no SP-API bucket."""

        def once() -> requests.Response:
            try:
                response = self._session.request(method, url, data=data, headers=headers or {},
                                                 timeout=self.timeout)
            except requests.RequestException as exc:
                self._bump(operation=operation)
                raise _network_error(exc, operation, "on a document URL") from exc
            self._bump(operation=operation)
            if 200 <= response.status_code < 300:
                return response
            # Document storage answers in XML, not Amazon's error JSON.
            error = error_for_status(response.status_code, None, operation=operation)
            if isinstance(error, ThrottledError):
                self._bump(throttled=1)
            raise error

        return self._with_retries(operation, once, paced=False)

    def _with_retries(self, operation: str, once: Callable[[], Any], *, paced: bool) -> Any:
        """Run ``once`` until it answers, retrying what is transient with jittered backoff."""
        attempt = 0
        while True:
            if paced:
                self._pace(operation)
            try:
                result = once()
            except SPAPIError as exc:
                error = exc
            else:
                if result is _SEND_AGAIN:
                    continue
                return result

            if not error.retryable or attempt >= self.max_retries:
                self._count_error(error)
                log.warning("%s failed after %s attempt(s): %s", operation, attempt + 1, error)
                raise error
            delay = self._backoff(attempt, error)
            if self.max_wait is not None and isinstance(error, ThrottledError):
                due = max(delay, self.rate_limiter.wait_time(operation, self._limit_key))
                if due > self.max_wait:
                    error.retry_after = due
                    self._count_error(error)
                    raise error
            attempt += 1
            log.info("%s: %s, retry %s/%s in %.2fs", operation, type(error).__name__, attempt, self.max_retries, delay)
            self._bump(retries=1, backoff_seconds=delay)
            self.clock.sleep(delay)

    def _pace(self, operation: str) -> None:
        if self.max_wait is not None:
            due = self.rate_limiter.wait_time(operation, self._limit_key)
            if due > self.max_wait:
                raise ThrottledError(f"{operation}: next call allowed in {due:.0f}s", retry_after=due,
                                     operation=operation)
        waited = self.rate_limiter.acquire(operation, self._limit_key, sleep=self.clock.sleep)
        if waited:
            self._bump(pacing_seconds=waited)

    def _backoff(self, attempt: int, error: SPAPIError) -> float:
        # Full jitter: spreads the retries of many workers hit by one outage.
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        delay = self._random.uniform(0, ceiling)
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            delay = max(delay, min(float(retry_after), self.backoff_cap))
        return delay

    def _observe_rate(self, operation: str, response: requests.Response) -> None:
        header = response.headers.get("x-amzn-RateLimit-Limit")
        if not header:
            return
        try:
            rate = float(header)
        except ValueError:
            return
        if self.rate_limiter.update_rate(operation, self._limit_key, rate):
            log.info("%s: Amazon reports a rate of %s requests/s", operation, rate)

    def _bump(self, *, operation: str | None = None, **amounts: float) -> None:
        with self._stats_lock:
            if operation:
                self.stats.calls[operation] += 1
            for name, amount in amounts.items():
                setattr(self.stats, name, getattr(self.stats, name) + amount)

    def _count_error(self, error: SPAPIError) -> None:
        with self._stats_lock:
            self.stats.errors[type(error).__name__] += 1
