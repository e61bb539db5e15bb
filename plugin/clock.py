"""Clocks that the SP-API client and the local sandbox share.

Both take a clock object instead of calling ``time`` directly, so tests and
benchmarks can run hours of Amazon's rate limits in simulated time.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone


class SystemClock:
    """Real time."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class SimulatedClock:
    """Time that only moves when someone sleeps or calls :meth:`advance`.

    Thread safe: several client threads may sleep on it; each sleep moves the
    shared time forward, which is what a benchmark of rate limits needs.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = float(start if start is not None else time.time())
        self._lock = threading.Lock()
        self.slept = 0.0

    def time(self) -> float:
        with self._lock:
            return self._now

    monotonic = time

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self._now += seconds
                self.slept += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), timezone.utc)
