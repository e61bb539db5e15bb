"""Figures for the SP-API client against the local sandbox.

    PYTHONPATH=. .venv/bin/python bench/client.py [--quick | --tiny]

1. client CPU per request (thread CPU of the calling thread; the sandbox runs
   in another thread of the same process and is not counted);
1b. the same for python-amazon-sp-api against the same local endpoint, alternated
   round by round, and the ratio (installed with the bench extra);
2. one simulated hour per operation: calls made versus the allowance of the
   documented limits (burst + rate x 3600), and 429s seen;
3. simulated seconds the retries take to ride out an injected 429 storm.
"""
from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import computed, legend, measured  # noqa: E402

from flask_amazon_tr.clock import SimulatedClock, SystemClock  # noqa: E402
from flask_amazon_tr.sandbox import SandboxServer, SandboxState  # noqa: E402
from flask_amazon_tr.sandbox.seed import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TR_SELLER_ID  # noqa: E402
from flask_amazon_tr.spapi import USAGE_PLANS, LWAClient, RateLimiter, SPAPIClient, ThrottledError  # noqa: E402

START = 1772442000.0


def serves(operation: str) -> bool:
    from flask_amazon_tr.sandbox.dispatch import HANDLERS

    return operation in HANDLERS


def make_client(server: SandboxServer, clock, **options) -> SPAPIClient:
    refresh = server.state.issue_refresh_token(seller_id=TR_SELLER_ID, client_id=SANDBOX_CLIENT_ID)
    lwa = LWAClient(token_url=f"{server.url}/auth/o2/token", client_id=SANDBOX_CLIENT_ID,
                    client_secret=SANDBOX_CLIENT_SECRET, clock=clock)
    options.setdefault("random", random.Random(7))
    return SPAPIClient(endpoint=server.url, lwa=lwa, refresh_token=refresh, seller_id=TR_SELLER_ID,
                       clock=clock, **options)


def bench_cpu(n: int) -> None:
    state = SandboxState()
    state.rate_limits_enabled = False
    with SandboxServer(state=state) as server:
        unlimited = RateLimiter(plans={op: (1e9, 10**9) for op in USAGE_PLANS})
        client = make_client(server, SystemClock(), rate_limiter=unlimited)
        order_id = next(iter(state.orders))
        client.get_order(order_id)  # warm the token cache and the connection pool
        for label, call in [("getOrder", lambda: client.get_order(order_id, included_data=["FULFILLMENT"])),
                            ("getMarketplaceParticipations", client.get_marketplace_participations)]:
            cpu0, wall0 = time.thread_time(), time.perf_counter()
            for _ in range(n):
                call()
            cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
            measured(f"{label:30s} {n} calls: client CPU {1000 * cpu / n:.3f} ms/request, "
                  f"wall {1000 * wall / n:.3f} ms/request (loopback, sandbox included)")


def _other_client(server: SandboxServer, refresh: str):
    """python-amazon-sp-api's Sellers client aimed at the same local endpoint, or None when not installed."""
    try:
        from sp_api.api import Sellers
        from sp_api.auth.access_token_client import AccessTokenClient
        from sp_api.base import Marketplaces
    except ImportError:
        return None

    class LocalToken(AccessTokenClient):  # its token URL is fixed to api.amazon.com: point it at the sandbox
        scheme = "http://"
        host = server.url.split("://", 1)[1]

    client = Sellers(Marketplaces.TR, refresh_token=refresh, auth_token_client_class=LocalToken,
                     credentials={"lwa_app_id": SANDBOX_CLIENT_ID, "lwa_client_secret": SANDBOX_CLIENT_SECRET})
    client.endpoint = server.url
    return client


def side_by_side(n: int, rounds: int = 3) -> None:
    """Client CPU per getMarketplaceParticipations, ours and python-amazon-sp-api's, same sandbox, alternated."""
    state = SandboxState()
    state.rate_limits_enabled = False
    with SandboxServer(state=state) as server:
        unlimited = RateLimiter(plans={op: (1e9, 10**9) for op in USAGE_PLANS})
        ours = make_client(server, SystemClock(), rate_limiter=unlimited)
        refresh = server.state.issue_refresh_token(seller_id=TR_SELLER_ID, client_id=SANDBOX_CLIENT_ID)
        other = _other_client(server, refresh)
        if other is None:
            print("  python-amazon-sp-api is not installed (pip install -e '.[bench]'): no side-by-side figure")
            return
        calls = {"flask-amazon-tr": ours.get_marketplace_participations,
                 "python-amazon-sp-api": other.get_marketplace_participation}
        for call in calls.values():
            call()  # tokens cached, connections open
        cpu = {name: [] for name in calls}
        for _ in range(rounds):
            for name, call in calls.items():
                c0 = time.thread_time()
                for _ in range(n):
                    call()
                cpu[name].append(1000 * (time.thread_time() - c0) / n)
        med = {name: statistics.median(values) for name, values in cpu.items()}
        for name, value in med.items():
            measured(f"{name:22s} getMarketplaceParticipations: client CPU {value:.3f} ms/request "
                     f"(median of {rounds} × {n} calls)")
        measured(f"ratio flask-amazon-tr / python-amazon-sp-api: "
                 f"{med['flask-amazon-tr'] / med['python-amazon-sp-api']:.2f} (target ≤ 1.0)")


