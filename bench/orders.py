"""Sipariş Aktarımı benchmark: import N sandbox orders and print what it cost.

    .venv/bin/python bench/orders.py            # 1,000 and 10,000 orders
    .venv/bin/python bench/orders.py 2500       # other sizes

For each size it prints: searchOrders calls made against the minimum
ceil(N/100); simulated seconds under Amazon's documented searchOrders limit
(0.0056 requests/s, burst 20) against the floor that limit allows; CPU seconds
per 1,000 orders (the importing thread alone, and the whole process with the
in-process sandbox), from a run without tracemalloc; peak Python memory during
the import (tracemalloc, a second run).

Everything is real but the clock: the demo shop on SQLite, the plugin's
service and SP-API client, the local Amazon over loopback HTTP. The shop and
the sandbox share a simulated clock, so three hours of rate-limit waits take
no real time.
"""
from __future__ import annotations

import logging
import math
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_amazon_tr.clock import SimulatedClock  # noqa: E402
from flask_amazon_tr.sandbox import SandboxServer, SandboxState  # noqa: E402
from flask_amazon_tr.services.authorization import grant  # noqa: E402
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID  # noqa: E402
from flask_amazon_tr.spapi.ratelimit import USAGE_PLANS  # noqa: E402

DEMO_SKUS = [f"DEMO-{i:04d}" for i in range(1, 37)]


def prepare_sandbox(n: int, clock: SimulatedClock) -> SandboxServer:
    state = SandboxState(clock=clock)
    seeded = sum(1 for o in state.orders.values() if o["_sellerId"] == TR_SELLER_ID)
    now = clock.now()
    for i in range(max(0, n - seeded)):
        state.add_order(created=now - timedelta(days=10) + timedelta(seconds=i * 60), status="UNSHIPPED")
    with state.lock:
        for order in state.orders.values():
            for k, item in enumerate(order["orderItems"]):
                if item["product"]["sellerSku"] not in DEMO_SKUS:
                    item["product"]["sellerSku"] = DEMO_SKUS[(int(order["orderId"].replace("-", "")) + k) % 36]
    server = SandboxServer(state=state)
    server.start()
    return server


def prepare_shop(tmp: Path, sandbox: SandboxServer, clock: SimulatedClock):
    from flask_amazon_tr import migrate
    from flask_amazon_tr.models import Store
    from wsgi import create_app, db, seed_products

    app = create_app({
        "INSTANCE_PATH": str(tmp / "instance"), "SECRET_KEY": "bench", "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shop.sqlite'}",
        "AMAZON_TR_SANDBOX": "local", "AMAZON_TR_LOCAL_SANDBOX_URL": sandbox.url, "DEMO_MOUNT_SANDBOX": False,
    })
    app.extensions["amazon_tr"].clock = clock
    with app.app_context():
        db.create_all()
        migrate.upgrade(db.engine)
        seed_products()
        state = app.extensions["amazon_tr"]
        token = sandbox.state.authorize(TR_SELLER_ID)["refresh_token"]
        store = grant(Store(name="Bench", seller_id=TR_SELLER_ID, active=True, order_import=True), token,
                      TR_SELLER_ID)
        db.session.add(store)
        db.session.commit()
        return app, store.id


def bench(n: int, *, trace: bool = True) -> dict:
    from flask_amazon_tr.services import orders

    clock = SimulatedClock(start=1772442000.0)
    sandbox = prepare_sandbox(n, clock)
    orders_on_amazon = sum(1 for o in sandbox.state.orders.values() if o["_sellerId"] == TR_SELLER_ID)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app, store_id = prepare_shop(Path(tmp), sandbox, clock)
            with app.app_context():
                sandbox.state.clear_requests()
                sim_start = clock.time()
                if trace:
                    tracemalloc.start()
                cpu_thread, cpu_process, wall = time.thread_time(), time.process_time(), time.perf_counter()
                run = orders.import_orders(store_id, trigger="cli")
                cpu_thread = time.thread_time() - cpu_thread
                cpu_process = time.process_time() - cpu_process
                wall = time.perf_counter() - wall
                peak = 0
                if trace:
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                assert run.status == "done", run.error
                counts = run.counts
                from wsgi import Order, db

                in_shop = db.session.query(Order).count()
                db.session.remove()
                db.engine.dispose()
    finally:
        sandbox.stop()
    calls = sandbox.state.count("searchOrders")
    rate, burst = USAGE_PLANS["searchOrders"]
    minimum = math.ceil(orders_on_amazon / 100)
    floor = max(0, minimum - burst) / rate
    return {
        "n": orders_on_amazon, "in_shop": in_shop, "created": counts.get("created", 0),
        "calls": calls, "get_order_calls": sandbox.state.count("getOrder"), "minimum": minimum,
        "sim_seconds": clock.time() - sim_start, "floor": floor, "waits": counts.get("waits", 0),
        "cpu_thread_per_1000": cpu_thread / orders_on_amazon * 1000,
        "cpu_process_per_1000": cpu_process / orders_on_amazon * 1000,
        "wall": wall, "peak_mb": peak / 1e6,
    }


def main(argv: list[str]) -> None:
    logging.disable(logging.WARNING)
    sizes = [int(a) for a in argv[1:]] or [1000, 10000]
    print("Sipariş Aktarımı benchmark (SQLite, local sandbox over HTTP, simulated clock)")
    for n in sizes:
        cpu = bench(n, trace=False)  # CPU without tracemalloc's overhead
        r = bench(n)
        r.update({k: cpu[k] for k in ("cpu_thread_per_1000", "cpu_process_per_1000", "wall")})
        print(f"\n{r['n']:,} orders on Amazon, {r['in_shop']:,} shop orders created ({r['created']:,} counted)")
        print(f"  searchOrders calls: {r['calls']} (minimum ceil(N/100) = {r['minimum']}); getOrder calls: "
              f"{r['get_order_calls']}")
        print(f"  simulated time: {r['sim_seconds']:,.1f} s (floor under 0.0056/s, burst 20: {r['floor']:,.1f} s); "
              f"rate-limit waits: {r['waits']}")
        print(f"  CPU per 1,000 orders: {r['cpu_thread_per_1000']:.2f} s importer thread, "
              f"{r['cpu_process_per_1000']:.2f} s whole process incl. sandbox; wall {r['wall']:.1f} s")
        print(f"  peak Python memory during the import: {r['peak_mb']:.1f} MB")


if __name__ == "__main__":
    main(sys.argv)
