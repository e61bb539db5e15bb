"""In Chromium, as a shop admin would: the worked price example follows the typing, Şimdi gönder shows
its progress in place, then the products appear with their states (Amazon işliyor, katalog kilitli), and a row's
button reads Amazon's own status in place (yayında once Amazon says the offer is buyable)."""
from __future__ import annotations

import pytest

from conftest import LiveServer
from test_products_support import build_env, seed_demo_catalog

pytestmark = pytest.mark.browser


def test_products_page_push_and_price_example(tmp_path, sandbox, page):
    seed_demo_catalog(sandbox.state)
    env = build_env(tmp_path, sandbox)
    server = LiveServer(env.app).start()
    try:
        page.goto(f"{server.url}/admin/login?next=/admin/amazon/stores/{env.store_id}/products")
        page.get_by_role("button", name="Yönetici olarak giriş yap").click()
        page.wait_for_url(f"{server.url}/admin/amazon/stores/{env.store_id}/products")
        assert page.get_by_text("Henüz bağlı ürün yok").is_visible()

        # The worked example recomputes as the admin types, before anything is saved.
        page.get_by_label("Kâr oranı (%)").fill("10")
        page.get_by_label("Sabit tutar (TL)").fill("5")
        page.locator("#amazon-tr-price-example li").last.get_by_text("115,00 ₺").wait_for()

        page.evaluate("window.__noReload = 'still here'")
        page.locator(".amazon-tr-push").get_by_role("button", name="Şimdi gönder").click()
        page.locator(".amazon-tr-push").get_by_text("tamamlandı").wait_for(timeout=30_000)
        assert page.evaluate("window.__noReload") == "still here"

        page.reload()
        states = page.locator("tr.amazon-tr-link").all_inner_texts()
        # accepted is "accepted for processing": not "yayında" before Amazon says the offer is buyable
        assert any("kabul edildi, Amazon işliyor" in row for row in states)
        assert not any("yayında" in row for row in states)
        locked = [row for row in states if "DEMO-0003" in row]
        assert locked and "katalog kilitli" in locked[0]

        # the row's button reads Amazon's own status in place
        page.evaluate("window.__noReload = 'row'")
        row = page.locator("tr.amazon-tr-link", has_text="DEMO-0001")
        row.locator("summary").click()  # the row's actions are in a menu (issue 17 §3)
        row.get_by_role("button", name="Durumu Amazon'dan oku").click()
        row = page.locator("tr.amazon-tr-link", has_text="DEMO-0001")
        row.get_by_text("Ürünün Amazon'daki durumu okundu.").wait_for()
        assert "yayında" in row.inner_text() and "Amazon: satışta" in row.inner_text()
        assert page.evaluate("window.__noReload") == "row"
    finally:
        server.stop()