def hour_of(operation: str, call_factory, hours: float = 1.0) -> None:
    clock = SimulatedClock(start=START)
    state = SandboxState(clock=clock)
    with SandboxServer(state=state) as server:
        client = make_client(server, clock)
        call = call_factory(client, state, clock)
        end = clock.time() + 3600 * hours
        t0 = clock.time()
        while True:
            call()
            if clock.time() >= end:
                break
        elapsed = clock.time() - t0
        rate, burst = USAGE_PLANS[operation]
        made = client.stats.calls[operation]
        allowance = burst + rate * elapsed
        with state.lock:
            throttled = sum(1 for r in state.requests if r["operation"] == operation and r["status"] == 429)
        computed(f"{operation:20s} {elapsed / 3600:.2f} simulated h: {made} calls, allowance {allowance:.1f} "
              f"(burst {burst} + {rate}/s), used {100 * made / allowance:.1f}%, 429s {throttled}, "
              f"client retries {client.stats.retries}")


def paging_orders(client, state, clock):
    created = clock.now() - timedelta(hours=6)
    for _ in range(200):
        state.add_order(created=created)
    pages = iter(())

    def one_page():
        nonlocal pages
        page = next(pages, None)
        if page is None:
            pages = client.search_orders(created_after=created - timedelta(minutes=1), max_results=5)
            next(pages)
    return one_page


def patching_listings(client, state, clock):
    skus = sorted(state.listings.get(TR_SELLER_ID, {}))
    counter = iter(range(10**9))

    def one_patch():
        i = next(counter)
        client.patch_listings_item(skus[i % len(skus)], product_type="HOME", patches=[
            {"op": "replace", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": i % 17}]}])
    return one_patch


def getting_orders(client, state, clock):
    ids = list(state.orders)
    counter = iter(range(10**9))
    return lambda: client.get_order(ids[next(counter) % len(ids)])


def storm(count: int, trials: int) -> None:
    times, outcomes = [], []
    for seed in range(trials):
        clock = SimulatedClock(start=START)
        state = SandboxState(clock=clock)
        with SandboxServer(state=state) as server:
            client = make_client(server, clock, random=random.Random(seed))
            order_id = next(iter(state.orders))
            state.inject_fault("getOrder", "throttle", count=count)
            t0 = clock.time()
            try:
                client.get_order(order_id)
                outcomes.append("ok")
            except ThrottledError:
                outcomes.append("ThrottledError")
            times.append(clock.time() - t0)
    computed(f"{count} consecutive 429s, {trials} runs: simulated seconds median {statistics.median(times):.1f}, "
          f"max {max(times):.1f}; outcome {sorted(set(outcomes))}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer calls and a shorter simulated run")
    parser.add_argument("--tiny", action="store_true", help="a few calls of each kind (the suite's smoke test)")
    args = parser.parse_args()
    # Exhausted retries are part of the storm figures, not news.
    logging.getLogger("flask_amazon_tr.spapi").setLevel(logging.ERROR)
    hours = 0.01 if args.tiny else 0.25 if args.quick else 1.0

    legend()
    print("1. client CPU per request")
    bench_cpu(10 if args.tiny else 100 if args.quick else 500)

    print("1b. side by side with python-amazon-sp-api on the same local endpoint")
    side_by_side(10 if args.tiny else 100 if args.quick else 300, rounds=1 if args.tiny else 3)

    print("2. a simulated hour at the documented limits (one bucket each)")
    hour_of("searchOrders", paging_orders, hours)
    if serves("patchListingsItem"):
        hour_of("patchListingsItem", patching_listings, hours)
    else:
        print("  patchListingsItem: the sandbox does not serve it yet; measuring getOrder instead")
    hour_of("getOrder", getting_orders, hours)

    print("3. riding out an injected 429 storm on getOrder (max_retries=6, backoff base 1 s, cap 60 s)")
    trials = 2 if args.tiny else None
    storm(3, trials or 20)
    storm(6, trials or 20)
    storm(7, trials or 10)


if __name__ == "__main__":
    main()
