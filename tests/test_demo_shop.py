"""The demo shop mounts the plugin as a real shop would: its own "Kargoya ver" tells the plugin."""
from __future__ import annotations

import re

from sqlalchemy import select

from conftest import make_app
from test_authorization import add_store, authorize


def test_kargoya_ver_confirms_the_shipment_to_amazon(tmp_path, sandbox):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    admin = app.test_client()
    with admin.session_transaction() as sess:
        sess["demo_admin"] = True
    store_id = add_store(app)
    authorize(admin, store_id)
    from flask_amazon_tr.services.orders import import_orders
    from demo import Order, db

    with app.app_context():
        import_orders(store_id)
        ready = db.session.scalars(select(Order).where(Order.status == "ready",
                                                       Order.fulfillment_channel == "merchant")).first()
        number = ready.number
    page = admin.get("/admin/orders").get_data(as_text=True)
    assert "Kargoya ver" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    refused = admin.post(f"/admin/orders/{number}/ship", data={"carrier": "Aras Kargo", "tracking_number": ""},
                         follow_redirects=True).get_data(as_text=True)
    assert "Form süresi doldu" in refused
    posted = admin.post(f"/admin/orders/{number}/ship", data={"csrf_token": token, "carrier": "Aras Kargo",
                                                             "tracking_number": "ARAS-12345"})
    assert posted.status_code == 302, posted.get_data(as_text=True)[:3000]
    answer = admin.get(posted.headers["Location"]).get_data(as_text=True)
    assert "kargoya verildi (Aras Kargo, ARAS-12345): Amazon&#39;a bildirildi" in answer or \
        "kargoya verildi (Aras Kargo, ARAS-12345): Amazon'a bildirildi" in answer
    sent = [r for r in sandbox.state.requests if r["operation"] == "confirmShipment"]
    assert len(sent) == 1
    detail = sent[0]["body"]["packageDetail"]
    # Aras Kargo is on Amazon's carrier list: its own code, no carrierName
    assert (detail["carrierCode"], detail.get("carrierName"), detail["trackingNumber"]) == (
        "Aras Kargo", None, "ARAS-12345")
