"""Sipariş Aktarımı under hostile data from Amazon and a failing database (issue 15: 4, 5, 6, 7, 18).

Everything goes through the real client over HTTP to the local Amazon. Bad data
is put into the sandbox's own order store (Amazon sending it), a repeated page
token comes from the sandbox's searchOrders answering it (a wrapper around the
sandbox's handler, the HTTP level for the plugin), a database error from the
host shop's own table constraint.
"""
from __future__ import annotations

import copy
import html
import logging
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from flask_amazon_tr.i18n import translations_for
from flask_amazon_tr.models import StoreLease
from flask_amazon_tr.sandbox.seed import iso
from flask_amazon_tr.services import orders as order_service
from flask_amazon_tr.services.orders.mapping import parse_time
from test_orders_helpers import (  # noqa: F401  (fixtures)
    add_bulk_orders,
    add_store,
    expected_reservations,
    imported,
    oapp,
    orders_app,
    seller_orders,
    shop_orders,
    stock,
    store_id,
    use_demo_skus,
)


def run_import(app, store_id, **kw):
    with app.app_context():
        run = order_service.import_orders(store_id, **kw)
        return run.status, run.counts, run.error


def cursor_of(app, store_id):
    with app.app_context():
        return order_service.settings_for(store_id).cursor


def admin_client(app):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def history(app, store_id) -> str:
    return html.unescape(admin_client(app).get(f"/admin/amazon/stores/{store_id}/orders").get_data(as_text=True))


def forget_model_breaks(sandbox, operations=("searchOrders", "getOrder")):
    """The sandbox flags answers that break Amazon's model; here that is the point of the test."""
    with sandbox.state.lock:
        problems = sandbox.state.response_problems
        assert all(p["operation"] in operations for p in problems), problems
        problems.clear()


# --- one bad order in a page (15.4, 15.6) -------------------------------------------------

def _first_item(order):
    return order["orderItems"][0]


