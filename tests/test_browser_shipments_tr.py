"""In Chromium: the carrier list as a choice from Amazon's list, and Kargo bildir on an order whose
buyer asked Amazon to cancel it."""
from __future__ import annotations

import pytest
from conftest import LiveServer
from test_shipments import env  # noqa: F401  (the authorized store over the local Amazon)

pytestmark = pytest.mark.browser


def _login(page, base):
    page.goto(base + "/admin/amazon/")
    page.get_by_role("button", name="Yönetici olarak giriş yap").click()


def test_carrier_list_is_chosen_from_amazons_list(page, env):  # noqa: F811
    env.order("AMZ-80")
    server = LiveServer(env.app).start()
    try:
        base = server.url
        _login(page, base)
        page.goto(f"{base}/admin/amazon/stores/{env.store_id}/shipments")
        carriers = page.locator("#amazon-tr-carriers")
        sendeo = carriers.get_by_label("Sendeo: Amazon'un listesinde")
        # a choice, not free text: Amazon's Turkish carriers spelled as Amazon lists them, and Diğer
        options = sendeo.locator("option").all_inner_texts()
        for code in ("Yurtiçi Kargo", "Aras Kargo", "MNG Kargo", "PTT Kargo", "Sürat Kargo", "Horoz Lojistik",
                     "Ceva Lojistik", "Geopost Kargo", "DHL Kargo", "UPS", "DHL", "FedEx"):
            assert code in options
        assert "Diğer (Amazon'un listesinde yok)" in options
        assert sendeo.input_value() == "Other"
        assert carriers.get_by_label("Yurtiçi Kargo: Amazon'un listesinde").input_value() == "Yurtiçi Kargo"

        # Diğer for a carrier Amazon lists is refused in Turkish, the choices kept
        carriers.get_by_label("Yurtiçi Kargo: Amazon'un listesinde").select_option("Other")
        sendeo.select_option("PTT Kargo")
        page.get_by_role("button", name="Kargo firmalarını kaydet").click()
        assert page.get_by_text("“Yurtiçi Kargo” Amazon'un kargo listesinde var").is_visible()
        carriers = page.locator("#amazon-tr-carriers")
        assert carriers.get_by_label("Sendeo: Amazon'un listesinde").input_value() == "PTT Kargo"

        carriers.get_by_label("Yurtiçi Kargo: Amazon'un listesinde").select_option("Yurtiçi Kargo")
        page.get_by_role("button", name="Kargo firmalarını kaydet").click()
        assert page.get_by_text("Kargo firmaları kaydedildi.").is_visible()

        # the shop's Sendeo parcel goes to Amazon as PTT Kargo
        page.get_by_role("link", name="AMZ-80").click()
        page.get_by_role("button", name="Amazon'dan oku").click()
        page.get_by_label("Kargo firması", exact=True).select_option(label="Sendeo")
        page.get_by_label("Takip numarası").fill("SND-1")
        page.locator("#qty_32222222222222").fill("1")
        page.get_by_role("button", name="Kargo bildir").click()
        assert page.get_by_text("1 numaralı paket Amazon'a bildirildi.").is_visible()
    finally:
        server.stop()
    [call] = env.confirmations()
    assert call["body"]["packageDetail"]["carrierCode"] == "PTT Kargo"
    assert "carrierName" not in call["body"]["packageDetail"]


def test_kargo_bildir_warns_when_the_buyer_asked_to_cancel(page, env):  # noqa: F811
    import requests
    from sqlalchemy import select
    from test_orders_helpers import use_demo_skus

    from flask_amazon_tr.models import ImportedOrder
    from flask_amazon_tr.services.orders import import_orders
    from demo import db

    # an order imported as Amazon sends it, then the buyer asks Amazon to cancel it, then the next import
    amazon = env.sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(env.sandbox)
    with env.ctx():
        import_orders(env.store_id)
    r = requests.post(f"{env.sandbox.url}/_sandbox/orders/{amazon['orderId']}/cancellation-request",
                      json={"reason": "Yanlış beden seçtim"}, timeout=10)
    assert r.status_code == 200
    env.sandbox.state.advance(180)  # past the two minutes Amazon keeps between "now" and a search's end
    with env.ctx():
        import_orders(env.store_id)
        order = db.session.scalar(select(ImportedOrder).where(ImportedOrder.amazon_order_id == amazon["orderId"]))
        assert order.cancellation_requested
        order_id = order.id
    item_id = amazon["orderItems"][0]["orderItemId"]
    server = LiveServer(env.app).start()
    try:
        base = server.url
        _login(page, base)
        page.goto(f"{base}/admin/amazon/stores/{env.store_id}/shipments/{order_id}")
        page.get_by_role("button", name="Amazon'dan oku").click()
        warning = page.locator("#amazon-tr-cancel-request")
        warning.wait_for()
        assert "Alıcı bu siparişin iptalini Amazon'dan istedi." in warning.inner_text()
        page.get_by_label("Kargo firması", exact=True).select_option(label="Aras Kargo")
        page.get_by_label("Takip numarası").fill("ARAS-81")
        page.get_by_role("button", name="Kargo bildir").click()
        assert page.get_by_text("Kargolamak yerine siparişi iptal edin; paket yola çıktıysa").is_visible()
        assert env.confirmations() == []
        assert page.get_by_label("Takip numarası").input_value() == "ARAS-81"
        page.get_by_label("Paket yola çıktı: alıcının iptal isteğine rağmen kargoyu bildir").check()
        page.get_by_role("button", name="Kargo bildir").click()
        assert page.get_by_text("1 numaralı paket Amazon'a bildirildi.").is_visible()
    finally:
        server.stop()
    [call] = env.confirmations()
    assert item_id in {line["orderItemId"] for line in call["body"]["packageDetail"]["orderItems"]}
