"""Token buckets: the client paces its calls with them, the local sandbox throttles with them.

Amazon meters each operation per selling partner and application with a token
bucket (a rate and a burst). Waiting for a token here is cheaper than provoking
a 429 there: a 429 costs a round trip and, on a slow operation such as
searchOrders (one token every ~3 minutes), a long pause.

The limiter is shared by every client in the process (a shop has several
stores, and two sync jobs for the same store must share that store's bucket),
so it is thread safe and never sleeps while holding its lock.
"""
from __future__ import annotations

import threading
from typing import Any

from ..clock import SystemClock
from .usage_plans import DEFAULT_PLAN, USAGE_PLANS

#: Added to every pacing wait. Amazon's bucket refills on its own clock from
#: when each request arrives; arriving exactly on the refill instant can find
#: 0.9999 of a token (float rounding, transit jitter) and cost a 429.
PACING_MARGIN = 0.001


class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` per second; not thread safe on its own."""

    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = float(rate)
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def take(self, now: float) -> bool:
        """Take a token if one is there (Amazon's side: no token, a 429)."""
        self.refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def reserve(self, now: float) -> float:
        """Take a token even if it is not there yet; return the seconds until it is.

        The bucket may go below zero: each caller then waits its turn in arrival
        order, so concurrent callers never overshoot the rate together.
        """
        self.refill(now)
        self.tokens -= 1.0
        return max(0.0, -self.tokens / self.rate)

    def wait_time(self, now: float) -> float:
        """Seconds until a token is there, without taking it."""
        self.refill(now)
        return max(0.0, (1.0 - self.tokens) / self.rate)

    def drain(self, now: float) -> None:
        self.refill(now)
        self.tokens = min(self.tokens, 0.0)


class RateLimiter:
    """Per (operation, seller) token buckets seeded from :data:`USAGE_PLANS`.

    ``acquire`` reserves a token and sleeps until it is due.
    """

    def __init__(self, clock: Any = None, plans: dict[str, tuple[float, int]] | None = None) -> None:
        self.clock = clock or SystemClock()
        self._plans = dict(USAGE_PLANS if plans is None else plans)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, operation: str, seller: str, now: float) -> TokenBucket:
        key = (operation, seller)
        bucket = self._buckets.get(key)
        if bucket is None:
            rate, burst = self._plans.get(operation, DEFAULT_PLAN)
            bucket = self._buckets[key] = TokenBucket(rate, burst, now)
        return bucket

    def wait_time(self, operation: str, seller: str) -> float:
        """Seconds a call would wait now, without taking a token."""
        with self._lock:
            now = self.clock.monotonic()
            wait = self._bucket(operation, seller, now).wait_time(now)
        return wait + PACING_MARGIN if wait > 0 else 0.0

    def reserve(self, operation: str, seller: str) -> float:
        """Take a token now; return how many seconds to wait before using it."""
        with self._lock:
            now = self.clock.monotonic()
            wait = self._bucket(operation, seller, now).reserve(now)
        return wait + PACING_MARGIN if wait > 0 else 0.0

    def acquire(self, operation: str, seller: str, sleep: Any = None) -> float:
        """Wait until a call may be sent; return the seconds waited."""
        wait = self.reserve(operation, seller)
        if wait > 0:
            (sleep or self.clock.sleep)(wait)
        return wait

    def update_rate(self, operation: str, seller: str, rate: float) -> bool:
        """Adopt the rate Amazon reports in ``x-amzn-RateLimit-Limit``.

        The header carries no burst, so the documented burst stays. Returns
        whether the rate changed.
        """
        if not rate or rate <= 0:
            return False
        with self._lock:
            now = self.clock.monotonic()
            bucket = self._bucket(operation, seller, now)
            bucket.refill(now)
            if abs(bucket.rate - rate) < 1e-9:
                return False
            bucket.rate = float(rate)
            return True

    def drain(self, operation: str, seller: str) -> None:
        """Amazon answered 429: its bucket is empty, so ours must be too."""
        with self._lock:
            now = self.clock.monotonic()
            self._bucket(operation, seller, now).drain(now)

    def plan(self, operation: str, seller: str) -> tuple[float, int]:
        """The (rate, burst) currently applied to this bucket."""
        with self._lock:
            bucket = self._bucket(operation, seller, self.clock.monotonic())
            return bucket.rate, bucket.burst

    def available(self, operation: str, seller: str) -> float:
        with self._lock:
            now = self.clock.monotonic()
            bucket = self._bucket(operation, seller, now)
            bucket.refill(now)
            return bucket.tokens
