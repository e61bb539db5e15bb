"""After a whole day's work (authorize, API test, order import, product push), no refresh token,
access token, client secret or buyer's personal data is in plain text in the database, the logs or
any of the plugin's pages."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from conftest import make_app
from flask_amazon_tr.sandbox.seed import SANDBOX_CLIENT_SECRET, TR_SELLER_ID
from test_authorization import add_store, api_test, authorize


@pytest.fixture
def busy_shop(tmp_path, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    admin = app.test_client()
    with admin.session_transaction() as sess:
        sess["demo_admin"] = True
    store_id = add_store(app)
    authorize(admin, store_id)
    api_test(admin, store_id)
    with app.app_context():
        from flask_amazon_tr.models import Store
        from flask_amazon_tr.services.listings import push_products
        from flask_amazon_tr.services.orders import import_orders
        from demo import db

        store = db.session.get(Store, store_id)
        store.product_update = True
        db.session.commit()
        assert import_orders(store_id).status == "done"
        push_products(store_id)
    return app, admin, store_id


def personal_data(sandbox) -> list[str]:
    values = set()
    for order in sandbox.state.orders.values():
        if order.get("sellerId", TR_SELLER_ID) != TR_SELLER_ID:
            continue
        buyer = order.get("buyer") or {}
        address = (order.get("recipient") or {}).get("deliveryAddress") or {}
        values.update(v for v in (buyer.get("buyerName"), buyer.get("buyerEmail"), address.get("phone"),
                                  address.get("addressLine1")) if v)
    return sorted(values)


def test_nothing_secret_in_plain_text(busy_shop, sandbox, caplog):
    app, admin, store_id = busy_shop
    secrets = list(sandbox.state.refresh_tokens) + list(sandbox.state.access_tokens) + [SANDBOX_CLIENT_SECRET]
    people = personal_data(sandbox)
    assert len(secrets) >= 3 and len(people) >= 20

    db_file = Path(app.instance_path) / "demo.sqlite"
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob("demo.sqlite*"))
    pages, order_pages = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("amazon_tr.") and "GET" in rule.methods and rule.endpoint != "amazon_tr.oauth_callback":
            url = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", str(store_id), rule.rule)
            response = admin.get(url)
            assert response.status_code in (200, 302, 404), (url, response.status_code)
            # One order's own page shows its buyer to the shop's staff (who ship it); no other page may.
            (order_pages if rule.endpoint == "amazon_tr.shipment_order" else pages).append(
                response.get_data(as_text=True))
    shown, shown_on_order = "\n".join(pages), "\n".join(order_pages)
    logs = caplog.text
    for value in secrets + people:
        assert value.encode("utf-8") not in raw, value[:12]
        assert value not in logs, value[:12]
        assert value not in shown, value[:12]
    for value in secrets:
        assert value not in shown_on_order, value[:12]
