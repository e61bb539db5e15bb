"""Ürün Güncelleme figures for a shop of 100,000 products, against the local sandbox in simulated time.

    .venv/bin/python bench/products.py [--products 100000] [--events 300]

Prints: calls for an unchanged catalog (target 0); calls for a few, 1%, 10% and
100% changed (target: one PATCH per change up to the threshold, at most one feed
cycle per 25,000 changes beyond it); CPU seconds to detect changes (target < 2 s
for 100,000); latency from a shop stock change to Amazon, p50/p95 in simulated
seconds (target p95 < 5 s); and patch-versus-feed timings behind the threshold.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from flask_amazon_tr.clock import SimulatedClock  # noqa: E402
from flask_amazon_tr.sandbox import SandboxServer, SandboxState  # noqa: E402
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID, listing_attributes_for  # noqa: E402
from flask_amazon_tr.services.authorization import grant  # noqa: E402
from flask_amazon_tr.shop import ShopProduct  # noqa: E402


class BenchShop:
    """An in-memory shop adapter with N products."""

    def __init__(self, n: int) -> None:
        self.products = {}
        for i in range(n):
            sku = f"B-{i:06d}"
            self.products[sku] = ShopProduct(sku=sku, title=f"Ürün {i}", price=Decimal(100 + i % 900) + Decimal("0.90"),
                                             stock=i % 50, ean=f"869{i:010d}", brand="Marka", category="Ev",
                                             description="Açıklama")
        self.listeners = []

    def iter_products(self, skus=None):
        if skus is None:
            yield from self.products.values()
        else:
            for sku in skus:
                if sku in self.products:
                    yield self.products[sku]

    def subscribe_stock_changes(self, listener):
        self.listeners.append(listener)

    def upsert_order(self, order):  # pragma: no cover - not used here
        return order.number

    def cancel_order(self, number):  # pragma: no cover
        pass


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args(argv)
    n = args.products

    from conftest import make_app
    from sandbox_fixtures import SIM_START, authorize_over_http
    from sqlalchemy import insert

    from flask_amazon_tr.models import ListingLink, Store
    from flask_amazon_tr.services import listing_values as values
    from flask_amazon_tr.services import listings as service
    from flask_amazon_tr.services.listing_stock import Debounce

    clock = SimulatedClock(start=SIM_START)
    sandbox = SandboxServer(state=SandboxState(clock=clock, seed=False))
    sandbox.start()
    sb = sandbox.state
    tmp = Path(tempfile.mkdtemp(prefix="bench-products-"))
    app = make_app(tmp, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    state = app.extensions["amazon_tr"]
    state.clock = clock
    shop = BenchShop(n)
    state.shop = shop
    tokens = authorize_over_http(sandbox.url)
    db = state.db
    print(f"shop: {n:,} products; sandbox at {sandbox.url}; simulated clock")

    with app.app_context():
        store = grant(Store(name="Bench", seller_id=TR_SELLER_ID, active=True, product_update=True,
                            auto_update_type="stock_price"), tokens["refresh_token"], TR_SELLER_ID)
        db.session.add(store)
        db.session.commit()
        store_id = store.id
        # A catalog Amazon already accepted: links with digests and the sandbox's listings.
        rules = values.Rules()
        rows = []
        listings = sb.listings.setdefault(TR_SELLER_ID, {})
        for p in shop.products.values():
            d = values.part_digests(p, rules, "HOME")
            rows.append({"store_id": store_id, "sku": p.sku, "ean": p.ean, "asin": "B0" + p.sku[-8:].replace("-", "X"),
                         "product_type": "HOME", "requirements": "LISTING_OFFER_ONLY", "state": "live",
                         "issues_json": "[]", "content_hash": d["content"], "price_hash": d["price"],
                         "stock_hash": d["stock"], "updated_at": now})
            item = {"asin": rows[-1]["asin"], "ean": p.ean, "title": p.title, "brand": "Marka", "price": str(p.price)}
            listings[p.sku] = {"sku": p.sku, "productType": "HOME", "asin": item["asin"],
                               "attributes": listing_attributes_for(item, p.stock),
                               "createdDate": sb.now_iso(), "lastUpdatedDate": sb.now_iso()}
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(ListingLink), rows[start:start + 5000])
        db.session.commit()

        def push(label, changed_skus):
            sb.clear_requests()
            t0 = clock.time()
            wall = time.perf_counter()
            run = service.push_products(store_id, trigger="bench", wait=True)
            counts = sb.counts()
            calls = sum(counts.values())
            feeds = counts.get("createFeed", 0)
            print(f"{label:>14}: {changed_skus:>7,} changed -> {calls:>6,} calls {dict(sorted(counts.items()))}; "
                  f"feeds {feeds}; {clock.time() - t0:,.0f} s simulated; {time.perf_counter() - wall:,.1f} s wall; "
                  f"run {run.status} {run.error or ''}")
            return calls

        def change(fraction=None, count=None):
            skus = list(shop.products)
            k = count if count is not None else int(len(skus) * fraction)
            for sku in random.Random(k).sample(skus, k):
                p = shop.products[sku]
                shop.products[sku] = replace(p, price=p.price + 1)
            return k

        print("\n-- calls to Amazon per push (type: Stok ve Fiyat) --")
        push("unchanged", 0)
        push("20 changed", change(count=20))
        push("1% changed", change(0.01))
        push("10% changed", change(0.10))
        push("100% changed", change(1.0))
        push("unchanged", 0)

        print("\n-- CPU to detect changes --")
        from flask_amazon_tr.services.amazon import client_for

        pusher = service.Pusher(store, client_for(store), None)
        c0 = time.process_time()
        rows_now = pusher._rows(None)
        c1 = time.process_time()
        to_link, changed = pusher.detect(list(shop.iter_products()), rows_now)
        c2 = time.process_time()
        change(0.10)
        c3 = time.process_time()
        to_link, changed = pusher.detect(list(shop.iter_products()), rows_now)
        c4 = time.process_time()
        print(f"read {n:,} links' digests: {c1 - c0:.2f} s CPU; detect (nothing changed): {c2 - c1:.2f} s CPU; "
              f"detect (10% changed, {len(changed):,} found): {c4 - c3:.2f} s CPU")
        push("settle", len(changed))

        print("\n-- stock change -> Amazon latency (simulated time, debounce 1 s) --")
        debounce = Debounce(1.0)
        rng = random.Random(5)
        latencies = []
        pending_events = []
        t = clock.time()
        events = sorted(t + rng.uniform(0, args.events * 3.0) for _ in range(args.events))
        skus = list(shop.products)
        i = 0
        while i < len(events) or debounce.deadline is not None:
            next_event = events[i] if i < len(events) else float("inf")
            due_at = debounce.deadline if debounce.deadline is not None else float("inf")
            if next_event <= due_at:
                if next_event > clock.time():
                    clock.advance(next_event - clock.time())
                sku = rng.choice(skus)
                p = shop.products[sku]
                shop.products[sku] = replace(p, stock=(p.stock + 1) % 60)
                debounce.add([sku], clock.time())
                pending_events.append(clock.time())
                i += 1
            else:
                if due_at > clock.time():
                    clock.advance(due_at - clock.time())
                due = debounce.take_due(clock.time())
                from flask_amazon_tr.services.listing_stock import push_stock

                push_stock(list(due))
                done = clock.time()
                latencies.extend(done - at for at in pending_events)
                pending_events = []
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(f"{len(latencies)} stock changes: p50 {p50:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s")

        print("\n-- the threshold: N changes by PATCH vs one feed (simulated seconds until Amazon has them) --")
        for k in (25, 100, 400):
            for how, threshold in (("patch", 10**9), ("feed", 0)):
                app.config["AMAZON_TR_PATCH_THRESHOLD"] = threshold
                change(count=k)
                sb.clear_requests()
                t0 = clock.time()
                service.push_products(store_id, trigger="bench", wait=True)
                print(f"{k:>5} changes by {how:<5}: {sum(sb.counts().values()):>4} calls, "
                      f"{clock.time() - t0:7.1f} s simulated (sandbox processes a feed in "
                      f"{sb.feed_timing.done_after:.0f} s; Amazon takes minutes)")
        app.config["AMAZON_TR_PATCH_THRESHOLD"] = service.PATCH_THRESHOLD
    sandbox.stop()


if __name__ == "__main__":
    main()
