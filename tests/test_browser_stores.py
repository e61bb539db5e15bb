"""In Chromium, as a new shop admin would: add a store, meet the Turkish errors, fix them, list, edit."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def sign_in(page, base):
    page.goto(base + "/admin/amazon/")
    page.get_by_role("button", name="Yönetici olarak giriş yap").click()
    page.wait_for_url(base + "/admin/amazon/")


def test_add_fix_list_and_edit_a_store(page, live_server, tmp_path):
    base = live_server.url
    sign_in(page, base)
    assert page.get_by_text("Henüz bir Amazon mağazası eklemediniz").is_visible()
    page.get_by_role("link", name="Mağaza Ekle").first.click()

    page.get_by_label("Mağaza Tanımı").fill("Anadolu Çarşı İzmir")
    page.get_by_label("Satıcı Kodu").fill("b12")
    page.get_by_label("Mağaza Adresi").fill("javascript:alert(1)")
    page.get_by_label("Ürün Otomatik Güncelleme Tipi").select_option(label="Sadece Stok")
    page.get_by_role("button", name="Kaydet").click()

    assert page.get_by_text("Bazı alanları kontrol etmeniz gerekiyor").is_visible()
    assert page.locator("#seller_id-error").inner_text().startswith("Satıcı Kodu, A harfi")
    assert "https://" in page.locator("#store_url-error").inner_text()
    # Nothing typed was lost.
    assert page.get_by_label("Mağaza Tanımı").input_value() == "Anadolu Çarşı İzmir"
    assert page.get_by_label("Ürün Otomatik Güncelleme Tipi").input_value() == "stock"
    page.screenshot(path=str(tmp_path / "errors.png"), full_page=True)

    page.get_by_label("Satıcı Kodu").fill(" a1trdemo satici ")
    page.get_by_label("Mağaza Adresi").fill("https://www.amazon.com.tr/s?me=A1TRDEMOSATICI")
    page.get_by_role("button", name="Kaydet").click()
    assert page.get_by_text("mağazası eklendi").is_visible()

    page.get_by_role("link", name="Amazon Mağazalarım").first.click()
    row = page.locator("#amazon-tr-stores tbody tr")
    assert row.count() == 1
    text = row.inner_text()
    assert "Anadolu Çarşı İzmir" in text and "A1TRDEMOSATICI" in text and "Sadece Stok" in text
    assert "Yetkilendirilmedi" in text

    row.get_by_role("link", name="Düzenle").click()
    page.get_by_label("Mağaza Durumu").select_option(label="Pasif")
    page.get_by_role("button", name="Kaydet").click()
    assert page.get_by_text("değişiklikler kaydedildi").is_visible()
    page.get_by_role("link", name="Amazon Mağazalarım").first.click()
    assert "Pasif" in page.locator("#amazon-tr-stores tbody tr").inner_text()

    page.goto(base + "/")
    logo = page.locator(".amazon-tr-footer a")
    assert logo.count() == 0  # a passive store shows no logo
