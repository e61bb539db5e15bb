"""The products page at a real seller's size: render time with 100,000 linked SKUs.

    .venv/bin/python bench/products_page.py [--products 100000] [--renders 20]

Builds the demo shop with N products, all linked and live (products_catalog.py), signs in as the
demo admin and times GET /products (first page, a later page, a state filter, a search) through the
Flask test client: the whole request (queries, the adapter's product names, templates), not the
network. Target (issue 17 §3): under 100 ms at 100,000 SKUs.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import legend, measured  # noqa: E402
from products_catalog import build  # noqa: E402

from flask_amazon_tr.clock import SimulatedClock  # noqa: E402

SIM_START = 1772442000.0  # 2026-03-02T09:00:00Z
TARGET_MS = 100.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args(argv)
    logging.getLogger("amazon_tr").setLevel(logging.ERROR)
    legend()
    started = time.perf_counter()
    catalog = build(args.products, SimulatedClock(start=SIM_START))
    measured(f"set-up: {args.products:,} products and links in {time.perf_counter() - started:.1f} s wall")
    ok = True
    try:
        client = catalog.app.test_client()
        with client.session_transaction() as sess:
            sess["demo_admin"] = True
        base = f"/admin/amazon/stores/{catalog.store_id}/products"
        for label, url in (("first page", base), ("page 1000", f"{base}?page=1000"),
                           ("state filter", f"{base}?state=processing"), ("search", f"{base}?q=B-0999")):
            first = client.get(url)
            assert first.status_code == 200, (url, first.status_code)
            times = []
            for _ in range(args.renders):
                t0 = time.perf_counter()
                resp = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert resp.status_code == 200
            median, worst = statistics.median(times), max(times)
            measured(f"products page, {label}, {args.products:,} SKUs: median {median:.1f} ms, "
                     f"max {worst:.1f} ms over {args.renders} renders (target < {TARGET_MS:.0f} ms)")
            ok = ok and median < TARGET_MS
    finally:
        catalog.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
