"""Ürün Güncelleme figures for a database-backed shop of 100,000 products, against the local sandbox.

    .venv/bin/python bench/products.py [--products 100000] [--events 300] [--wall-events 30]

The shop is the demo shop: products in its own tables, read through its shop adapter.
Prints calls to Amazon for an unchanged catalog (target 0) and for a few, 1 %, 10 % and
100 % changed (target: one PATCH per change up to the threshold, at most one feed cycle
per 25,000 changes beyond it); CPU to detect changes (target < 2 s for 100,000); stock
change → Amazon latency (target p95 < 5 s), computed on a simulated clock and measured
on the wall clock through the real signal thread; patch versus feed behind the threshold.
"""
from __future__ import annotations

import argparse
import gc
import logging
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stock_latency  # noqa: E402
from figures import computed, counted, legend, measured  # noqa: E402
from products_catalog import build, raise_prices  # noqa: E402

from flask_amazon_tr.clock import SimulatedClock, SystemClock  # noqa: E402
from flask_amazon_tr.models import Store  # noqa: E402
from flask_amazon_tr.services import listings as service  # noqa: E402
from flask_amazon_tr.services.amazon import client_for  # noqa: E402
from flask_amazon_tr.config import DEFAULTS  # noqa: E402
from flask_amazon_tr.services.listings import Pusher, changes  # noqa: E402

SIM_START = 1772442000.0  # 2026-03-02T09:00:00Z


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000, help="products in the shop")
    parser.add_argument("--events", type=int, default=300, help="stock changes on the simulated clock")
    parser.add_argument("--wall-events", type=int, default=30, help="stock changes on the wall clock")
    parser.add_argument("--wall-products", type=int, default=None,
                        help="products in the shop for the wall-clock changes (default: --products)")
    parser.add_argument("--gap", type=float, default=1.0, help="mean seconds between two wall-clock changes")
    args = parser.parse_args(argv)
    logging.getLogger("amazon_tr").setLevel(logging.ERROR)
    legend()
    simulated_figures(args.products, args.events)
    return 0 if wall_clock_figures(args.wall_products or args.products, args.wall_events, args.gap) else 1


