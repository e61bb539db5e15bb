"""In Chromium against the local Amazon: add a store, Yetkilendir, Onayla, API'yi test et in place."""
from __future__ import annotations

import pytest

from conftest import LiveServer, make_app

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(tmp_path, sandbox):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    server = LiveServer(app).start()
    yield server
    server.stop()


def add_store(page, base):
    page.goto(base + "/admin/amazon/stores/new")
    page.get_by_role("button", name="Yönetici olarak giriş yap").click()
    page.get_by_label("Mağaza Tanımı").fill("Anadolu Çarşı")
    page.get_by_label("Satıcı Kodu").fill("A1TRDEMOSATICI")
    page.get_by_role("button", name="Kaydet").click()
    page.get_by_text("mağazası eklendi").wait_for()


def test_authorize_and_test_api_as_a_new_user(page, shop, sandbox, tmp_path):
    base = shop.url
    add_store(page, base)
    assert page.locator("#amazon-tr-auth-state").inner_text().endswith("Yetkilendirilmedi")

    page.get_by_role("button", name="Yetkilendir").click()
    page.wait_for_url(sandbox.url + "/apps/authorize/consent*")
    assert page.get_by_text("Uygulamayı yetkilendir").first.is_visible()
    page.get_by_role("button", name="Onayla").click()

    page.wait_for_url(base + "/admin/amazon/stores/*")
    assert page.get_by_text("Amazon ile yetkilendirildi").is_visible()
    assert "tarihine kadar yetkilendirildi" in page.locator("#amazon-tr-auth-state").inner_text()

    page.evaluate("window.__noReload = 'still here'")
    page.get_by_role("button", name="API'yi test et").click()
    result = page.locator("#amazon-tr-apitest-result")
    result.wait_for()
    assert "Bağlantı başarılı" in result.inner_text() and "Anadolu Çarşı" in result.inner_text()
    assert page.locator(".amazon-tr-checklist li.ok").count() == 3
    assert page.evaluate("window.__noReload") == "still here"  # swapped in place, no reload
    page.screenshot(path=str(tmp_path / "api-test.png"), full_page=True)

    page.get_by_role("link", name="Amazon Mağazalarım").first.click()
    assert "Başarılı" in page.locator("#amazon-tr-stores tbody tr").inner_text()


def test_denied_consent_in_the_browser(page, shop, sandbox):
    add_store(page, shop.url)
    page.get_by_role("button", name="Yetkilendir").click()
    page.get_by_role("button", name="Reddet").click()
    page.wait_for_url(shop.url + "/admin/amazon/stores/*")
    assert page.get_by_text("iptal edildi (Reddet)").is_visible()
    assert page.locator("#amazon-tr-auth-state").inner_text().endswith("Yetkilendirilmedi")


def test_revoked_then_reauthorize_from_the_result(page, shop, sandbox):
    add_store(page, shop.url)
    page.get_by_role("button", name="Yetkilendir").click()
    page.get_by_role("button", name="Onayla").click()
    page.wait_for_url(shop.url + "/admin/amazon/stores/*")
    sandbox.state.revoke(seller_id="A1TRDEMOSATICI")
    shop.app.extensions["amazon_tr"].extras.clear()
    page.get_by_role("button", name="API'yi test et").click()
    page.locator("#amazon-tr-apitest-result[data-reason='revoked']").wait_for()
    page.locator("#amazon-tr-apitest-result").get_by_role("button", name="Yeniden yetkilendir").click()
    page.wait_for_url(sandbox.url + "/apps/authorize/consent*")
    page.get_by_role("button", name="Onayla").click()
    page.wait_for_url(shop.url + "/admin/amazon/stores/*")
    assert page.get_by_text("Amazon ile yetkilendirildi").is_visible()


def test_pasting_a_self_authorized_refresh_token(page, shop, sandbox):
    """A private application: the token comes from Seller Central's Develop Apps, not from the consent page."""
    add_store(page, shop.url)
    store_page = page.url
    page.goto(sandbox.url + "/apps/develop")
    page.get_by_role("button", name="Uygulamayı yetkilendir").first.click()
    token = page.locator("#refresh-token").inner_text()
    assert token.startswith("Atzr|")

    page.goto(store_page)
    page.get_by_text("Yenileme anahtarını yapıştır").click()
    field = page.get_by_label("Yenileme anahtarı (refresh token)")
    assert field.get_attribute("type") == "password"
    field.fill(token)
    page.get_by_role("button", name="Doğrula ve kaydet").click()
    page.get_by_text("yenileme anahtarıyla yetkilendirildi").wait_for()
    assert "Amazon bir bitiş tarihi belirlemez" in page.locator("#amazon-tr-auth-state").inner_text()
    assert token not in page.content()

    page.get_by_role("button", name="API'yi test et").click()
    result = page.locator("#amazon-tr-apitest-result")
    result.wait_for()
    assert "Bağlantı başarılı" in result.inner_text()

    # a wrong token says so and changes nothing
    page.get_by_text("Yenileme anahtarını yapıştır").click()
    page.get_by_label("Yenileme anahtarı (refresh token)").fill("Atzr|IwEBIAnEntirelyMadeUpToken")
    page.get_by_role("button", name="Doğrula ve kaydet").click()
    page.get_by_text("kabul etmedi (invalid_grant)").wait_for()
    assert "Amazon bir bitiş tarihi belirlemez" in page.locator("#amazon-tr-auth-state").inner_text()


def test_reauthorizing_from_seller_centrals_manage_your_apps(page, shop, sandbox):
    """Manage Your Apps → Re-authorize → the application's Log-in URI → back to Amazon → the plugin."""
    add_store(page, shop.url)
    page.get_by_role("button", name="Yetkilendir").click()
    page.get_by_role("button", name="Onayla").click()
    page.wait_for_url(shop.url + "/admin/amazon/stores/*")
    store_page = page.url

    page.get_by_role("link", name="Uygulamalarınızı Yönetin").click()
    page.wait_for_url(sandbox.url + "/apps/manage*")
    page.get_by_role("button", name="Yeniden yetkilendir").click()

    page.wait_for_url(shop.url + "/admin/amazon/oauth/login*")
    card = page.locator("#amazon-tr-login-uri")
    assert "Anadolu Çarşı" in card.inner_text() and "A1TRDEMOSATICI" in card.inner_text()
    page.get_by_role("button", name="Devam et ve Amazon'a dön").click()

    page.wait_for_url(store_page)
    assert page.get_by_text("Amazon ile yetkilendirildi").is_visible()
    assert "tarihine kadar yetkilendirildi" in page.locator("#amazon-tr-auth-state").inner_text()
    assert sandbox.state.count("lwaToken") >= 2  # the second code was exchanged too
    page.get_by_role("button", name="API'yi test et").click()
    result = page.locator("#amazon-tr-apitest-result")
    result.wait_for()
    assert "Bağlantı başarılı" in result.inner_text()
