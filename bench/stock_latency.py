"""Stock change → Amazon: the debounce on a simulated clock, and the real thing on the wall clock.

The computed figure drives the plugin's Debounce and push_stock by hand on a simulated
clock: it shows the rule (the window, the rate limit), not this machine's speed. The
measured figure goes through everything a shop's stock change goes through: the demo
adapter's set_stock (commit, then its stock-change signal), the plugin's StockSignal
thread (debounce on the wall clock), push_products, patchListingsItem over loopback HTTP
into the local Amazon; a watcher thread notes, on time.perf_counter, when Amazon holds
the new quantity.
"""
from __future__ import annotations

import random
import threading
import time

from figures import computed, counted, measured, percentile
from products_catalog import Catalog, amazon_quantity, set_stock_quietly, stock_of

from flask_amazon_tr.services.listings.stock import Debounce, push_stock

POLL_SECONDS = 0.001


def simulated(catalog: Catalog, events: int, delay: float) -> None:
    clock, skus = catalog.clock, catalog.skus
    debounce = Debounce(delay)
    rng = random.Random(5)
    latencies, waiting = [], []
    start = clock.time()
    arrivals = sorted(start + rng.uniform(0, events * 3.0) for _ in range(events))
    i = pushes = 0
    while i < len(arrivals) or debounce.deadline is not None:
        next_event = arrivals[i] if i < len(arrivals) else float("inf")
        due_at = debounce.deadline if debounce.deadline is not None else float("inf")
        if next_event <= due_at:
            clock.advance(max(0.0, next_event - clock.time()))
            sku = rng.choice(skus)
            set_stock_quietly(sku, (stock_of(sku) + 1) % 60)
            debounce.add([sku], clock.time())
            waiting.append(clock.time())
            i += 1
        else:
            clock.advance(max(0.0, due_at - clock.time()))
            push_stock(list(debounce.take_due(clock.time())))  # the push's rate-limit waits move the clock
            pushes += 1
            latencies.extend(clock.time() - at for at in waiting)
            waiting = []
    computed(f"stock change → Amazon on a simulated clock ({delay:g} s debounce, pushes paced at the documented "
             f"rate): p50 {percentile(latencies, 50):.2f} s, p95 {percentile(latencies, 95):.2f} s, "
             f"max {max(latencies):.2f} s over {len(latencies)} changes in {pushes} pushes")


class Arrivals(threading.Thread):
    """Notes when the local Amazon holds each expected quantity."""

    def __init__(self, sandbox_state) -> None:
        super().__init__(name="bench-arrivals", daemon=True)
        self.state = sandbox_state
        self.lock = threading.Lock()
        self.expected: dict[str, tuple[int, float]] = {}
        self.latencies: dict[str, float] = {}
        self.stopping = threading.Event()

    def expect(self, sku: str, quantity: int, since: float) -> None:
        with self.lock:
            self.expected[sku] = (quantity, since)

    def run(self) -> None:
        while not self.stopping.is_set():
            now = time.perf_counter()
            with self.lock, self.state.lock:
                for sku, (quantity, since) in list(self.expected.items()):
                    if amazon_quantity(self.state, sku) == quantity:
                        self.latencies[sku] = now - since
                        del self.expected[sku]
            time.sleep(POLL_SECONDS)

    def wait_all(self, timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                if not self.expected:
                    return True
            time.sleep(0.01)
        return False


def wall_clock(catalog: Catalog, events: int, mean_gap: float) -> bool:
    """Returns False when a change never reached Amazon."""
    app, sandbox_state = catalog.app, catalog.sandbox.state
    shop = app.extensions["demo_shop"]
    signal = app.extensions["amazon_tr"].extras["stock_signal"]
    rng = random.Random(11)
    chosen = rng.sample(catalog.skus, min(len(catalog.skus), events + 1))
    arrivals = Arrivals(sandbox_state)
    arrivals.start()
    try:
        with app.app_context():
            # The first change also fetches the access token: it warms up and is not counted.
            warm_up, timed = chosen[0], chosen[1:]
            _change(shop, arrivals, warm_up)
            if not arrivals.wait_all(30):
                measured("stock change → Amazon on the wall clock: the warm-up change never reached Amazon")
                return False
            arrivals.latencies.clear()
            sandbox_state.clear_requests()
            pushes_before = signal.pushed
            for sku in timed:
                _change(shop, arrivals, sku)
                time.sleep(rng.uniform(0, 2 * mean_gap))
            reached = arrivals.wait_all(30)
            patches = sandbox_state.count("patchListingsItem")
    finally:
        arrivals.stopping.set()
        arrivals.join(5)
    values = list(arrivals.latencies.values())
    if values:
        measured(f"stock change → Amazon on the wall clock (the adapter's set_stock → the plugin's StockSignal "
                 f"thread, {signal.debounce.delay:g} s debounce → patchListingsItem over HTTP; time.perf_counter): "
                 f"p50 {percentile(values, 50):.2f} s, p95 {percentile(values, 95):.2f} s, "
                 f"max {max(values):.2f} s over {len(values)} changes, one every {mean_gap:g} s on average")
    counted(f"those {len(timed)} stock changes: {signal.pushed - pushes_before} pushes, {patches} patchListingsItem "
            f"calls; {len(timed) - len(values)} never reached Amazon")
    return reached


def _change(shop, arrivals: Arrivals, sku: str) -> None:
    stock = (stock_of(sku) + 1) % 60
    since = time.perf_counter()
    arrivals.expect(sku, stock, since)
    shop.set_stock(sku, stock)
