"""Token buckets that pace SP-API calls before they are sent.

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

from flask_amazon_tr.clock import SystemClock

#: operationId -> (requests per second, burst), from the "Usage Plan" table in
#: each operation's description in Amazon's models. tests/test_spapi_models.py
#: reads the models and fails if any value here drifts from them.
USAGE_PLANS: dict[str, tuple[float, int]] = {
    # Sellers v1
    "getMarketplaceParticipations": (0.016, 15),
    # Orders 2026-01-01
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    # Orders v0: only confirmShipment, the one v0 operation not deprecated
    "confirmShipment": (2.0, 10),
    # Listings Items 2021-08-01
    "getListingsItem": (5.0, 10),
    "putListingsItem": (5.0, 10),
    "patchListingsItem": (5.0, 5),
    "deleteListingsItem": (5.0, 5),
    # Feeds 2021-06-30
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeeds": (0.0222, 10),
    "getFeedDocument": (0.0222, 10),
    # Catalog Items 2022-04-01
    "searchCatalogItems": (2.0, 2),
    # Product Type Definitions 2020-09-01 (the "Default" plan row)
    "getDefinitionsProductType": (5.0, 10),
}

#: For an operation missing from the table: cautious, but never a deadlock.
DEFAULT_PLAN: tuple[float, int] = (1.0, 1)

#: Added to every pacing wait. Amazon's bucket refills on its own clock from
#: when each request arrives; arriving exactly on the refill instant can find
#: 0.9999 of a token (float rounding, transit jitter) and cost a 429.
PACING_MARGIN = 0.001


class _Bucket:
    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now


class RateLimiter:
    """Per (operation, seller) token buckets seeded from :data:`USAGE_PLANS`.

    ``acquire`` reserves a token and sleeps until it is due. Reservations may
    drive a bucket below zero: each caller then waits its turn in arrival
    order, so concurrent callers never overshoot the rate together.
    """

    def __init__(self, clock: Any = None, plans: dict[str, tuple[float, int]] | None = None) -> None:
        self.clock = clock or SystemClock()
        self._plans = dict(USAGE_PLANS if plans is None else plans)
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, operation: str, seller: str, now: float) -> _Bucket:
        key = (operation, seller)
        bucket = self._buckets.get(key)
        if bucket is None:
            rate, burst = self._plans.get(operation, DEFAULT_PLAN)
            bucket = self._buckets[key] = _Bucket(rate, burst, now)
        return bucket

    def wait_time(self, operation: str, seller: str) -> float:
        """Seconds a call would wait now, without taking a token."""
        with self._lock:
            now = self.clock.monotonic()
            bucket = self._bucket(operation, seller, now)
            bucket.refill(now)
            if bucket.tokens >= 1.0:
                return 0.0
            return (1.0 - bucket.tokens) / bucket.rate + PACING_MARGIN

    def reserve(self, operation: str, seller: str) -> float:
        """Take a token now; return how many seconds to wait before using it."""
        with self._lock:
            now = self.clock.monotonic()
            bucket = self._bucket(operation, seller, now)
            bucket.refill(now)
            bucket.tokens -= 1.0
            if bucket.tokens >= 0:
                return 0.0
            return -bucket.tokens / bucket.rate + PACING_MARGIN

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
            bucket = self._bucket(operation, seller, now)
            bucket.refill(now)
            bucket.tokens = min(bucket.tokens, 0.0)

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
