"""e-Fatura / e-Arşiv: the buyer's invoice preference and tax registration (includedData TAX) reach the shop,
encrypted at rest, shown on the order page, purged with the other personal data."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from flask_amazon_tr.models import ImportedOrder
from flask_amazon_tr.sandbox import seed_tr
from flask_amazon_tr.sandbox.seed import NO_PII_ROLE_SELLER_ID
from flask_amazon_tr.services import orders as order_service
from test_orders import admin_for  # noqa: F401  (fixture)
from test_orders_hostile import forget_model_breaks
from test_orders_helpers import (  # noqa: F401  (fixtures)
    add_store,
    import_done as _import,
    imported_row as _row,
    imported,
    oapp,
    orders_app,
    shop_orders,
    store_id,
    use_demo_skus,
)

#: The TR example of getOrder in orders-2026-01-01.json, with Turkish letters in every field.
TR_TAX = {
    "taxRegistrations": [{
        "entityType": "BUYER", "taxRegistrationType": "BUSINESS", "taxRegistrationNumber": "TR1234567890",
        "legalName": "Çağlayan Işık Gıda Ltd. Şti.",
        "taxRegistrationAddress": {"name": "Mehmet Yılmaz", "companyName": "Çağlayan Işık Gıda Ltd. Şti.",
                                   "addressLine1": "İstiklal Caddesi No:42", "addressLine2": "Kat 3",
                                   "city": "İstanbul", "stateOrRegion": "İstanbul", "postalCode": "34430",
                                   "countryCode": "TR"},
        "taxRegistrationAttributes": [{"key": "TAX_OFFICE", "value": "Beyoğlu Vergi Dairesi"}]},
        # the seller's own registration is not the buyer's
        {"entityType": "MERCHANT", "taxRegistrationType": "VAT", "taxRegistrationNumber": "TR9999999999"}],
    "taxInvoicing": {"buyerInvoicePreference": "BUSINESS"},
}


def test_business_buyer_reaches_the_shop_with_vkn_office_and_legal_name(oapp, sandbox, store_id):
    business = sandbox.state.add_order({"tax": TR_TAX}, status="UNSHIPPED")
    individual = sandbox.state.add_order(status="UNSHIPPED")  # the sandbox says INDIVIDUAL for every TR order
    use_demo_skus(sandbox)
    _import(oapp, store_id)
    [request] = [r for r in sandbox.state.requests if r["operation"] == "searchOrders"]
    assert "TAX" in request["query"]["includedData"].split(",")

    shop = {o["number"]: o for o in shop_orders(oapp)}
    from demo import Order, db

    with oapp.app_context():
        got = db.session.scalar(sa.select(Order).where(Order.number == "AMZ-" + business["orderId"]))
        # the country prefix of Amazon's example goes: e-Fatura wants the ten digits of the VKN
        assert (got.invoice_type, got.tax_number, got.tax_office, got.tax_legal_name) == (
            "business", "1234567890", "Beyoğlu Vergi Dairesi", "Çağlayan Işık Gıda Ltd. Şti.")
        assert got.tax_address == "İstiklal Caddesi No:42, Kat 3, 34430, İstanbul"
        plain = db.session.scalar(sa.select(Order).where(Order.number == "AMZ-" + individual["orderId"]))
        assert (plain.invoice_type, plain.tax_number, plain.tax_office) == ("individual", None, None)
        # the shop keeps them encrypted in its own table too
        raw = db.session.execute(sa.text("SELECT tax_number, tax_office, tax_legal_name FROM demo_order "
                                         "WHERE number = :n"), {"n": "AMZ-" + business["orderId"]}).one()
        assert "1234567890" not in str(raw) and "Beyoğlu" not in str(raw) and "Çağlayan" not in str(raw)
    assert shop["AMZ-" + business["orderId"]]["status"] == "ready"
    # the demo shop's own order list shows them
    client = oapp.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    listing = client.get("/admin/orders").get_data(as_text=True)
    row = listing[listing.index(f'data-order="AMZ-{business["orderId"]}"'):]
    row = row[:row.index("</tr>")]
    assert "Kurumsal (e-Fatura)" in row and "VKN 1234567890" in row and "Beyoğlu Vergi Dairesi" in row

    row = _row(oapp, business["orderId"])
    assert row.invoice_preference == "business" and row.tax_info_encrypted
    assert "1234567890" not in row.tax_info_encrypted and "Vergi" not in row.tax_info_encrypted
    with oapp.app_context():
        tax = order_service.personal_data(row)["tax"]
    assert tax == {"number": "1234567890", "type": "BUSINESS", "office": "Beyoğlu Vergi Dairesi",
                   "legal_name": "Çağlayan Işık Gıda Ltd. Şti.",
                   "address": TR_TAX["taxRegistrations"][0]["taxRegistrationAddress"]}
    assert _row(oapp, individual["orderId"]).invoice_preference == "individual"
    assert _row(oapp, individual["orderId"]).tax_info_encrypted is None


def test_order_page_shows_vkn_and_tax_office_of_a_business_buyer(oapp, sandbox, store_id, admin_for):
    business = sandbox.state.add_order({"tax": TR_TAX}, status="UNSHIPPED")
    use_demo_skus(sandbox)
    _import(oapp, store_id)
    row = _row(oapp, business["orderId"])
    html = admin_for(oapp).get(f"/admin/amazon/stores/{store_id}/shipments/{row.id}").get_data(as_text=True)
    assert "Kurumsal (e-Fatura)" in html
    assert "VKN" in html and "1234567890" in html and "Beyoğlu Vergi Dairesi" in html
    assert "Çağlayan Işık Gıda Ltd. Şti." in html and business["buyer"]["buyerName"] in html
    for line in business["orderItems"]:
        assert line["product"]["sellerSku"] in html


def test_without_a_tax_role_only_the_preference_comes(tmp_path, sandbox):
    """Amazon's "Get tax information": taxRegistrations need Tax Invoicing or Tax Remittance."""
    app = orders_app(tmp_path, sandbox)
    store = add_store(app, sandbox.url, seller_id=NO_PII_ROLE_SELLER_ID)
    order = sandbox.state.add_order({"tax": TR_TAX}, status="UNSHIPPED", seller_id=NO_PII_ROLE_SELLER_ID)
    use_demo_skus(sandbox, NO_PII_ROLE_SELLER_ID)
    _import(app, store)
    row = _row(app, order["orderId"])
    assert row.invoice_preference == "business" and row.tax_info_encrypted is None