def simulated_figures(n: int, events: int) -> None:
    clock = SimulatedClock(start=SIM_START)
    started = time.perf_counter()
    catalog = build(n, clock)
    measured(f"set-up: {n:,} products in the demo shop's tables, links and Amazon's listings in "
             f"{time.perf_counter() - started:.1f} s wall")
    app, sb, store_id = catalog.app, catalog.sandbox.state, catalog.store_id
    rng = random.Random(1)
    try:
        with app.app_context():
            def push(label: str, changed: int) -> None:
                sb.clear_requests()
                t0, wall, cpu = clock.time(), time.perf_counter(), time.thread_time()
                run = service.push_products(store_id, trigger="bench", wait=True)
                wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
                counts = sb.counts()
                ops = ", ".join(f"{op} {k:,}" for op, k in sorted(counts.items())) or "none"
                counted(f"{label} ({changed:,} products): {sum(counts.values()):,} calls, "
                        f"{counts.get('createFeed', 0)} feeds: {ops}; run {run.status} {run.error or ''}".rstrip())
                computed(f"{label}: {clock.time() - t0:,.0f} s simulated until Amazon has processed them")
                measured(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU of the pushing thread (sandbox excluded)")

            def change(count: int) -> int:
                return raise_prices(rng.sample(catalog.skus, count))

            print(f"\n-- calls to Amazon per push of {n:,} products (type Stok ve Fiyat; simulated clock) --")
            push("unchanged", 0)
            push("a few changed", change(min(20, n)))
            push("1% changed", change(n // 100))
            push("10% changed", change(n // 10))
            push("100% changed", change(n))
            push("unchanged again", 0)

            print(f"\n-- CPU to detect changes among {n:,} products (time.thread_time of this thread) --")
            detection(catalog, change)
            service.push_products(store_id, trigger="bench", wait=True)  # Amazon catches up before the next part

            print("\n-- stock change → Amazon, simulated clock --")
            stock_latency.simulated(catalog, events, float(app.config.get("AMAZON_TR_STOCK_DEBOUNCE_SECONDS", 1.0)))

            print("\n-- the threshold: N changes by PATCH against one feed (simulated clock) --")
            for k in (25, 100, 400):
                for how, threshold in (("patch", 10**9), ("feed", 0)):
                    app.config["AMAZON_TR_PATCH_THRESHOLD"] = threshold
                    k = change(min(k, n))
                    sb.clear_requests()
                    t0 = clock.time()
                    service.push_products(store_id, trigger="bench", wait=True)
                    computed(f"{k:>5} changes by {how:<5}: {sum(sb.counts().values()):>4} calls, "
                             f"{clock.time() - t0:7.1f} s simulated until Amazon has them (the sandbox processes a "
                             f"feed in {sb.feed_timing.done_after:.0f} s; Amazon takes minutes)")
            app.config["AMAZON_TR_PATCH_THRESHOLD"] = DEFAULTS["AMAZON_TR_PATCH_THRESHOLD"][0]
    finally:
        catalog.close()


def detection(catalog, change, repeats: int = 3) -> None:
    """CPU of this thread to find what changed, ``repeats`` times each; min and median printed.

    The set-up's objects (above all the in-process sandbox's copy of 100,000 listings) are frozen
    out of Python's cyclic collector first: they are not in a shop's process, and a full collection
    over them landed at random in one pass or another (0.7 s more, on one pass in three).
    """
    n = len(catalog.skus)
    db_session = catalog.app.extensions["amazon_tr"].db.session
    store = db_session.get(Store, catalog.store_id)
    pusher = Pusher(store, client_for(store), None)
    times: dict[str, list[float]] = {"read": [], "rows": [], "compare": [], "total": [], "changed": []}
    found = 0
    gc.collect()
    gc.freeze()
    try:
        for _ in range(repeats):
            c0 = time.thread_time()
            products = list(catalog.shop.iter_products())
            c1 = time.thread_time()
            rows = changes.stored_rows(pusher, None)
            c2 = time.thread_time()
            _, changed = changes.detect(pusher, products, rows)
            c3 = time.thread_time()
            assert not changed, f"{len(changed)} changes found in an unchanged catalog"
            del products, rows
            for key, value in (("read", c1 - c0), ("rows", c2 - c1), ("compare", c3 - c2), ("total", c3 - c0)):
                times[key].append(value)
        change(n // 10)
        for _ in range(repeats):
            c4 = time.thread_time()
            products = list(catalog.shop.iter_products())
            _, changed = changes.detect(pusher, products, changes.stored_rows(pusher, None))
            times["changed"].append(time.thread_time() - c4)
            found = len(changed)
            del products, changed
    finally:
        gc.unfreeze()

    def fig(key: str) -> str:
        return f"{min(times[key]):.2f} / {statistics.median(times[key]):.2f} s"

    how = f"CPU, min / median of {repeats}"
    measured(f"read {n:,} products through the demo shop's adapter (SQLite): {fig('read')} {how}")
    measured(f"read {n:,} links' stored digests: {fig('rows')} {how}")
    measured(f"compare, nothing changed: {fig('compare')}; total {fig('total')} {how} (target < 2 s)")
    measured(f"read and compare, 10% changed ({found:,} found): {fig('changed')} {how}")
    db_session.rollback()


def wall_clock_figures(n: int, events: int, gap: float) -> bool:
    print(f"\n-- stock change → Amazon, wall clock ({n:,} products, real sandbox rate limits) --")
    catalog = build(n, SystemClock())
    try:
        return stock_latency.wall_clock(catalog, events, gap)
    finally:
        catalog.close()


if __name__ == "__main__":
    sys.exit(main())
