"""In Chromium: from the store page to an Amazon order, a bad "Kargo bildir" kept as typed, then a package confirmed."""
from __future__ import annotations

import pytest
from conftest import LiveServer
from test_shipments import env  # noqa: F401  (the authorized store over the local Amazon)

pytestmark = pytest.mark.browser


def test_manual_kargo_bildir(page, env):  # noqa: F811
    oid = env.order("AMZ-77")
    server = LiveServer(env.app).start()
    try:
        base = server.url
        page.goto(base + "/admin/amazon/")
        page.get_by_role("button", name="Yönetici olarak giriş yap").click()
        page.goto(f"{base}/admin/amazon/stores/{env.store_id}")
        page.get_by_role("link", name="Amazon'a kargo bildirimi: siparişler, paketler ve kargo firmaları").click()
        page.get_by_role("link", name="AMZ-77").click()
        assert page.locator("#amazon-state").inner_text() == "Kargolanmadı"
        # opening the page calls nobody; "Amazon'dan oku" reads the lines in place (htmx)
        page.get_by_role("button", name="Amazon'dan oku").click()
        page.get_by_label("Kargo firması", exact=True).wait_for()

        # no tracking number, too many units: Turkish messages, nothing typed lost
        page.get_by_label("Kargo firması", exact=True).select_option(label="Aras Kargo")
        # each line comes filled with what is left to ship; this parcel holds 2 of the 3 cezves only
        assert page.locator("#qty_31111111111111").input_value() == "3"
        assert page.locator("#qty_32222222222222").input_value() == "1"
        page.locator("#qty_31111111111111").fill("2")
        page.locator("#qty_32222222222222").fill("")
        page.get_by_role("button", name="Kargo bildir").click()
        assert page.get_by_text("Takip numarasını girin.").is_visible()
        assert page.locator("#qty_31111111111111").input_value() == "2"
        assert page.locator("#carrier").input_value() == "aras"
        assert env.confirmations() == []

        page.get_by_label("Takip numarası").fill("ARAS-7788")
        page.get_by_role("button", name="Kargo bildir").click()
        assert page.get_by_text("1 numaralı paket Amazon'a bildirildi.").is_visible()
        row = page.locator(".amazon-tr-package").first
        assert "onaylandı" in row.inner_text() and "ARAS-7788" in row.inner_text()
        assert page.locator("#amazon-state").inner_text() == "Kısmen kargolandı"

        # the rest comes prefilled; once it is confirmed there is nothing left to report
        assert page.locator("#qty_31111111111111").input_value() == "1"
        assert page.locator("#qty_32222222222222").input_value() == "1"
        page.get_by_label("Kargo firması", exact=True).select_option(label="Aras Kargo")
        page.get_by_label("Takip numarası").fill("ARAS-7789")
        page.get_by_role("button", name="Kargo bildir").click()
        assert page.get_by_text("2 numaralı paket Amazon'a bildirildi.").is_visible()
        assert page.locator("#amazon-state").inner_text() == "Kargolandı"
        assert page.locator("#amazon-tr-all-shipped").is_visible()
        assert page.locator("#tracking_number").count() == 0
    finally:
        server.stop()
    call, _rest = env.confirmations()
    # Aras Kargo is on Amazon's carrier list: it goes with its own code
    assert call["body"]["packageDetail"]["carrierCode"] == "Aras Kargo"
    assert "carrierName" not in call["body"]["packageDetail"]
    assert env.amazon(oid)["packages"][0]["trackingNumber"] == "ARAS-7788"
