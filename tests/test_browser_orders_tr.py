"""In Chromium: from the order import's list to a business buyer's order, whose page shows its VKN and vergi dairesi."""
from __future__ import annotations

import pytest
from conftest import LiveServer
from flask_amazon_tr.services import orders as order_service
from test_orders_helpers import oapp, store_id, use_demo_skus  # noqa: F401  (fixtures)
from test_orders_tr_invoice import TR_TAX

pytestmark = pytest.mark.browser


def test_business_order_page_shows_vkn_and_tax_office(page, oapp, sandbox, store_id):  # noqa: F811
    order = sandbox.state.add_order({"tax": TR_TAX}, status="UNSHIPPED")
    use_demo_skus(sandbox)
    with oapp.app_context():
        assert order_service.import_orders(store_id).status == "done"
    number = "AMZ-" + order["orderId"]
    server = LiveServer(oapp).start()
    try:
        page.goto(server.url + "/admin/amazon/")
        page.get_by_role("button", name="Yönetici olarak giriş yap").click()
        page.goto(f"{server.url}/admin/amazon/stores/{store_id}/orders")
        row = page.locator(f'#amazon-tr-recent-orders tr[data-order="{order["orderId"]}"]')
        assert "e-Fatura" in row.inner_text()
        row.get_by_role("link", name=number).click()
        details = page.locator("#amazon-tr-order-details")
        details.wait_for()
        assert page.locator("h1").inner_text() == f"Sipariş {number}"
        assert details.get_by_text("Kurumsal (e-Fatura)").is_visible()
        # the VKN without the country prefix of Amazon's example, under its own label
        assert details.locator("th", has_text="VKN").is_visible()
        assert page.locator("#amazon-tr-order-tax-number").inner_text() == "1234567890"
        assert details.locator("th", has_text="Vergi dairesi").is_visible()
        assert page.locator("#amazon-tr-order-tax-office").inner_text() == "Beyoğlu Vergi Dairesi"
        assert details.get_by_text("Çağlayan Işık Gıda Ltd. Şti.").is_visible()
        assert page.locator("#amazon-tr-order-buyer").inner_text() == order["buyer"]["buyerName"]
        skus = page.locator("#amazon-tr-order-lines tbody tr td:first-child").all_inner_texts()
        assert skus == [item["product"]["sellerSku"] for item in order["orderItems"]]
    finally:
        server.stop()
