"""In Chromium, on the order history page: after each htmx action (Siparişleri şimdi aktar, import by number,
re-import from a date) no part of the page contradicts another, focus is on the answer, and the page fits
a 390 px phone (issue 17 §2, §3)."""
from __future__ import annotations

import pytest

from conftest import LiveServer
from test_orders_helpers import oapp, seller_orders, store_id, use_demo_skus  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

#: Read the page's parts as the reader sees them, to compare them with each other.
PARTS_JS = """() => {
  const rows = [...document.querySelectorAll('#amazon-tr-orders-runs tbody tr')];
  const box = document.querySelector('#amazon-tr-orders');
  return {
    runStates: rows.map(r => r.dataset.status),
    runTexts: rows.map(r => r.innerText),
    boxRunning: !!box.querySelector('.amazon-tr-run--running'),
    boxButtonDisabled: !!(box.querySelector('button[type=submit]') || {}).disabled,
    boxCreated: (box.querySelector('[data-count=created]') || {}).innerText,
    boxSkippedNote: !!box.querySelector('.amazon-tr-alert--warning'),
    recent: [...document.querySelectorAll('#amazon-tr-recent-orders tbody tr')].map(r => r.dataset.order),
    skipped: [...document.querySelectorAll('#amazon-tr-orders-skipped tbody tr')].map(r => r.dataset.order),
    bars: [...document.querySelectorAll('.amazon-tr-chart__bar')].reduce((n, b) => n + Number(b.dataset.count), 0),
    focused: document.activeElement ? (document.activeElement.closest('[id]') || {}).id : null,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


#: What sticks out past a 390 px screen (for the failure message).
WIDEST_JS = """() => [...document.querySelectorAll('body, body *')]
  .filter(e => e.getBoundingClientRect().right > 391).slice(0, 8)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def login(page, server, store_id):
    page.goto(f"{server.url}/admin/login?next=/admin/amazon/stores/{store_id}/orders")
    page.get_by_role("button", name="Yönetici olarak giriş yap").click()
    page.locator("#amazon-tr-orders").wait_for()


def settled(page):
    """Wait until no import is running in the box (its progress stopped polling and the box re-read itself)."""
    page.wait_for_function("() => !document.querySelector('#amazon-tr-orders .amazon-tr-run--running')"
                           " && !document.querySelector('#amazon-tr-orders-runs [data-status=running]')",
                           timeout=20_000)
    page.wait_for_timeout(300)  # the out-of-band parts land with the same answer
    return page.evaluate(PARTS_JS)


def consistent(parts, expected_orders):
    assert "running" not in parts["runStates"] and not parts["boxRunning"], parts
    assert not parts["boxButtonDisabled"], parts
    assert not any("Sürüyor" in t for t in parts["runTexts"]), parts
    assert len(parts["recent"]) == min(20, expected_orders), parts
    assert parts["bars"] <= expected_orders
    assert bool(parts["skipped"]) == parts["boxSkippedNote"], parts
    assert parts["overflow"] <= 0, parts


def test_import_now_leaves_every_part_true(page, oapp, sandbox, store_id):  # noqa: F811
    use_demo_skus(sandbox)
    expected = len(seller_orders(sandbox))
    server = LiveServer(oapp).start()
    try:
        page.set_viewport_size({"width": 390, "height": 800})
        login(page, server, store_id)
        assert page.evaluate(PARTS_JS)["overflow"] <= 0  # a phone: the wide tables scroll in their own box
        page.get_by_role("button", name="Siparişleri şimdi aktar").click()
        page.get_by_text("Sipariş aktarımı başladı").wait_for()
        # focus on the answer (it moves once htmx has settled the swap)
        page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('role') === 'status'",
                               timeout=5_000)
        page.get_by_text("Aktarım tamamlandı").wait_for(timeout=20_000)
        parts = settled(page)
        consistent(parts, expected)
        assert parts["runStates"][0] == "done" and int(parts["boxCreated"]) == expected
    finally:
        server.stop()


