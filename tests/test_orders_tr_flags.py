"""What a Turkish shop must see on an imported order: a buyer's cancellation request, the ship-by deadline (late,
due today in Istanbul), and a ready order Amazon sent without a delivery address (a missing restricted role)."""
from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

import requests
import sqlalchemy as sa

from flask_amazon_tr.models import ImportedOrder
from flask_amazon_tr.sandbox.seed import NO_PII_ROLE_SELLER_ID, iso
from flask_amazon_tr.services import orders as order_service
from test_orders import admin_for  # noqa: F401  (fixture)
from test_orders_helpers import (  # noqa: F401  (fixtures)
    add_store,
    import_done as _import,
    imported_row as _row,
    imported,
    oapp,
    orders_app,
    shop_orders,
    stock,
    store_id,
    use_demo_skus,
)


def _shop_order(app, amazon_order_id):
    from demo import Order, db

    with app.app_context():
        row = db.session.scalar(sa.select(Order).where(Order.number == "AMZ-" + amazon_order_id))
        db.session.expunge(row)
        return row


def _history(app, store) -> str:
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return html.unescape(client.get(f"/admin/amazon/stores/{store}/orders").get_data(as_text=True))


def _row_html(page: str, amazon_order_id: str) -> str:
    start = page.index(f'data-order="{amazon_order_id}"')
    return page[start:page.index("</tr>", start)]


# --- buyer cancellation requests --------------------------------------------------------------

def test_a_buyer_cancellation_request_flags_the_order_and_reaches_the_shop(oapp, sandbox, store_id):
    order = sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    _import(oapp, store_id)
    assert _row(oapp, order["orderId"]).cancellation_requested is False
    # the buyer asks, through the sandbox's control API (as Amazon's "Request Cancellation")
    r = requests.post(f"{sandbox.url}/_sandbox/orders/{order['orderId']}/cancellation-request",
                      json={"reason": "Yanlış beden seçtim"})
    assert r.status_code == 200
    _import(oapp, store_id)
    [request] = [q for q in sandbox.state.requests if q["operation"] == "searchOrders"][-1:]
    assert "CANCELLATION" in request["query"]["includedData"].split(",")
    row = _row(oapp, order["orderId"])
    assert (row.cancellation_requested, row.cancellation_reason) == (True, "Yanlış beden seçtim")
    shop = _shop_order(oapp, order["orderId"])
    assert (shop.cancellation_requested, shop.cancellation_reason, shop.status) == (True, "Yanlış beden seçtim",
                                                                                   "ready")
    page = _history(oapp, store_id)
    assert "Alıcı iptal istedi" in _row_html(page, order["orderId"])
    # the seller cancels: nothing is left to decide
    sandbox.state.update_order(order["orderId"], {"fulfillmentStatus": "CANCELLED"})
    _import(oapp, store_id)
    assert _row(oapp, order["orderId"]).cancellation_requested is False
    assert _shop_order(oapp, order["orderId"]).cancellation_requested is False


def test_an_item_cancelled_already_is_no_open_request(oapp, sandbox, store_id):
    order = sandbox.state.add_order({"orderItems": [{
        "orderItemId": "50000000000001", "quantityOrdered": 1,
        "product": {"asin": "B0TR000001", "title": "Bakır Cezve", "sellerSku": "DEMO-0001",
                    "price": {"unitPrice": {"amount": "449.90", "currencyCode": "TRY"}}},
        "cancellation": {"cancellationRequest": {"requester": "BUYER", "cancelReason": "Vazgeçtim"},
                         "cancellationExecution": {"cancelledBy": "MERCHANT"}}}]}, status="UNSHIPPED")
    _import(oapp, store_id)
    assert _row(oapp, order["orderId"]).cancellation_requested is False


# --- ship-by ----------------------------------------------------------------------------------

def test_ship_by_window_is_kept_and_the_list_marks_late_orders(oapp, sandbox, store_id):
    now = sandbox.state.now()
    late = sandbox.state.add_order(status="UNSHIPPED", created=now - timedelta(days=3))
    fresh = sandbox.state.add_order(status="UNSHIPPED")
    shipped_late = sandbox.state.add_order(status="SHIPPED", created=now - timedelta(days=3))
    use_demo_skus(sandbox)
    _import(oapp, store_id)
    row = _row(oapp, late["orderId"])
    window = late["fulfillment"]["shipByWindow"]
    assert iso(row.ship_by_earliest) == window["earliestDateTime"]
    assert iso(row.ship_by_latest) == window["latestDateTime"]
    shop = _shop_order(oapp, late["orderId"])
    assert shop.ship_by.replace(tzinfo=timezone.utc) == row.ship_by_latest
    page = _history(oapp, store_id)
    assert "Gecikti" in _row_html(page, late["orderId"])
    assert "Gecikti" not in _row_html(page, fresh["orderId"])
    assert "Gecikti" not in _row_html(page, shipped_late["orderId"])  # nothing left to do for it


