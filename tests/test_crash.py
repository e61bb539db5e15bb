"""kill -9 during a feed submission and during a migration, then a restart.

The victims are separate Python processes running the real service or the real
migrations; each kills itself with SIGKILL at the exact moment under test (the
worker script wraps the call it must die after, the plugin's code runs
unchanged), so nothing gets to clean up: no finally, no atexit, no rollback.
Order imports killed mid-page are in tests/test_orders_failure.py.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from test_migrations import _drift
from test_products_support import build_env, read_inventory_first, seed_demo_catalog

from flask_amazon_tr import migrate
from flask_amazon_tr.models import Base

ROOT = Path(__file__).resolve().parents[1]
SKUS = ["DEMO-0001", "DEMO-0002", "DEMO-0011", "DEMO-0012"]

PUSH_WORKER = r"""
import json, os, signal, sys
from demo import create_app
from flask_amazon_tr.spapi import SPAPIClient
config, store_id, die_after = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if die_after:
    real = getattr(SPAPIClient, die_after)
    def then_die(self, *a, **kw):
        real(self, *a, **kw)
        os.kill(os.getpid(), signal.SIGKILL)  # Amazon has the call; our commit never happens
    setattr(SPAPIClient, die_after, then_die)
app = create_app(config)
with app.app_context():
    from flask_amazon_tr.services.listings import push_products
    run = push_products(store_id, skus=json.loads(sys.argv[4]), wait=True)
    print(json.dumps({"status": run.status, "error": run.error, "counts": run.counts}))
"""


def _run(script, *args, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def feed_env(tmp_path, sandbox):
    seed_demo_catalog(sandbox.state, matched=(1, 2), locked=())
    # a real clock on both sides (the worker cannot share a simulated one); feeds done in a second
    sandbox.state.feed_timing.start_after = 0.2
    sandbox.state.feed_timing.done_after = 0.5
    db_url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    env = build_env(tmp_path, sandbox, AMAZON_TR_PATCH_THRESHOLD=2, SQLALCHEMY_DATABASE_URI=db_url)
    with env.ctx():
        from decimal import Decimal

        from flask_amazon_tr.services.listings import save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME",
                      category_map={"Gıda": "GROCERY"})
    read_inventory_first(env)
    env.config = {
        "INSTANCE_PATH": env.app.instance_path, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "test-secret",
        "AMAZON_TR_ENCRYPTION_KEY": env.app.config["AMAZON_TR_ENCRYPTION_KEY"], "AMAZON_TR_SANDBOX": "local",
        "AMAZON_TR_LOCAL_SANDBOX_URL": sandbox.url, "AMAZON_TR_PATCH_THRESHOLD": 2, "DEMO_MOUNT_SANDBOX": False,
    }
    return env


def _push(env, die_after=""):
    return _run(PUSH_WORKER, json.dumps(env.config), str(env.store_id), die_after, json.dumps(SKUS))


def _listing_values_match_the_shop(env):
    from flask_amazon_tr.models import ListingLink
    from demo import Product, db

    with env.ctx():
        shop = {p.sku: (p.price, p.stock) for p in db.session.scalars(select(Product).where(Product.sku.in_(SKUS)))}
        links = {link.sku: link.state for link in db.session.scalars(select(ListingLink))}
    assert links == dict.fromkeys(SKUS, "live")
    for sku in SKUS:
        attrs = env.listing(sku)["attributes"]
        price = attrs["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"]
        assert (price, attrs["fulfillment_availability"][0]["quantity"]) == (float(shop[sku][0]), shop[sku][1])


def _kill_then_restart(env, die_after):
    killed = _push(env, die_after)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    restarted = _push(env)
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    result = json.loads(restarted.stdout.strip().splitlines()[-1])
    assert (result["status"], result["error"]) == ("done", None), result


def test_kill_between_upload_and_create_feed_then_restart_sends_one_feed(feed_env):
    _kill_then_restart(feed_env, "upload_feed_document")
    with feed_env.sb.lock:
        assert len(feed_env.sb.feeds) == 1, "a feed was sent twice"
    assert feed_env.sb.count("uploadFeedDocument") == 2  # the orphan document is simply never used
    _listing_values_match_the_shop(feed_env)


def test_kill_between_create_feed_and_its_commit_then_restart_sends_no_second_feed(feed_env):
    _kill_then_restart(feed_env, "create_feed")
    _listing_values_match_the_shop(feed_env)  # the values end right either way
    with feed_env.sb.lock:
        assert len(feed_env.sb.feeds) == 1, f"{len(feed_env.sb.feeds)} feeds sent for one push"


# --- migrations ------------------------------------------------------------------------------

MIGRATE_WORKER = r"""
import os, signal, sys
import sqlalchemy as sa
from flask_amazon_tr import migrate
engine = sa.create_engine(sys.argv[1])
kill_at = int(sys.argv[2])
seen = 0
@sa.event.listens_for(engine, "before_cursor_execute")
def count(conn, cursor, statement, *args):
    global seen
    if statement.lstrip().upper().startswith(("CREATE", "ALTER", "INSERT", "UPDATE")):
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)  # mid-migration, the statement half sent
migrate.upgrade(engine)
print(migrate.current(engine))
"""


def _head():
    from alembic.script import ScriptDirectory

    return ", ".join(sorted(ScriptDirectory.from_config(migrate.alembic_config(None)).get_heads()))


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.mark.parametrize("kill_at", [4, 20])  # in the first migration, and in a later one
def test_kill_during_migration_then_upgrade_again_leaves_the_schema_intact(fresh_db, kill_at):
    killed = _run(MIGRATE_WORKER, fresh_db, str(kill_at))
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr[-2000:])
    again = _run(MIGRATE_WORKER, fresh_db, "0")
    assert again.returncode == 0, again.stderr[-3000:]
    engine = sa.create_engine(fresh_db)
    try:
        assert migrate.current(engine) == _head()
        assert _drift(engine) == []
        tables = sorted(t for t in sa.inspect(engine).get_table_names() if t.startswith("amazon_tr_"))
        assert tables == sorted(list(Base.metadata.tables) + [migrate.VERSION_TABLE])
        with engine.connect() as conn:
            # one row per head of the plugin's branches, each once
            rows = sorted(conn.execute(sa.text(f"SELECT version_num FROM {migrate.VERSION_TABLE}")).scalars())
        assert ", ".join(rows) == _head()
    finally:
        engine.dispose()
