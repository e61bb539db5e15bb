"""Every admin page costs a constant number of SQL statements, whatever the data behind it.

The pages are taken from the app's URL map (every GET route of the ``amazon_tr`` blueprint), so
a new page is covered the day it is added: a route argument this file does not know how to fill
fails the test instead of being skipped. Each page is rendered with a small shop (one store, one
row of each kind) and again after many more stores, runs, orders, packages, products, links,
Amazon listings and feeds were added; the number of statements must not grow (an N+1 would).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from querycount import counting_queries

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
#: Pages Amazon sends the seller's browser to: rendered with the parameters Amazon adds (the store's
#: Seller ID is A000000000001); the OAuth callback is counted without them (it goes back to the list).
AMAZON_LANDINGS = {
    "amazon_tr.oauth_login": {"amazon_callback_uri": "https://sellercentral.amazon.com.tr/apps/authorize/confirm/x",
                              "amazon_state": "amazon-state-1", "selling_partner_id": "A000000000001"},
    "amazon_tr.oauth_callback": {},
}
ISSUE = [{"code": "90220", "message": "'brand' gerekli", "severity": "ERROR", "attributeNames": ["brand"]}]


def _admin_routes(app):
    """(endpoint, rule) of every admin page a browser can GET."""
    return sorted((rule.endpoint, rule) for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("amazon_tr.") and "GET" in rule.methods)


def _add_store(db, number: int):
    from flask_amazon_tr.models import Store

    store = Store(name=f"Mağaza {number}", seller_id=f"A{number:012d}", store_url=f"https://www.amazon.com.tr/s?me=A{number}",
                  product_update=True, order_import=True, auto_update_type="stock_price")
    db.session.add(store)
    db.session.flush()
    return store.id


def _add_rows(db, store_id: int, *, first: int, count: int, skus: list[str]) -> None:
    """``count`` rows of every kind an admin page lists, for one store; ``first`` keeps keys unique."""
    from flask_amazon_tr.models import (AmazonListing, ImportedOrder, ListingFeed, ListingLink, SchedulerStore,
                                        ShipmentOrder, ShipmentPackage, SyncRun)

    for i in range(first, first + count):
        when = START + timedelta(hours=i)
        for kind in ("orders", "products", "shipments", "inventory", "purge"):
            db.session.add(SyncRun(store_id=store_id, kind=kind, trigger="scheduler", status="done" if i % 3 else "failed",
                                   started_at=when, finished_at=when + timedelta(seconds=5),
                                   counts_json='{"created": 1, "pages": 1}', error=None if i % 3 else "Amazon yanıt vermedi"))
        state = ("ready", "shipped", "skipped", "cancelled", "pending")[i % 5]
        order = ImportedOrder(store_id=store_id, amazon_order_id=f"403-{store_id:03d}{i:04d}-0000000",
                              shop_number=None if state == "skipped" else f"AMZ-{store_id}-{i}", state=state,
                              amazon_status="UNSHIPPED", total=Decimal("120.50"), item_count=1,
                              unknown_skus="YOK-1" if state == "skipped" else None, purchased_at=when,
                              amazon_updated_at=when, imported_at=when, updated_at=when,
                              ship_by_latest=when + timedelta(days=2),
                              lines_json='[{"sku": "DEMO-0001", "title": "Çay", "quantity": 1, "unit_price": "120.50"}]')
        db.session.add(order)
        db.session.flush()
        db.session.add(ShipmentOrder(order_id=order.id, fulfillment_status="UNSHIPPED", fulfilled_by="MERCHANT",
                                     items_json='[{"orderItemId": "1%013d", "sku": "DEMO-0001", "title": "Çay", '
                                                '"quantityOrdered": 2, "quantityFulfilled": 1}]' % i,
                                     fetched_at=when))
        db.session.add(_package(store_id, order, i, 1))
        sku = skus[i % len(skus)] if i < len(skus) else f"AMZ-ONLY-{store_id}-{i}"
        link_state = ("live", "error", "pending", "locked", "unlinked")[i % 5]
        db.session.add(ListingLink(store_id=store_id, sku=sku, asin=f"B0{store_id:03d}{i:05d}", product_type="HOME",
                                   state=link_state, issues_json="[]" if link_state == "live" else
                                   json.dumps(ISSUE), content_hash="c", price_hash="p", stock_hash="s",
                                   amazon_price=Decimal("99.90"), amazon_quantity=3, last_pushed_at=when,
                                   locked_reason="Katalog sayfası başka satıcının" if link_state == "locked" else None,
                                   feed_id=f"F{store_id}-{i}" if i % 7 == 0 else None))
        db.session.add(AmazonListing(store_id=store_id, sku=sku, asin=f"B0{store_id:03d}{i:05d}", status="BUYABLE",
                                     fulfillment_channel="DEFAULT", price=Decimal("99.90"), quantity=3, seen_at=when))
        db.session.add(ListingFeed(store_id=store_id, feed_id=f"F{store_id}-{i}", status="IN_PROGRESS",
                                   message_count=1, submitted_at=when))
    if first == 0:
        db.session.add(SchedulerStore(store_id=store_id, paused_at=START))


def _package(store_id, order, i: int, ref: int):
    from flask_amazon_tr.models import ShipmentPackage

    return ShipmentPackage(store_id=store_id, order_id=order.id, amazon_order_id=order.amazon_order_id,
                           package_reference_id=str(ref), signal_key=f"k{order.id}-{ref}", carrier="Aras Kargo",
                           carrier_code="Aras", carrier_name="Aras Kargo", tracking_number=f"TR{i}{ref}",
                           ship_date=START, lines_json='[{"orderItemId": "1", "quantity": 1}]',
                           state=("confirmed", "failed", "retry", "pending")[ref % 4], attempts=1,
                           last_message="Amazon reddetti" if ref % 4 == 1 else None)


def _add_products(db, first: int, count: int) -> list[str]:
    from demo import Product

    skus = [f"BULK-{i:06d}" for i in range(first, first + count)]
    db.session.add_all(Product(sku=sku, ean=None, title=f"Ürün {sku}", brand="Marka", category=f"Kategori {n % 40}",
                               description="", price=Decimal("10.00") + n, stock=n % 9) for n, sku in enumerate(skus))
    return skus


class Pages:
    """Each admin GET page of store 1 with real ids; counts the statements of one request."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        from demo import db

        with app.app_context():
            self.engine = db.engine

    def urls(self, ids: dict) -> dict[str, str]:
        from flask import url_for

        out = {}
        with self.app.test_request_context():
            for endpoint, rule in _admin_routes(self.app):
                unknown = set(rule.arguments) - set(ids)
                assert not unknown, f"{endpoint}: fill {sorted(unknown)} with a real row in this test"
                out[endpoint] = url_for(endpoint, **{name: ids[name] for name in rule.arguments},
                                        **AMAZON_LANDINGS.get(endpoint, {}))
        return out

    def count(self, url: str) -> tuple[int, int, list[str]]:
        with counting_queries(self.engine) as seen:
            response = self.client.get(url)
        return response.status_code, len(seen), seen


