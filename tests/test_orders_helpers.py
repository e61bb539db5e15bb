"""Shared set-up of the order import tests: the demo shop against the local Amazon, over real HTTP.

No tests here; the test_orders*.py modules import these fixtures and helpers.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from conftest import make_app
from flask_amazon_tr.models import ImportedOrder, Store, SyncRun
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
from flask_amazon_tr.services.authorization import grant

DEMO_SKUS = [f"DEMO-{i:04d}" for i in range(1, 37)]  # the demo shop's products


def add_store(app, sandbox_url, *, name="Amazon Türkiye Mağazam", active=True, order_import=True,
              authorized=True, seller_id=TR_SELLER_ID) -> int:
    """A store row authorized the way the Yetkilendir flow leaves it: a real refresh token from the sandbox."""
    from sandbox_fixtures import authorize_over_http
    from demo import db

    with app.app_context():
        store = Store(name=name, seller_id=seller_id, active=active, order_import=order_import)
        if authorized:
            grant(store, authorize_over_http(sandbox_url, seller_id=seller_id)["refresh_token"], seller_id)
        db.session.add(store)
        db.session.commit()
        return store.id


def orders_app(tmp_path, sandbox, clock=None, **config):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url, **config)
    if clock is not None:
        app.extensions["amazon_tr"].clock = clock
    return app


def shop_orders(app):
    from demo import Order, db

    with app.app_context():
        rows = db.session.scalars(select(Order).order_by(Order.number)).all()
        return [{
            "number": o.number, "status": o.status, "customer_name": o.customer_name, "address": o.address,
            "phone": o.phone, "total": o.total, "shipping": o.shipping, "tax": o.tax,
            "channel": o.fulfillment_channel, "reserved": o.stock_reserved,
            "lines": [(line.sku, line.title, line.quantity, line.unit_price, line.matched) for line in o.lines],
        } for o in rows]


def stock(app) -> dict[str, int]:
    from demo import Product, db

    with app.app_context():
        return {p.sku: p.stock for p in db.session.scalars(select(Product))}


def imported(app, store_id=None):
    from demo import db

    with app.app_context():
        query = select(ImportedOrder).order_by(ImportedOrder.amazon_order_id)
        if store_id is not None:
            query = query.where(ImportedOrder.store_id == store_id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def runs_of(app, store_id):
    from demo import db

    with app.app_context():
        rows = db.session.scalars(select(SyncRun).where(SyncRun.store_id == store_id).order_by(SyncRun.id)).all()
        db.session.expunge_all()
        return rows


def seller_orders(sandbox, seller_id=TR_SELLER_ID) -> dict[str, dict]:
    with sandbox.state.lock:
        return {oid: o for oid, o in sandbox.state.orders.items() if o.get("_sellerId") == seller_id}


def use_demo_skus(sandbox, seller_id=TR_SELLER_ID) -> None:
    """Point the sandbox's seeded order lines at SKUs the demo shop sells (the seed uses DEMO-0001…0040)."""
    with sandbox.state.lock:
        for order in sandbox.state.orders.values():
            for n, item in enumerate(order["orderItems"]):
                sku = item["product"]["sellerSku"]
                if sku not in DEMO_SKUS:
                    item["product"]["sellerSku"] = DEMO_SKUS[(int(order["orderId"].replace("-", "")) + n) % len(DEMO_SKUS)]


def add_bulk_orders(sandbox, count: int, *, start_minutes_ago: int = 600) -> None:
    """``count`` more Turkish orders with demo SKUs, spread over the last hours."""
    st = sandbox.state
    now = st.now()
    for i in range(count):
        created = now - timedelta(minutes=start_minutes_ago) + timedelta(seconds=i * 2)
        st.add_order(created=created, status="UNSHIPPED")
    use_demo_skus(sandbox)
    with st.lock:
        for order in st.orders.values():
            order["lastUpdatedTime"] = order["createdTime"] if order["createdTime"] > order["lastUpdatedTime"] \
                else order["lastUpdatedTime"]


def expected_reservations(app, sandbox_orders: dict[str, dict], initial: dict[str, int], *,
                          first_import: bool = True) -> dict[str, int]:
    """Stock the demo shop must show: merchant-fulfilled open orders hold their units, and shipped ones
    unless the store's first import found them shipped already (placed before it began)."""
    held: Counter = Counter()
    closed = ("CANCELLED", "UNFULFILLABLE") + (("SHIPPED",) if first_import else ())
    for order in sandbox_orders.values():
        ful = order.get("fulfillment") or {}
        if ful.get("fulfilledBy") == "AMAZON" or ful.get("fulfillmentStatus") in closed:
            continue
        for item in order["orderItems"]:
            sku = item["product"]["sellerSku"]
            if sku in initial:
                held[sku] += item["quantityOrdered"]
    return {sku: initial[sku] - held[sku] for sku in initial}


def money(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def oapp(tmp_path, sandbox):
    app = orders_app(tmp_path, sandbox)
    yield app
    from demo import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def store_id(oapp, sandbox):
    use_demo_skus(sandbox)
    return add_store(oapp, sandbox.url)


def import_done(app, store_id):
    """One order import that must end without error; its counts."""
    from flask_amazon_tr.services import orders as order_service

    with app.app_context():
        run = order_service.import_orders(store_id)
        assert (run.status, run.error) == ("done", None)
        return run.counts


def imported_row(app, amazon_order_id) -> ImportedOrder:
    return {r.amazon_order_id: r for r in imported(app)}[amazon_order_id]
