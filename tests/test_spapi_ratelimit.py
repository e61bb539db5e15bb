"""Pacing before sending: documented rates, bursts, header updates, sharing."""
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_amazon_tr.clock import SimulatedClock, SystemClock
from flask_amazon_tr.spapi import USAGE_PLANS, RateLimiter
from flask_amazon_tr.spapi.ratelimit import PACING_MARGIN

# Pacing adds a millisecond of margin per wait; it must not add up.
MARGIN = 2 * PACING_MARGIN
from spapi_helpers import canned_client, reply


def assert_within_bucket(stamps, rate, burst, eps=1e-6):
    """No window of sends holds more than the burst plus what the rate refills."""
    stamps = sorted(stamps)
    for i in range(len(stamps)):
        for j in range(i, len(stamps)):
            allowed = burst + rate * (stamps[j] - stamps[i])
            assert j - i + 1 <= allowed + eps, (i, j, stamps[i], stamps[j])


def recording_handler(clock, stamps, headers=None):
    def handler(sent):
        if "/listings/" in sent.url or "/orders/" in sent.url:
            stamps.append(clock.time())
            if "/orders/2026-01-01/orders?" in sent.url:
                return reply(200, {"orders": []}, headers or {})
            return reply(200, {"sku": "K"}, headers or {})
        return None
    return handler


def test_calls_at_documented_rate_take_the_expected_simulated_time():
    clock = SimulatedClock(start=0.0)
    stamps = []
    client, _, _ = canned_client(recording_handler(clock, stamps), clock=clock)
    rate, burst = USAGE_PLANS["getListingsItem"]
    n = 40
    for i in range(n):
        client.get_listings_item(f"SKU-{i}")
    # The burst goes out at once; every further call waits one token.
    assert clock.time() == pytest.approx((n - burst) / rate, abs=MARGIN)
    assert client.stats.pacing_seconds == pytest.approx((n - burst) / rate, abs=MARGIN)
    assert stamps[:burst] == [0.0] * burst
    assert_within_bucket(stamps, rate, burst)
    assert client.stats.throttled == 0


def test_slow_operation_search_orders_is_paced_at_its_own_rate():
    clock = SimulatedClock(start=0.0)
    stamps = []
    client, _, _ = canned_client(recording_handler(clock, stamps), clock=clock)
    rate, burst = USAGE_PLANS["searchOrders"]
    for _ in range(burst + 3):
        list(client.search_orders(created_after="2025-01-01T00:00:00Z"))
    assert stamps[burst] == pytest.approx(1 / rate, abs=MARGIN)  # ~178.6 s for the first call past the burst
    assert clock.time() == pytest.approx(3 / rate, abs=MARGIN)
    assert_within_bucket(stamps, rate, burst)


def test_rate_limit_header_updates_the_bucket():
    clock = SimulatedClock(start=0.0)
    stamps = []
    client, _, _ = canned_client(recording_handler(clock, stamps, {"x-amzn-RateLimit-Limit": "1.0"}), clock=clock)
    _, burst = USAGE_PLANS["getListingsItem"]
    for i in range(burst + 5):
        client.get_listings_item(f"S{i}")
    assert client.rate_limiter.plan("getListingsItem", "A1SELLERTR") == (1.0, burst)
    # Past the burst, calls are a second apart, not the documented 0.2 s.
    gaps = [b - a for a, b in zip(stamps[burst:], stamps[burst + 1:])]
    assert gaps == [pytest.approx(1.0, abs=MARGIN)] * 4


def test_429_empties_the_bucket_before_the_retry():
    clock = SimulatedClock(start=0.0)
    answers = [reply(429, {"errors": [{"code": "QuotaExceeded", "message": "quota"}]}), reply(200, {"order": {}})]
    client, _, _ = canned_client(lambda s: answers.pop(0) if "/orders/" in s.url else None,
                                 clock=clock, backoff_base=0.001)
    client.get_order("1")
    # Amazon's bucket was empty, so the retry waited for a whole token (2 s at
    # 0.5/s), of which the jittered backoff pause covered a little.
    assert client.stats.pacing_seconds > 1.9
    assert clock.time() == pytest.approx(1 / USAGE_PLANS["getOrder"][0], abs=MARGIN)


def test_shared_limiter_paces_two_clients_of_one_seller_together_not_other_sellers():
    clock = SimulatedClock(start=0.0)
    limiter = RateLimiter(clock=clock)
    stamps_a, stamps_b, stamps_c = [], [], []
    a, _, _ = canned_client(recording_handler(clock, stamps_a), clock=clock, rate_limiter=limiter)
    b, _, _ = canned_client(recording_handler(clock, stamps_b), clock=clock, rate_limiter=limiter)
    c, _, _ = canned_client(recording_handler(clock, stamps_c), clock=clock, rate_limiter=limiter,
                            seller_id="A2OTHER")
    rate, burst = USAGE_PLANS["patchListingsItem"]
    for i in range(10):
        for client in (a, b):
            client.patch_listings_item(f"S{i}", product_type="SHIRT", patches=[{"op": "delete", "path": "/attributes/x"}])
    assert_within_bucket(stamps_a + stamps_b, rate, burst)
    assert clock.time() == pytest.approx((20 - burst) / rate, abs=MARGIN)
    before = clock.time()
    for i in range(burst):
        c.patch_listings_item(f"S{i}", product_type="SHIRT", patches=[{"op": "delete", "path": "/attributes/x"}])
    assert clock.time() == before  # another seller has its own full bucket


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(min_value=0, max_value=3), st.integers(min_value=1, max_value=6)),
                min_size=1, max_size=25),
       st.sampled_from(sorted(USAGE_PLANS)))
def test_bucket_never_exceeds_burst_for_any_arrival_pattern(pattern, operation):
    clock = SimulatedClock(start=0.0)
    limiter = RateLimiter(clock=clock)
    rate, burst = USAGE_PLANS[operation]
    stamps = []
    for idle, calls in pattern:
        clock.advance(idle)
        for _ in range(calls):
            limiter.acquire(operation, "S")
            stamps.append(clock.time())
    assert_within_bucket(stamps, rate, burst)


def test_threads_sharing_a_limiter_never_exceed_the_bucket_in_real_time():
    limiter = RateLimiter(clock=SystemClock(), plans={"op": (100.0, 5)})
    stamps = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            limiter.acquire("op", "S")
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 40
    assert time.monotonic() - start >= (40 - 5) / 100.0 - 0.01
    # Real sleeps overshoot a little; a late wake-up can only delay sends.
    assert_within_bucket(stamps, 100.0, 5, eps=0.5)