def test_due_today_follows_istanbul_not_utc():
    row = ImportedOrder(state="ready", set_aside_reason=None)
    # 2026-03-02 09:00 UTC is 12:00 in Istanbul (UTC+3)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    cases = {
        datetime(2026, 3, 2, 20, 59, tzinfo=timezone.utc): "today",  # 23:59 Istanbul
        datetime(2026, 3, 2, 21, 0, tzinfo=timezone.utc): None,  # already tomorrow (00:00) in Istanbul
        datetime(2026, 3, 2, 8, 59, tzinfo=timezone.utc): "late",
        None: None,
    }
    for latest, mark in cases.items():
        row.ship_by_latest = latest
        assert order_service.ship_by_mark(row, now) == mark, latest
    # shortly after midnight in Istanbul, a deadline of the evening before in UTC terms is today
    after_midnight = datetime(2026, 3, 2, 21, 30, tzinfo=timezone.utc)
    row.ship_by_latest = datetime(2026, 3, 2, 22, 0, tzinfo=timezone.utc)
    assert order_service.ship_by_mark(row, after_midnight) == "today"
    for state in ("pending", "shipped", "cancelled", "skipped"):
        row.state = state
        assert order_service.ship_by_mark(row, now) is None


# --- a missing restricted role ------------------------------------------------------------------

def test_a_ready_order_without_address_is_flagged_imported_and_holds_its_stock(tmp_path, sandbox):
    app = orders_app(tmp_path, sandbox)
    store = add_store(app, sandbox.url, seller_id=NO_PII_ROLE_SELLER_ID)
    st = sandbox.state
    ready = st.add_order(status="UNSHIPPED", seller_id=NO_PII_ROLE_SELLER_ID)
    pending = st.add_order(status="PENDING", seller_id=NO_PII_ROLE_SELLER_ID)
    fba = st.add_order(status="UNSHIPPED", fulfilled_by="AMAZON", seller_id=NO_PII_ROLE_SELLER_ID)
    use_demo_skus(sandbox, NO_PII_ROLE_SELLER_ID)
    before = stock(app)
    with app.app_context():
        run = order_service.import_orders(store)
        run_id, counts = run.id, run.counts
    assert counts["no_address"] == 1
    row = _row(app, ready["orderId"])
    assert row.address_withheld is True and row.state == "ready" and row.set_aside_reason is None
    # Amazon says nothing personal without the role: no street, no name, no phone
    with app.app_context():
        data = order_service.personal_data(row)
    assert data["name"] is None and data["phone"] is None and "addressLine1" not in (data["address"] or {})
    # in the shop, holding its units, with the flag
    shop = _shop_order(app, ready["orderId"])
    assert shop.address_withheld is True and shop.stock_reserved is True
    held = sum(i["quantityOrdered"] for i in ready["orderItems"] + pending["orderItems"])
    assert sum(before.values()) - sum(stock(app).values()) == held
    # a pending order has no address yet for anyone, Amazon ships its own: neither is flagged
    assert _row(app, pending["orderId"]).address_withheld is False
    assert _row(app, fba["orderId"]).address_withheld is False
    page = _history(app, store)
    assert "Direct-to-Consumer Shipping" in page and "1 sipariş" in page
    assert "Teslimat adresi yok" in _row_html(page, ready["orderId"])
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    summary = html.unescape(client.get(f"/admin/amazon/stores/{store}/orders/runs/{run_id}").get_data(as_text=True))
    assert "Kargoya hazır 1 sipariş Amazon'dan teslimat adresi olmadan geldi" in summary


def test_with_the_role_granted_the_flag_goes(tmp_path, sandbox):
    app = orders_app(tmp_path, sandbox)
    store = add_store(app, sandbox.url, seller_id=NO_PII_ROLE_SELLER_ID)
    order = sandbox.state.add_order(status="UNSHIPPED", seller_id=NO_PII_ROLE_SELLER_ID)
    use_demo_skus(sandbox, NO_PII_ROLE_SELLER_ID)
    _import(app, store)
    assert _row(app, order["orderId"]).address_withheld is True
    with sandbox.state.lock:  # the seller's application is approved and authorized again
        sandbox.state.sellers[NO_PII_ROLE_SELLER_ID]["roles"] |= {"directToConsumerShipping"}
    sandbox.state.update_order(order["orderId"], {"programs": []})
    _import(app, store)
    row = _row(app, order["orderId"])
    assert row.address_withheld is False
    a = order["recipient"]["deliveryAddress"]
    assert _shop_order(app, order["orderId"]).address == ", ".join(
        a[k] for k in ("addressLine1", "addressLine2", "districtOrCounty", "postalCode", "city"))