def test_a_malformed_tax_number_sets_the_order_aside_in_turkish(oapp, sandbox, store_id):
    bad = {"taxRegistrations": [{"entityType": "BUYER", "taxRegistrationNumber": 1234567890}],
           "taxInvoicing": {"buyerInvoicePreference": "BUSINESS"}}
    order = sandbox.state.add_order({"tax": bad}, status="UNSHIPPED")
    use_demo_skus(sandbox)
    counts = _import(oapp, store_id)
    assert counts["invalid"] == 1
    forget_model_breaks(sandbox)  # a number where the model says string: the point of the test
    row = _row(oapp, order["orderId"])
    assert row.state == "skipped" and "fatura" in row.set_aside_reason
    assert "AMZ-" + order["orderId"] not in {o["number"] for o in shop_orders(oapp)}


def test_tax_details_are_purged_with_the_other_personal_data(tmp_path, sim_sandbox, sim_clock):
    app = orders_app(tmp_path, sim_sandbox, clock=sim_clock)
    store = add_store(app, sim_sandbox.url)
    st = sim_sandbox.state
    order = st.add_order(status="UNSHIPPED")
    with st.lock:
        seed_tr.make_business(st.orders[order["orderId"]])
    use_demo_skus(sim_sandbox)
    _import(app, store)
    assert _row(app, order["orderId"]).tax_info_encrypted is not None
    sim_clock.advance(600)
    st.update_order(order["orderId"], {"fulfillmentStatus": "SHIPPED"})
    sim_clock.advance(600)
    _import(app, store)
    sim_clock.advance(timedelta(days=30, hours=1).total_seconds())
    with app.app_context():
        assert order_service.purge_personal_data() >= 1
    gone = _row(app, order["orderId"])
    assert gone.tax_info_encrypted is None and gone.personal_data_purged_at is not None
    assert gone.invoice_preference == "business"  # not personal: the shop still knows an e-Fatura was due
    from demo import Order, db

    with app.app_context():
        shop = db.session.scalar(sa.select(Order).where(Order.number == "AMZ-" + order["orderId"]))
        assert (shop.tax_number, shop.tax_office, shop.tax_legal_name, shop.tax_address) == (None, None, None, None)
        assert shop.invoice_type == "business"
