"""Reading a live seller's listings before the first push: calls, simulated time, memory.

    .venv/bin/python bench/inventory.py [sizes ...]    (default: 10000 100000)

The seller has N existing offers on the local Amazon (a simulated clock, Amazon's usage plan
for searchListingsItems: 5 requests/s, burst 5; 20 listings a page; at most 1,000 items per
search, after which the pass goes on from the last date it saw). Prints, per size:
[counted] the searchListingsItems calls against the floor ⌈N/20⌉; [computed] the simulated time
against the rate limit's floor; [measured] the peak Python memory of the pass (tracemalloc)
and its CPU; and [counted] the calls of a second pass with nothing changed on Amazon (one page).
"""
from __future__ import annotations

import argparse
import logging
import math
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_shop  # noqa: E402
from demo_shop import db  # noqa: E402
from figures import computed, counted, legend, measured  # noqa: E402

from flask_amazon_tr.clock import SimulatedClock  # noqa: E402
from flask_amazon_tr.models import Store  # noqa: E402
from flask_amazon_tr.sandbox import SandboxServer, SandboxState  # noqa: E402
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID  # noqa: E402
from flask_amazon_tr.sandbox.seed_live import seed_live_seller  # noqa: E402
from flask_amazon_tr.services.authorization import grant  # noqa: E402
from flask_amazon_tr.services.listings import inventory  # noqa: E402
from flask_amazon_tr.spapi.usage_plans import USAGE_PLANS  # noqa: E402

START = 1772442000.0
PAGE = 20


def one_size(n: int) -> None:
    clock = SimulatedClock(start=START)
    sandbox = SandboxServer(state=SandboxState(clock=clock, seed=False))
    sandbox.start()
    tmp = Path(tempfile.mkdtemp(prefix="amazon-tr-bench-inventory-"))
    try:
        seed_live_seller(sandbox.state, offers=n, fba=n // 20)
        app = demo_shop.shop_app(tmp, sandbox.url, clock)
        with app.app_context():
            token = sandbox.state.authorize(TR_SELLER_ID)["refresh_token"]
            store = grant(Store(name="Bench", seller_id=TR_SELLER_ID, auto_update_type="stock_price"), token,
                          TR_SELLER_ID)
            db.session.add(store)
            db.session.commit()
            sandbox.state.clear_requests()
            t0, cpu0 = clock.time(), time.process_time()
            tracemalloc.start()
            run = inventory.read_inventory(store.id, trigger="bench", full=True)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            cpu = time.process_time() - cpu0
            elapsed = clock.time() - t0
            assert run.status == "done", run.error
            calls = sandbox.state.count("searchListingsItems")
            rate, burst = USAGE_PLANS["searchListingsItems"]
            floor = max(0.0, (math.ceil(n / PAGE) - burst) / rate)
            counted(f"{n:,} listings: {calls:,} searchListingsItems calls (floor ⌈N/20⌉ = {math.ceil(n / PAGE):,}; "
                    f"{run.counts.get('listings', 0):,} items read, {run.counts.get('fba', 0):,} FBA)")
            computed(f"{n:,} listings: {elapsed:,.1f} s simulated (rate-limit floor {floor:,.1f} s at {rate:g}/s, "
                     f"burst {burst})")
            measured(f"{n:,} listings: peak Python memory of the pass {peak / 2**20:.1f} MiB (tracemalloc), "
                     f"CPU {cpu:.1f} s (process, the in-process sandbox included)")
            clock.advance(900)
            sandbox.state.clear_requests()
            again = inventory.read_inventory(store.id, trigger="bench")
            assert again.status == "done", again.error
            counted(f"{n:,} listings, nothing changed on Amazon: the next pass costs "
                    f"{sandbox.state.count('searchListingsItems')} call(s)")
            db.session.remove()
            db.engine.dispose()
    finally:
        sandbox.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, help="existing offers (default: 10000 100000)")
    args = parser.parse_args(argv)
    logging.getLogger("amazon_tr").setLevel(logging.ERROR)
    legend()
    for n in args.sizes or [10000, 100000]:
        one_size(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
