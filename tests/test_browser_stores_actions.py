"""In Chromium: after each action on the store page (Yetkilendir's return, API'yi test et, Yenileme
anahtarını yapıştır, the scheduler's Duraklat) no part of the page contradicts another, and the focus
moves to the action's answer."""
from __future__ import annotations

import pytest

from test_browser_authorization import add_store, shop  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def parts(page) -> dict:
    """What each part of the store page says: the header's status line, the authorization box, the test's answer."""
    result = page.locator("#amazon-tr-apitest-result")
    return {
        "header_auth": page.locator("#amazon-tr-store-status [data-auth]").get_attribute("data-auth"),
        "box_auth": page.locator("#amazon-tr-auth-state").get_attribute("data-auth"),
        "header_test": page.locator("#amazon-tr-store-status [data-test]").get_attribute("data-test"),
        "result": result.get_attribute("data-reason") if result.count() else None,
        "button": page.locator("#amazon-tr-authorize").inner_text().strip(),
    }


def assert_consistent(page) -> dict:
    said = parts(page)
    assert said["header_auth"] == said["box_auth"], said
    # the authorize button's words follow the authorization
    assert (said["button"] == "Yetkilendir") == (said["box_auth"] == "none"), said
    if said["result"] is None:
        assert said["header_test"] == "none", said  # no answer shown: the header says "not tested"
    elif said["result"] == "ok":
        assert said["header_test"] in ("ok", "partial") and said["box_auth"] in ("ok", "expiring"), said
    else:
        assert said["header_test"] == "failed", said
    if said["result"] == "revoked":
        assert said["box_auth"] == "revoked", said
    if said["result"] == "not_authorized":
        assert said["box_auth"] == "none", said
    return said


def focused_id(page, expected: str | None = None) -> str:
    """The focused element's id; with ``expected``, once focus got there (it moves when htmx has settled)."""
    if expected is not None:
        try:
            page.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                                   arg=expected, timeout=5_000)
        except Exception:  # noqa: BLE001 - the assertion below says where focus is instead
            pass
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_api_test_rerenders_every_part_it_changes(page, shop, sandbox):  # noqa: F811
    add_store(page, shop.url)
    assert assert_consistent(page)["box_auth"] == "none"

    # API'yi test et before any authorization: the answer, the header and the box agree
    page.evaluate("window.__noReload = 1")
    page.get_by_role("button", name="API'yi test et").click()
    page.locator("#amazon-tr-apitest-result[data-reason='not_authorized']").wait_for()
    assert assert_consistent(page)["header_test"] == "failed"
    assert focused_id(page, "amazon-tr-apitest-result") == "amazon-tr-apitest-result"
    assert page.evaluate("window.__noReload") == 1

    # Yetkilendir's return: the old "not authorized yet" answer is not shown beside "authorized"
    page.locator("#amazon-tr-authorize").click()
    page.get_by_role("button", name="Onayla").click()
    page.wait_for_url(shop.url + "/admin/amazon/stores/*")
    said = assert_consistent(page)
    assert said["box_auth"] == "ok" and said["result"] is None and said["button"] == "Yeniden yetkilendir"
    assert "Yetkilendirmeden sonra test edilmedi" in page.locator("#amazon-tr-store-status").inner_text()
    assert "amazon-tr-alert" in (page.evaluate("document.activeElement.className") or "")  # the flashed answer
    page.evaluate("window.__noReload = 1")

    page.get_by_role("button", name="API'yi test et").click()
    page.locator("#amazon-tr-apitest-result[data-reason='ok']").wait_for()
    said = assert_consistent(page)
    assert said["header_test"] == "ok" and focused_id(page, "amazon-tr-apitest-result") == "amazon-tr-apitest-result"

    # Amazon revokes the authorization: the test finds out, and the box and the header say it too
    sandbox.state.revoke(seller_id="A1TRDEMOSATICI")
    shop.app.extensions["amazon_tr"].extras.clear()
    page.get_by_role("button", name="API'yi test et").click()
    page.locator("#amazon-tr-apitest-result[data-reason='revoked']").wait_for()
    said = assert_consistent(page)
    assert said["box_auth"] == "revoked" and said["header_auth"] == "revoked"
    assert "Yetki iptal edildi" in page.locator("#amazon-tr-store-status").inner_text()
    assert page.evaluate("window.__noReload") == 1
    # the page's own words are Turkish: no raw state of ours in the text
    text = page.locator(".amazon-tr").inner_text()
    for raw in ("revoked", "not_authorized", "done", "failed", "HTTP "):
        assert raw not in text, raw


def test_pasting_a_token_leaves_no_stale_part(page, shop, sandbox):  # noqa: F811
    add_store(page, shop.url)
    store_page = page.url
    page.get_by_role("button", name="API'yi test et").click()
    page.locator("#amazon-tr-apitest-result[data-reason='not_authorized']").wait_for()

    page.goto(sandbox.url + "/apps/develop")
    page.get_by_role("button", name="Uygulamayı yetkilendir").first.click()
    token = page.locator("#refresh-token").inner_text()
    page.goto(store_page)
    page.locator("#amazon-tr-paste-open").click()
    # an empty field is answered by the server in Turkish, not by the browser's bubble
    page.get_by_role("button", name="Doğrula ve kaydet").click()
    page.locator("#amazon-tr-flash .amazon-tr-alert--error").wait_for()
    assert "yenileme anahtarını yapıştırın" in page.locator("#amazon-tr-flash").inner_text()
    assert_consistent(page)

    page.locator("#amazon-tr-paste-open").click()
    page.get_by_label("Yenileme anahtarı (refresh token)").fill(token)
    page.get_by_role("button", name="Doğrula ve kaydet").click()
    page.get_by_text("yenileme anahtarıyla yetkilendirildi").wait_for()
    said = assert_consistent(page)
    assert said["box_auth"] == "ok" and said["result"] is None


def test_pausing_the_scheduler_says_so_everywhere_in_its_box(page, shop, sandbox):  # noqa: F811
    add_store(page, shop.url)
    page.locator("#amazon-tr-authorize").click()
    page.get_by_role("button", name="Onayla").click()
    page.wait_for_url(shop.url + "/admin/amazon/stores/*")
    page.get_by_role("link", name="Amazon Mağazalarım").first.click()
    box = page.locator("#amazon-tr-scheduler")
    assert box.get_attribute("aria-live") == "polite"
    box.get_by_role("button", name="Duraklat").click()
    box.get_by_role("button", name="Devam ettir").wait_for()
    box = page.locator("#amazon-tr-scheduler")
    assert "Duraklatıldı" in box.locator("tbody th").first.inner_text()
    assert "otomatik senkronizasyonu duraklatıldı" in box.inner_text()
    assert focused_id(page, "amazon-tr-scheduler-title") == "amazon-tr-scheduler-title"
    box.get_by_role("button", name="Devam ettir").click()
    box.get_by_role("button", name="Duraklat").wait_for()
    assert "Duraklatıldı" not in page.locator("#amazon-tr-scheduler tbody").inner_text()