def test_import_one_by_number_and_a_failed_lookup(page, oapp, sandbox, store_id):  # noqa: F811
    order = sandbox.state.add_order(status="UNSHIPPED")
    use_demo_skus(sandbox)
    server = LiveServer(oapp).start()
    try:
        login(page, server, store_id)
        field = page.get_by_role("textbox", name="Amazon sipariş numarası", exact=True)
        field.fill("407-0000000-0000000")
        page.get_by_role("button", name="Amazon sipariş numarasıyla aktar").click()
        result = page.locator("#amazon-tr-lookup-result [role=alert]")
        result.wait_for()
        assert "bulunamadı" in result.inner_text()
        parts = page.evaluate(PARTS_JS)
        assert parts["focused"] == "amazon-tr-lookup-result"
        assert parts["runStates"] == [] and parts["recent"] == []  # a lookup, not a failed import
        page.get_by_role("textbox", name="Amazon sipariş numarası", exact=True).fill(order["orderId"])
        page.get_by_role("button", name="Amazon sipariş numarasıyla aktar").click()
        page.locator("#amazon-tr-lookup-result", has_text="numaralı sipariş aktarıldı").wait_for()
        parts = settled(page)
        consistent(parts, 1)
        assert parts["recent"] == [order["orderId"]] and parts["runStates"] == ["done"]
        assert parts["bars"] == 1
        page.locator(f'#amazon-tr-recent-orders tr[data-order="{order["orderId"]}"] a').click()
        page.locator("#amazon-tr-order-details").wait_for()
        details = page.locator("#amazon-tr-order-details").inner_text()
        for words in ("Alıcı", "Sipariş tarihi", "Toplam", "Son kargolama"):
            assert words in details
    finally:
        server.stop()


def test_reimport_from_a_date_answers_by_its_form_and_updates_the_runs(page, oapp, sandbox, store_id):  # noqa: F811
    use_demo_skus(sandbox)
    expected = len(seller_orders(sandbox))
    server = LiveServer(oapp).start()
    try:
        login(page, server, store_id)
        date = page.get_by_label("Şu tarihte veya sonrasında güncellenen siparişler")
        assert page.locator("html").get_attribute("lang") == "tr"
        page.get_by_role("button", name="Tarihten itibaren yeniden aktar").click()  # empty: a Turkish answer
        error = page.locator("#amazon-tr-reimport-result [role=alert]")
        error.wait_for()
        assert "tarihi seçin" in error.inner_text()
        assert date.get_attribute("placeholder") == "gg.aa.yyyy"  # Turkish order whatever the browser's language
        date.fill("01.01.2020")
        page.get_by_role("button", name="Tarihten itibaren yeniden aktar").click()
        page.locator("#amazon-tr-reimport-result", has_text="başladı").wait_for()
        parts = settled(page)
        consistent(parts, expected)
        assert parts["runStates"] == ["done"]
        # "Orders since" shows the date in Turkish, never as an ISO timestamp
        assert "2019-12-31T" not in page.locator("#amazon-tr-orders-runs").inner_text()
    finally:
        server.stop()


def test_demo_admin_pages_and_order_page_fit_a_phone(page, oapp, sandbox, store_id):  # noqa: F811
    use_demo_skus(sandbox)
    from flask_amazon_tr.services import orders as order_service

    with oapp.app_context():
        assert order_service.import_orders(store_id).status == "done"
    server = LiveServer(oapp).start()
    try:
        page.set_viewport_size({"width": 390, "height": 800})
        login(page, server, store_id)
        page.locator("#amazon-tr-recent-orders tbody tr a").first.click()
        page.locator("#amazon-tr-order-details").wait_for()
        for path in (page.url.replace(server.url, ""), "/admin/products", "/admin/orders"):
            page.goto(server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (path, overflow, page.evaluate(WIDEST_JS))
        # the product form: a Turkish answer in place of a browser bubble
        page.goto(server.url + "/admin/products")
        page.get_by_label("Stok (DEMO-0001)").fill("abc")
        page.get_by_role("button", name="Kaydet DEMO-0001").click()
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert "Stok 0 ile 999999" in alert.inner_text()
        assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    finally:
        server.stop()