@pytest.fixture
def small_shop(app):
    """One store with one row of each kind; returns the ids a URL needs."""
    from demo import db
    from flask_amazon_tr.models import ImportedOrder, SyncRun

    with app.app_context():
        store_id = _add_store(db, 1)
        skus = _add_products(db, 0, 5)
        _add_rows(db, store_id, first=0, count=5, skus=skus)
        db.session.commit()
        run_id = db.session.query(SyncRun.id).filter_by(store_id=store_id, kind="orders").order_by(SyncRun.id).first()[0]
        order_id = db.session.query(ImportedOrder.id).filter_by(store_id=store_id, state="ready").first()[0]
    return {"store_id": store_id, "run_id": run_id, "order_id": order_id}


def _grow(app, ids: dict) -> None:
    """Nine more stores, 60 more rows of every kind per store, 2,000 more products, 40 more packages on the order."""
    from demo import db
    from flask_amazon_tr.models import ImportedOrder

    with app.app_context():
        skus = _add_products(db, 10_000, 2_000)
        _add_rows(db, ids["store_id"], first=5, count=60, skus=skus)
        for number in range(2, 11):
            _add_rows(db, _add_store(db, number), first=0, count=60, skus=skus)
        order = db.session.get(ImportedOrder, ids["order_id"])
        db.session.add_all(_package(ids["store_id"], order, 0, ref) for ref in range(2, 42))
        db.session.commit()


def test_every_admin_page_makes_the_same_number_of_queries_for_a_small_and_a_large_shop(app, admin, small_shop):
    pages = Pages(app, admin)
    urls = pages.urls(small_shop)
    assert {"amazon_tr.index", "amazon_tr.edit_store", "amazon_tr.products", "amazon_tr.orders_history",
            "amazon_tr.shipments", "amazon_tr.shipment_order", "amazon_tr.preview"} <= set(urls)
    for url in urls.values():
        admin.get(url)  # warm: what a worker's first request pays (metadata, templates) is not the page's
    few = {endpoint: pages.count(url) for endpoint, url in urls.items()}
    _grow(app, small_shop)
    many = {endpoint: pages.count(url) for endpoint, url in urls.items()}

    # every admin page renders; a landing from Amazon may answer a redirect or a refusal, never a 500
    failed = {endpoint: (few[endpoint][0], many[endpoint][0]) for endpoint in urls
              if few[endpoint][0] != many[endpoint][0]
              or not (few[endpoint][0] < 500 if endpoint in AMAZON_LANDINGS else few[endpoint][0] == 200)}
    assert not failed, f"HTTP status (small shop, large shop): {failed}"
    grew = {endpoint: (few[endpoint][1], many[endpoint][1]) for endpoint in urls if many[endpoint][1] > few[endpoint][1]}
    detail = {endpoint: many[endpoint][2][-6:] for endpoint in grew}
    assert not grew, f"statements per page (small shop, large shop): {grew}; last statements: {detail}"

    # the large shop is on the pages (the comparison is not between two empty pages)
    seen = {endpoint: admin.get(urls[endpoint]).get_data(as_text=True) for endpoint in
            ("amazon_tr.index", "amazon_tr.shipment_order", "amazon_tr.preview", "amazon_tr.products")}
    assert "Mağaza 10" in seen["amazon_tr.index"]
    assert "TR041" in seen["amazon_tr.shipment_order"]  # the order's 41st package
    assert "BULK-010400" in seen["amazon_tr.preview"]  # among its 500 rows of the 2,041 products
