"""The first import of a seller who was already selling, and an order in a status Amazon added since."""
from __future__ import annotations

from datetime import timedelta

from flask_amazon_tr.sandbox.seed import iso
from flask_amazon_tr.services import orders as order_service
from test_orders_helpers import add_store, imported, orders_app, seller_orders, shop_orders, stock, use_demo_skus
from test_orders_hostile import forget_model_breaks


def _import(app, store, **kw):
    with app.app_context():
        run = order_service.import_orders(store, **kw)
        assert (run.status, run.error) == ("done", None)
        return run


def _rows(app):
    return {r.amazon_order_id: r for r in imported(app)}


def _held_units(order) -> dict[str, int]:
    held: dict[str, int] = {}
    for item in order["orderItems"]:
        sku = item["product"]["sellerSku"]
        held[sku] = held.get(sku, 0) + item["quantityOrdered"]
    return held


def test_first_import_never_reserves_for_orders_already_shipped_or_cancelled(tmp_path, sim_sandbox, sim_clock):
    app = orders_app(tmp_path, sim_sandbox, clock=sim_clock)
    use_demo_skus(sim_sandbox)
    store = add_store(app, sim_sandbox.url)
    st = sim_sandbox.state
    open_then_shipped = st.add_order(status="UNSHIPPED", created=st.now() - timedelta(days=2))
    use_demo_skus(sim_sandbox)
    amazon = seller_orders(sim_sandbox)
    initial = stock(app)
    _import(app, store)
    rows = _rows(app)
    shipped = [oid for oid, o in amazon.items()
               if o["fulfillment"]["fulfillmentStatus"] == "SHIPPED" and o["fulfillment"]["fulfilledBy"] == "MERCHANT"]
    assert shipped
    # the seller was live before: the shop's stock counted these already
    assert all(rows[oid].backfilled and rows[oid].state == "shipped" for oid in shipped)
    shop = {o["number"]: o for o in shop_orders(app)}
    assert not any(shop["AMZ-" + oid]["reserved"] for oid in shipped)
    # open merchant orders hold their units, as before
    held: dict[str, int] = {}
    for o in amazon.values():
        ful = o["fulfillment"]
        if ful["fulfilledBy"] == "MERCHANT" and ful["fulfillmentStatus"] not in ("SHIPPED", "CANCELLED"):
            for sku, n in _held_units(o).items():
                held[sku] = held.get(sku, 0) + n
    assert stock(app) == {sku: initial[sku] - held.get(sku, 0) for sku in initial}
    assert not rows[open_then_shipped["orderId"]].backfilled

    after_first = stock(app)
    sim_clock.advance(600)
    # an order open at the first import ships later: its units stay taken
    st.update_order(open_then_shipped["orderId"], {"fulfillmentStatus": "SHIPPED"})
    # an order placed after the first import began, first seen already shipped: the shop must count it
    late = st.add_order(status="UNSHIPPED")
    use_demo_skus(sim_sandbox)
    st.update_order(late["orderId"], {"fulfillmentStatus": "SHIPPED"})
    # a backfilled order changes on Amazon: still no stock moves
    st.update_order(shipped[0], {"programs": ["PRIME"]})
    sim_clock.advance(600)
    _import(app, store)
    rows = _rows(app)
    assert not rows[late["orderId"]].backfilled and rows[shipped[0]].backfilled
    expected = dict(after_first)
    for sku, n in _held_units(seller_orders(sim_sandbox)[late["orderId"]]).items():
        expected[sku] -= n
    assert stock(app) == expected


def test_an_unknown_status_keeps_the_order_and_the_cursor_for_the_next_run(tmp_path, sim_sandbox, sim_clock):
    app = orders_app(tmp_path, sim_sandbox, clock=sim_clock)
    use_demo_skus(sim_sandbox)
    store = add_store(app, sim_sandbox.url)
    st = sim_sandbox.state
    _import(app, store)
    sim_clock.advance(600)
    odd = st.add_order(status="UNSHIPPED")
    sim_clock.advance(60)
    after = st.add_order(status="UNSHIPPED")
    use_demo_skus(sim_sandbox)
    with st.lock:  # a status Amazon added after our copy of its model
        st.orders[odd["orderId"]]["fulfillment"]["fulfillmentStatus"] = "ON_HOLD"
        odd_time = st.orders[odd["orderId"]]["lastUpdatedTime"]
    sim_clock.advance(600)
    run = _import(app, store)
    forget_model_breaks(sim_sandbox)
    rows = _rows(app)
    assert rows[after["orderId"]].state == "ready"  # the rest of the page imports
    assert rows[odd["orderId"]].state == "skipped" and "ON_HOLD" in rows[odd["orderId"]].set_aside_reason
    assert "AMZ-" + odd["orderId"] not in {o["number"] for o in shop_orders(app)}
    with app.app_context():
        cursor = order_service.settings_for(store).cursor
    assert iso(cursor) <= odd_time  # not past the order: without the hold it would be the run's end
    assert run.counts["invalid"] == 1

    # the next run asks for it again from before its lastUpdatedTime
    sim_clock.advance(600)
    st.clear_requests()
    _import(app, store)
    forget_model_breaks(sim_sandbox)
    [search] = [r for r in st.requests if r["operation"] == "searchOrders"]
    assert search["query"]["lastUpdatedAfter"] <= odd_time
    with app.app_context():
        assert iso(order_service.settings_for(store).cursor) <= odd_time

    # Amazon moves it on to a status the plugin knows: it imports, and the cursor moves past it
    st.update_order(odd["orderId"], {"fulfillmentStatus": "UNSHIPPED"})
    sim_clock.advance(600)
    _import(app, store)
    row = _rows(app)[odd["orderId"]]
    assert row.state == "ready" and row.set_aside_reason is None
    with app.app_context():
        assert iso(order_service.settings_for(store).cursor) > st.orders[odd["orderId"]]["lastUpdatedTime"]