#: How Amazon's order is broken, and a word the Turkish reason must contain.
BREAKS = {
    "absurd_quantity": (lambda o: _first_item(o).update(quantityOrdered=10 ** 9), "adet"),
    "negative_quantity": (lambda o: _first_item(o).update(quantityOrdered=-50), "adet"),
    "zero_quantity": (lambda o: _first_item(o).update(quantityOrdered=0), "adet"),
    "quantity_not_a_number": (lambda o: _first_item(o).update(quantityOrdered="3"), "adet"),
    "buyer_name_not_text": (lambda o: o["buyer"].update(buyerName={"first": "Ayşe"}), "alıcı"),
    "infinite_total": (lambda o: o["proceeds"]["grandTotal"].update(amount="Infinity"), "tutar"),
    "nan_unit_price": (lambda o: _first_item(o)["product"]["price"]["unitPrice"].update(amount="NaN"), "tutar"),
    "huge_amount": (lambda o: o["proceeds"]["grandTotal"].update(amount="1e400"), "tutar"),
    "sku_is_a_list": (lambda o: _first_item(o)["product"].update(sellerSku=["DEMO-0001", "DEMO-0002"]),
                      "stok kodu"),
    "address_not_text": (lambda o: o["recipient"]["deliveryAddress"].update(city=["İzmir"]), "adres"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_one_bad_order_is_set_aside_and_the_rest_of_its_page_imported(oapp, sandbox, store_id, case):
    assert run_import(oapp, store_id)[0] == "done"
    cursor_before = cursor_of(oapp, store_id)
    time.sleep(1.05)  # Amazon's times have whole seconds: the new orders come a second later
    st = sandbox.state
    first = st.add_order(status="UNSHIPPED")
    bad = st.add_order(status="UNSHIPPED")
    last = st.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    break_it, word = BREAKS[case]
    with st.lock:
        good_version = copy.deepcopy(st.orders[bad["orderId"]])
        break_it(st.orders[bad["orderId"]])
    before = stock(oapp)

    status, counts, error = run_import(oapp, store_id)

    assert (status, error) == ("done", None)
    numbers = {o["number"] for o in shop_orders(oapp)}
    assert {"AMZ-" + first["orderId"], "AMZ-" + last["orderId"]} <= numbers
    assert "AMZ-" + bad["orderId"] not in numbers
    assert counts.get("invalid") == 1 and counts.get("created") == 2
    # Only the two good orders hold stock: the bad one never touched it.
    goods = {k: v for k, v in seller_orders(sandbox).items() if k in (first["orderId"], last["orderId"])}
    assert stock(oapp) == expected_reservations(oapp, goods, before)
    # The cursor moved past the bad order.
    assert cursor_of(oapp, store_id) > cursor_before
    assert cursor_of(oapp, store_id) >= parse_time(bad["lastUpdatedTime"])
    [row] = [r for r in imported(oapp, store_id) if r.amazon_order_id == bad["orderId"]]
    assert row.state == "skipped" and row.set_aside_reason and row.shop_number is None
    assert word in row.set_aside_reason.lower()
    page = history(oapp, store_id)
    assert f"<td>{bad['orderId']}</td>" in page and row.set_aside_reason in page

    # Amazon corrects the order without a new lastUpdatedTime: only the retry can bring it.
    with st.lock:
        st.orders[bad["orderId"]] = good_version
    st.clear_requests()
    before = stock(oapp)
    status, counts, error = run_import(oapp, store_id)
    assert (status, error) == ("done", None)
    assert st.count("getOrder") == 1
    numbers = [o["number"] for o in shop_orders(oapp)]
    assert numbers.count("AMZ-" + bad["orderId"]) == 1
    assert stock(oapp) == expected_reservations(oapp, {bad["orderId"]: good_version}, before)
    [row] = [r for r in imported(oapp, store_id) if r.amazon_order_id == bad["orderId"]]
    assert row.set_aside_reason is None and row.state == "ready"
    assert f"<td>{bad['orderId']}</td>" not in history(oapp, store_id)  # no longer listed as not imported
    # Retried once: the next run asks Amazon for nothing more.
    st.clear_requests()
    run_import(oapp, store_id)
    assert st.count("getOrder") == 0
    forget_model_breaks(sandbox)


def test_a_bad_update_of_an_imported_order_keeps_the_shop_order_as_it_was(oapp, sandbox, store_id):
    order = sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    run_import(oapp, store_id)
    shop_before, stock_before = shop_orders(oapp), stock(oapp)
    sandbox.state.update_order(order["orderId"], {"fulfillmentStatus": "CANCELLED"})
    with sandbox.state.lock:
        _first_item(sandbox.state.orders[order["orderId"]])["quantityOrdered"] = -7
    status, counts, error = run_import(oapp, store_id)
    assert (status, error, counts.get("invalid")) == ("done", None, 1)
    assert shop_orders(oapp) == shop_before and stock(oapp) == stock_before
    [row] = [r for r in imported(oapp, store_id) if r.amazon_order_id == order["orderId"]]
    assert row.state == "ready" and row.set_aside_reason  # still the shop's order, and listed as set aside
    assert order["orderId"] in history(oapp, store_id)


def test_import_by_number_of_a_bad_order_says_why_in_turkish(oapp, sandbox, store_id):
    order = sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    with sandbox.state.lock:
        _first_item(sandbox.state.orders[order["orderId"]])["quantityOrdered"] = 10 ** 9
    before = stock(oapp)
    with oapp.app_context():
        run = order_service.import_one(store_id, order["orderId"])
        status, error = run.status, run.error
    assert status == "failed" and "adet" in error and "1000000000" in error
    assert shop_orders(oapp) == [] and stock(oapp) == before


def test_an_order_without_a_usable_id_is_counted_and_the_page_goes_on(oapp, sandbox, store_id):
    run_import(oapp, store_id)
    st = sandbox.state
    good = st.add_order(status="UNSHIPPED")
    nameless = st.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    with st.lock:
        st.orders[nameless["orderId"]]["orderId"] = "407-ÇÇÇÇÇÇÇ-1234567"
    status, counts, error = run_import(oapp, store_id)
    assert (status, error, counts.get("invalid"), counts.get("created")) == ("done", None, 1, 1)
    assert "AMZ-" + good["orderId"] in {o["number"] for o in shop_orders(oapp)}
    forget_model_breaks(sandbox)


def test_the_same_order_twice_in_one_page_is_one_shop_order(oapp, sandbox, store_id):
    from flask_amazon_tr.sandbox import dispatch

    order = sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    real = dispatch.HANDLERS["searchOrders"]

    def twice(call):
        status, body = real(call)
        body["orders"] = body["orders"] + [o for o in body["orders"] if o["orderId"] == order["orderId"]]
        return status, body

    before = stock(oapp)
    dispatch.HANDLERS["searchOrders"] = twice
    try:
        status, counts, error = run_import(oapp, store_id)
    finally:
        dispatch.HANDLERS["searchOrders"] = real
    assert (status, error) == ("done", None)
    numbers = [o["number"] for o in shop_orders(oapp)]
    assert numbers.count("AMZ-" + order["orderId"]) == 1
    assert stock(oapp) == expected_reservations(oapp, seller_orders(sandbox), before)


# --- a database error never logs row values (15.5) ----------------------------------------

class PlainCopyShop:
    """A host shop that also keeps each order's address unencrypted, in a table that refuses long ones.

    It implements only the protocol's single-order methods (no upsert_orders),
    so it also shows that an adapter without the batch method keeps working.
    """

    def __init__(self, inner):
        self.inner = inner

    def iter_products(self, skus=None):
        return self.inner.iter_products(skus)

    def upsert_order(self, order):
        from demo import db

        db.session.execute(sa.text("INSERT INTO host_address_book (number, address, phone) VALUES (:n, :a, :p)"),
                           {"n": order.number, "a": (order.address or {}).get("addressLine1"), "p": order.phone})
        return self.inner.upsert_order(order)

    def cancel_order(self, number):
        return self.inner.cancel_order(number)

    def subscribe_stock_changes(self, listener):
        return self.inner.subscribe_stock_changes(listener)


SECRET_ADDRESS = "Gizli Sokak No: 99 Daire 7"
SECRET_PHONE = "+90 555 010 20 30"
SECRET_NAME = "Zeynep Sırdaş"


@pytest.fixture(params=["sqlite", "postgres"])
def leaky_app(request, tmp_path, sandbox):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
        # SQLite: a CHECK constraint fails (IntegrityError)
        ddl = "CREATE TABLE host_address_book (number TEXT, address TEXT CHECK (length(address) < 10), phone TEXT)"
    else:
        url = request.getfixturevalue("pg_url")
        # PostgreSQL: the value does not fit its column (DataError)
        ddl = "CREATE TABLE host_address_book (number TEXT, address VARCHAR(10), phone TEXT)"
    app = orders_app(tmp_path, sandbox, SQLALCHEMY_DATABASE_URI=url)
    from demo import db

    with app.app_context():
        db.session.execute(sa.text(ddl))
        db.session.commit()
    yield app, request.param
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_database_error_is_logged_without_buyers_data(leaky_app, sandbox, caplog):
    app, kind = leaky_app
    use_demo_skus(sandbox)
    store = add_store(app, sandbox.url)
    sandbox.state.add_order({
        "buyer": {"buyerName": SECRET_NAME},
        "recipient": {"deliveryAddress": {"name": SECRET_NAME, "addressLine1": SECRET_ADDRESS, "city": "Ankara",
                                          "postalCode": "06100", "countryCode": "TR", "phone": SECRET_PHONE}},
    }, status="UNSHIPPED")
    use_demo_skus(sandbox)
    app.extensions["amazon_tr"].shop = PlainCopyShop(app.extensions["amazon_tr"].shop)
    caplog.set_level(logging.DEBUG, logger="amazon_tr")
    status, counts, error = run_import(app, store)
    assert status == "failed"
    text = caplog.text + "\n".join(str(r.exc_info) for r in caplog.records if r.exc_info)
    for secret in (SECRET_ADDRESS, SECRET_PHONE, SECRET_NAME, "INSERT INTO", "[parameters"):
        assert secret not in text, f"{secret!r} was logged"
        assert secret not in error
    assert not any(r.exc_info for r in caplog.records), "a traceback carries the exception's text"
    expected = "IntegrityError" if kind == "sqlite" else "DataError"
    assert expected in caplog.text  # what failed is still named
    assert "host_address_book" not in caplog.text


# --- a repeated page token (15.7) ---------------------------------------------------------

@pytest.fixture
def sim_app(tmp_path, sim_sandbox, sim_clock):
    app = orders_app(tmp_path, sim_sandbox, clock=sim_clock)
    use_demo_skus(sim_sandbox)
    yield app, add_store(app, sim_sandbox.url)
    from demo import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_repeated_page_token_stops_the_run_and_frees_the_store(sim_app, sim_sandbox):
    from flask_amazon_tr.sandbox import dispatch

    app, store = sim_app
    add_bulk_orders(sim_sandbox, 340)  # with the 60 seeded: 4 pages
    real = dispatch.HANDLERS["searchOrders"]
    first_token = []

    def repeating(call):
        """Amazon answers page 2 with page 1's token again: following it would never end."""
        status, body = real(call)
        token = (body.get("pagination") or {}).get("nextToken")
        if token:
            if not first_token:
                first_token.append(token)
            elif call.state.count("searchOrders") < 50:
                body["pagination"]["nextToken"] = first_token[0]
            # after 50 calls the loop is cut here, so that a failing test ends
        return status, body

    dispatch.HANDLERS["searchOrders"] = repeating
    try:
        with app.app_context():
            run = order_service.import_orders(store)
            status, error, counts = run.status, run.error, run.counts
    finally:
        dispatch.HANDLERS["searchOrders"] = real
    assert sim_sandbox.state.count("searchOrders") == 2  # the repeated token is never sent
    assert status == "failed"
    tr = translations_for("tr").ugettext
    msgid = ("Amazon sent the same page of orders twice (a repeated page token); the import stopped so that "
              "it does not run in circles. The next import continues from the last saved point.")
    head = tr(msgid)
    assert head != msgid, "no Turkish text"
    assert error == head
    with app.app_context():
        from demo import db

        assert db.session.scalars(select(StoreLease).where(StoreLease.store_id == store)).all() == []
    # the next run, with Amazon behaving, brings everything exactly once
    assert run_import(app, store)[0] == "done"
    numbers = [o["number"] for o in shop_orders(app)]
    assert len(numbers) == len(set(numbers)) == len(seller_orders(sim_sandbox))


# --- an overlap window of more than 20 pages after a restart (15.18) ----------------------

def test_a_restarted_import_moves_forward_through_an_overlap_of_more_than_20_pages(sim_app, sim_sandbox, sim_clock):
    app, store = sim_app
    st = sim_sandbox.state
    now = st.now()
    # Amazon updated 2,500 orders within 100 seconds (a campaign, a bulk shipment confirmation)
    with st.lock:
        for i in range(2500):
            order = st.add_order(created=now - timedelta(days=2), status="UNSHIPPED")
            st.orders[order["orderId"]]["lastUpdatedTime"] = iso(now - timedelta(seconds=100 - i * 100 // 2500))
    use_demo_skus(sim_sandbox)
    sim_clock.advance(120)
    status, counts, error = run_import(app, store)
    assert (status, error) == ("done", None) and counts["pages"] == 26
    cursor = cursor_of(app, store)
    assert cursor - now < order_service.OVERLAP  # all 2,500 sit in the overlap the next run reads again

    sim_clock.advance(60)
    newer = st.add_order(status="UNSHIPPED")
    use_demo_skus(sim_sandbox)

    def cut_after_20_pages(run):
        # Amazon's burst is 20 searchOrders calls; after a restart its bucket is empty, so the
        # run stops at the 21st page (here: Amazon answers 503 until the run gives up)
        if run.counts.get("pages") == 20:
            st.inject_fault("searchOrders", "503", count=1000)

    imported_newer = False
    for attempt in range(3):
        sim_clock.advance(900)  # the next scheduler tick, after the restart
        with app.app_context():
            run = order_service.import_orders(store, on_page=cut_after_20_pages)
            run_status = run.status
        st.clear_faults()
        if "AMZ-" + newer["orderId"] in {o["number"] for o in shop_orders(app)}:
            imported_newer = True
            break
        assert run_status == "failed"
    assert imported_newer, "three restarted imports re-read the same 20 pages of the overlap"
    assert cursor_of(app, store) > cursor
    numbers = [o["number"] for o in shop_orders(app)]
    assert len(numbers) == len(set(numbers)) == len(seller_orders(sim_sandbox))
