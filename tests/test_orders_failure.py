"""Exactly once under failure: kill -9 mid-import and re-run; two importers at once; SQLite and PostgreSQL.

The importers are separate Python processes running the real service against
the local Amazon over HTTP and the real database; the test process only
starts, kills and checks them.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from test_orders_helpers import (
    add_bulk_orders,
    add_store,
    expected_reservations,
    imported,
    orders_app,
    runs_of,
    seller_orders,
    shop_orders,
    stock,
    use_demo_skus,
)

ROOT = Path(__file__).resolve().parents[1]

WORKER = r"""
import json, sys
from demo import create_app
config = json.loads(sys.argv[1])
mode, store_id = sys.argv[2], int(sys.argv[3])
app = create_app(config)
with app.app_context():
    from flask_amazon_tr.services import orders
    if mode == "import":
        run = orders.import_orders(store_id, trigger="cli")
        print(json.dumps({"status": run.status, "counts": run.counts, "error": run.error}))
    else:
        # No lease: both processes write the same pages at the same time; only the database keeps them apart.
        from flask_amazon_tr.models import Store
        from flask_amazon_tr.services.amazon import calling_amazon
        from flask_amazon_tr.services.orders import INCLUDED_DATA
        from flask_amazon_tr.services import session
        from datetime import timedelta
        store = session().get(Store, store_id)
        with calling_amazon(store) as client:
            since = app.extensions["amazon_tr"].clock.now() - timedelta(days=40)
            for page in client.search_orders(last_updated_after=since, included_data=list(INCLUDED_DATA)):
                orders.apply_orders(store_id, page["orders"], run_id=None, cursor=None)
        print(json.dumps({"status": "done"}))
"""


def worker_config(app, sandbox, db_url):
    return {
        "INSTANCE_PATH": app.instance_path,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": "test-secret",
        "AMAZON_TR_ENCRYPTION_KEY": app.config["AMAZON_TR_ENCRYPTION_KEY"],
        "AMAZON_TR_SANDBOX": "local",
        "AMAZON_TR_LOCAL_SANDBOX_URL": sandbox.url,
        "DEMO_MOUNT_SANDBOX": False,
    }


def start_worker(config, mode, store_id):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(config), mode, str(store_id)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, timeout=180):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def rows_committed(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM amazon_tr_order")).scalar()


def assert_exactly_once(app, sandbox, store_id, initial_stock, *, first_import=True):
    amazon = seller_orders(sandbox)
    shop = shop_orders(app)
    numbers = [o["number"] for o in shop]
    assert len(numbers) == len(set(numbers)), "an Amazon order became two shop orders"
    assert sorted(numbers) == sorted("AMZ-" + oid for oid in amazon), "an Amazon order is missing"
    rows = imported(app, store_id)
    assert sorted(r.amazon_order_id for r in rows) == sorted(amazon)
    # Every reservation happened once: stock is what the orders account for, no more, no less.
    assert stock(app) == expected_reservations(app, amazon, initial_stock, first_import=first_import)
    by_number = {o["number"]: o for o in shop}
    for oid, order in amazon.items():
        line_count = len(order["orderItems"])
        assert len(by_number["AMZ-" + oid]["lines"]) == line_count


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def big_sandbox(sandbox):
    add_bulk_orders(sandbox, 1140)  # with the 60 seeded: 1,200 orders, 12 pages
    use_demo_skus(sandbox)
    # Each page takes a moment, so a kill lands inside the import rather than after it.
    sandbox.state.inject_fault("searchOrders", "slow", count=1000, seconds=0.15)
    return sandbox


def test_kill_minus_9_at_random_moments_then_rerun(tmp_path, big_sandbox, db_url):
    app = orders_app(tmp_path, big_sandbox, SQLALCHEMY_DATABASE_URI=db_url)
    store = add_store(app, big_sandbox.url)
    initial = stock(app)
    config = worker_config(app, big_sandbox, db_url)
    engine = sa.create_engine(db_url)
    rng = random.Random(5)
    committed_at_kill = []
    try:
        for round_ in range(4):
            proc = start_worker(config, "import", store)
            # kill at a random moment: before anything, between pages, inside a page's transaction
            target = rng.choice([0, 1, 3, 5]) * 100 + rng.randint(0, 60)
            deadline = time.monotonic() + 60
            while rows_committed(engine) < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.3))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            committed_at_kill.append(rows_committed(engine))
        assert committed_at_kill[-1] < len(seller_orders(big_sandbox)), "the kills came too late to test anything"
        big_sandbox.state.clear_faults()
        result = finish(start_worker(config, "import", store))
        assert result["status"] == "done", result
    finally:
        engine.dispose()
    assert_exactly_once(app, big_sandbox, store, initial)
    runs = runs_of(app, store)
    assert runs[-1].status == "done"
    assert all(r.status == "failed" for r in runs[:-1])  # the killed ones are marked, none stays "running"
    # A later run finds nothing new: the cursor was kept.
    again = finish(start_worker(config, "import", store))
    assert again["counts"].get("created", 0) == 0


def test_two_importers_at_once_share_the_store_lease(tmp_path, big_sandbox, db_url):
    app = orders_app(tmp_path, big_sandbox, SQLALCHEMY_DATABASE_URI=db_url)
    store = add_store(app, big_sandbox.url)
    initial = stock(app)
    config = worker_config(app, big_sandbox, db_url)
    procs = [start_worker(config, "import", store) for _ in range(2)]
    results = [finish(p) for p in procs]
    statuses = sorted(r["status"] for r in results)
    # One imports; the other found the store busy (or ran after the first, with nothing left to create).
    created = sum(r["counts"].get("created", 0) for r in results)
    assert created == len(seller_orders(big_sandbox)), results
    assert "done" in statuses
    assert_exactly_once(app, big_sandbox, store, initial)


def test_two_writers_of_the_same_pages_without_a_lease(tmp_path, sandbox, db_url):
    """Past the lease (an expired one, a second machine), the database alone keeps each order once."""
    add_bulk_orders(sandbox, 540)
    use_demo_skus(sandbox)
    app = orders_app(tmp_path, sandbox, SQLALCHEMY_DATABASE_URI=db_url)
    store = add_store(app, sandbox.url)
    initial = stock(app)
    sandbox.state.rate_limits_enabled = False  # both processes page through at full speed
    config = worker_config(app, sandbox, db_url)
    procs = [start_worker(config, "apply", store) for _ in range(3)]
    for proc in procs:
        assert finish(proc)["status"] == "done"
    # Pages applied without an import run: no first import began, so shipped orders hold their units.
    assert_exactly_once(app, sandbox, store, initial, first_import=False)
