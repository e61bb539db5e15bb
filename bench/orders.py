"""Sipariş Aktarımı benchmark: import N sandbox orders and print what it cost the shop.

    .venv/bin/python bench/orders.py                    # 1,000 and 10,000 orders
    .venv/bin/python bench/orders.py 1000 10000 50000   # any sizes

    .venv/bin/python bench/orders.py 50                 # a smoke run: a few seconds

Three processes, so that each figure belongs to one of them: the local Amazon (its own
process, holding the orders), the shop (the demo shop on SQLite with the plugin) and
this one, which starts both and prints. The shop and the sandbox share a simulated
clock (the shop's waits under Amazon's rate limits advance the sandbox's clock over its
control API), so hours of searchOrders' limit take no real time.

For each size: shop orders created against orders on Amazon (all purchase dates in the
past, spread evenly over the 29 days before the import, inside the 30 days the first
import reaches back); searchOrders calls against the minimum ceil(N/100); simulated
seconds under the documented limit (0.0056 requests/s, burst 20) against the floor it
allows; CPU per 1,000 orders of the shop process (and of its importing thread), with the
sandbox process's CPU apart; peak memory of the shop process: its Python heap during the
import (tracemalloc, in a second import into a fresh database, so that tracing does not
slow the first) and its resident set.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from figures import computed, counted, legend, measured  # noqa: E402
from processes import Children  # noqa: E402

from flask_amazon_tr.clock import SimulatedClock  # noqa: E402
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID, iso  # noqa: E402
from flask_amazon_tr.services.orders.importer import FIRST_IMPORT_DAYS  # noqa: E402
from flask_amazon_tr.spapi.ratelimit import USAGE_PLANS  # noqa: E402

PY = sys.executable
SIM_START = 1772442000.0  # 2026-03-02T09:00:00Z
#: The first import reaches 30 days back; the orders are spread well inside that window.
SPREAD = timedelta(days=29)
NEWEST_AGE = timedelta(hours=1)
DEMO_SKUS = [f"DEMO-{i:04d}" for i in range(1, 37)]


# --- the sandbox process ---------------------------------------------------------------

def serve_sandbox(n: int) -> None:
    """Hold N orders of the bench seller, print where and how to reach them, serve until stdin closes."""
    from flask_amazon_tr.sandbox import SandboxServer, SandboxState

    state = SandboxState(clock=SimulatedClock(start=SIM_START))
    seeded = sum(1 for o in state.orders.values() if o["_sellerId"] == TR_SELLER_ID)
    extra = max(0, n - seeded)
    newest = state.clock.now() - NEWEST_AGE
    oldest = newest - SPREAD
    for i in range(extra):
        state.add_order(created=oldest + SPREAD * (i / max(1, extra - 1)), status="UNSHIPPED")
    with state.lock:
        for order in state.orders.values():
            for k, item in enumerate(order["orderItems"]):
                if item["product"]["sellerSku"] not in DEMO_SKUS:
                    item["product"]["sellerSku"] = DEMO_SKUS[(int(order["orderId"].replace("-", "")) + k) % 36]
        mine = [o for o in state.orders.values() if o["_sellerId"] == TR_SELLER_ID]
        # every order placed and last changed in the past, and inside the first import's window
        now, window_start = state.now_iso(), iso(state.clock.now() - timedelta(days=FIRST_IMPORT_DAYS))
        future = sum(1 for o in mine if max(o["createdTime"], o["lastUpdatedTime"]) > now)
        early = sum(1 for o in mine if o["lastUpdatedTime"] < window_start)
    server = SandboxServer(state=state)
    server.start()
    print(json.dumps({"url": server.url, "refresh_token": state.authorize(TR_SELLER_ID)["refresh_token"],
                      "orders": len(mine), "future": future, "early": early}), flush=True)
    sys.stdin.read()
    server.stop()


class LinkedClock(SimulatedClock):
    """The shop's simulated clock: every wait under a rate limit moves the sandbox's clock alike."""

    def __init__(self, start: float, sandbox_url: str) -> None:
        super().__init__(start=start)
        self.url = sandbox_url + "/_sandbox/clock"
        self.http = requests.Session()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            super().sleep(seconds)
            self.http.post(self.url, json={"advance": seconds}, timeout=30).raise_for_status()


# --- the shop process -----------------------------------------------------------------

def run_shop(sandbox_url: str, refresh_token: str, sandbox_pid: int) -> None:
    """Import every order on a fresh demo shop, twice: once timed, once traced; print one JSON line.

    The first import gives the CPU and wall figures (and the sandbox's CPU over the same
    span, read from /proc), the second, into a fresh database with tracemalloc on, the
    peak of the Python heap. Between the two the sandbox's clock is moved on until
    searchOrders' burst is back, and the second shop starts its clock afresh, so the
    second import meets the same orders and limits as the first.
    """
    logging.disable(logging.WARNING)
    first = _import_once(sandbox_url, refresh_token, LinkedClock(SIM_START, sandbox_url), sandbox_pid=sandbox_pid)
    counts = requests.get(sandbox_url + "/_sandbox/requests", timeout=30).json()["counts"]
    first.update(calls=counts.get("searchOrders", 0), get_order_calls=counts.get("getOrder", 0))
    rate, burst = USAGE_PLANS["searchOrders"]
    requests.post(sandbox_url + "/_sandbox/clock", json={"advance": burst / rate}, timeout=30).raise_for_status()
    second = _import_once(sandbox_url, refresh_token, LinkedClock(SIM_START, sandbox_url), trace=True)
    first["peak_heap"] = second["peak_heap"]
    first["traced_created"] = second["created"]
    print(json.dumps(first), flush=True)


def _import_once(sandbox_url: str, refresh_token: str, clock, *, trace: bool = False,
                 sandbox_pid: int | None = None) -> dict:
    from demo_shop import Order, db, seed_products, shop_app
    from flask_amazon_tr.models import Store
    from flask_amazon_tr.services import orders
    from flask_amazon_tr.services.authorization import grant

    with tempfile.TemporaryDirectory(prefix="amazon-tr-bench-orders-") as tmp:
        app = shop_app(Path(tmp), sandbox_url, clock)
        with app.app_context():
            seed_products()
            store = grant(Store(name="Bench", seller_id=TR_SELLER_ID, active=True, order_import=True),
                          refresh_token, TR_SELLER_ID)
            db.session.add(store)
            db.session.commit()
            store_id = store.id

            sim_start = clock.time()
            if trace:
                tracemalloc.start()
            sandbox_cpu = cpu_seconds(sandbox_pid) if sandbox_pid else 0.0
            cpu_thread, cpu_process, wall = time.thread_time(), time.process_time(), time.perf_counter()
            run = orders.import_orders(store_id, trigger="cli")
            cpu_thread = time.thread_time() - cpu_thread
            cpu_process = time.process_time() - cpu_process
            wall = time.perf_counter() - wall
            sandbox_cpu = (cpu_seconds(sandbox_pid) - sandbox_cpu) if sandbox_pid else 0.0
            peak = tracemalloc.get_traced_memory()[1] if trace else 0
            if trace:
                tracemalloc.stop()
            result = {"status": run.status, "error": run.error, "created": run.counts.get("created", 0),
                      "waits": run.counts.get("waits", 0), "in_shop": db.session.query(Order).count(),
                      "sim_seconds": clock.time() - sim_start, "cpu_thread": cpu_thread,
                      "cpu_process": cpu_process, "wall": wall, "peak_heap": peak, "sandbox_cpu": sandbox_cpu,
                      "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
            db.session.remove()
            db.engine.dispose()
    return result


# --- this process ---------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User + system CPU of another process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(n: int, timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH.parent), os.environ.get("PYTHONPATH")])))
    with Children() as children:
        sandbox = children.start([PY, __file__, "--serve-sandbox", str(n)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, env=env, cwd=BENCH.parent)
        line = sandbox.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox process exited with {sandbox.wait()}")
        info = json.loads(line)
        requests.delete(info["url"] + "/_sandbox/requests", timeout=30).raise_for_status()
        args = [PY, __file__, "--shop", info["url"], info["refresh_token"], str(sandbox.pid)]
        out = children.run(args, timeout=timeout, env=env, cwd=BENCH.parent)
        result = json.loads(out.strip().splitlines()[-1])
    result.update(n=info["orders"], future=info["future"], early=info["early"])
    return result


def report(n_asked: int, timeout: float) -> bool:
    r = one_run(n_asked, timeout=timeout)
    heap = r["peak_heap"]
    n = r["n"]
    rate, burst = USAGE_PLANS["searchOrders"]
    minimum = math.ceil(n / 100)
    floor = max(0, minimum - burst) / rate
    print(f"\n-- {n:,} orders on Amazon, purchase dates spread over the {SPREAD.days} days before the import --")
    counted(f"shop orders created: {r['in_shop']:,} of {n:,} on Amazon ({r['future']} dated in the future, "
            f"{r['early']} before the import's {FIRST_IMPORT_DAYS}-day window); "
            f"run {r['status']} {r['error'] or ''}".rstrip())
    counted(f"searchOrders calls: {r['calls']:,} (minimum ceil(N/100) = {minimum:,}); getOrder calls: "
            f"{r['get_order_calls']:,}")
    computed(f"simulated time under searchOrders' limit: {r['sim_seconds']:,.1f} s (floor at {rate}/s, burst "
             f"{burst}: {floor:,.1f} s); rate-limit waits: {r['waits']}")
    per = 1000 / max(1, n)
    measured(f"CPU per 1,000 orders: {r['cpu_process'] * per:.2f} s the shop process "
             f"({r['cpu_thread'] * per:.2f} s its importing thread); the sandbox's own process "
             f"{r['sandbox_cpu'] * per:.2f} s, not counted; import wall time {r['wall']:.1f} s")
    measured(f"peak memory of the shop process: Python heap during the import {heap / 1e6:.1f} MB (tracemalloc, "
             f"a second import into a fresh database); resident set high-water {r['max_rss'] / 1e6:.0f} MB "
             f"(set-up included)")
    return r["status"] == "done" and r["in_shop"] == n and r["future"] == r["early"] == 0 \
        and r["traced_created"] == n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, help="orders on Amazon (default: 1000 10000)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one run may take")
    parser.add_argument("--serve-sandbox", type=int, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument("--shop", nargs=3, metavar=("URL", "TOKEN", "SANDBOX_PID"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_sandbox is not None:
        serve_sandbox(args.serve_sandbox)
        return 0
    if args.shop:
        url, token, pid = args.shop
        run_shop(url, token, int(pid))
        return 0
    legend()
    print("Sipariş Aktarımı: the demo shop on SQLite, the local Amazon in its own process over HTTP, "
          "a simulated clock shared by both")
    ok = [report(n, args.timeout) for n in (args.sizes or [1000, 10000])]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
