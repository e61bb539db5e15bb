"""In Chromium at phone width (390 px), issue 17 §2 on the products page: after each htmx action (Şimdi gönder,
Bağla, Fiyatı onayla, Durumu Amazon'dan oku, reading the listings on Amazon) no part of the page contradicts
another: the state filter's counts match the rows' badges, the last-run line matches the history, the
"read them first" warning goes once they are read; focus moves to the action's result; nothing overflows."""
from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest

from conftest import LiveServer
from test_products_support import build_env, seed_demo_catalog

pytestmark = pytest.mark.browser


def assert_consistent(page) -> None:
    """Every state's count in the filter equals the rows showing that state (all rows fit on one page)."""
    options = page.locator(".amazon-tr-filter select[name=state] option").all_inner_texts()
    badges = [b.strip() for b in page.locator("tr.amazon-tr-link td:nth-child(3) .amazon-tr-badge").all_inner_texts()]
    total = int(re.search(r"\((\d+)\)", options[0]).group(1))
    assert total == len(badges), (options[0], badges)
    for option in options[1:]:
        label, count = re.match(r"(.+) \((\d+)\)$", option.strip()).groups()
        assert badges.count(label) == int(count), (option, badges)
    # the last-run line and the history's newest row tell of the same run
    history = page.locator("[id^=amazon-tr-product-runs-] tbody tr")
    last_run = page.locator(".amazon-tr-push").get_by_text("Son ürün güncellemesi")
    assert (history.count() > 0) == (last_run.count() == 1), (history.count(), last_run.count())
    # phone width: nothing wider than the screen (wide tables scroll in their own box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def wait_until(page, script: str, timeout: float = 5.0) -> None:
    """Poll a condition with page.evaluate (the pages' CSP forbids the eval behind wait_for_function)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false: {script}"
        time.sleep(0.05)


def focused_is_result(page) -> bool:
    """Focus is on the action's result once htmx has settled the swap (a few milliseconds after it)."""
    wait_until(page, "() => !!document.activeElement && document.activeElement.getAttribute('role') === 'status'")
    return True


def _open(page, server, env):
    url = f"/admin/amazon/stores/{env.store_id}/products"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/admin/login?next={url}")
    page.get_by_role("button", name="Yönetici olarak giriş yap").click()
    page.wait_for_url(f"{server.url}{url}")


def _row_action(page, sku, button):
    row = page.locator("tr.amazon-tr-link", has_text=sku)
    row.locator("summary").click()
    row.get_by_role("button", name=button).click()


def test_every_products_action_leaves_the_page_consistent(tmp_path, sandbox, page):
    from flask_amazon_tr.models import ListingLink
    from flask_amazon_tr.services.listings import push_products, unlink_sku
    from sqlalchemy import select
    from demo import Product, db

    seed_demo_catalog(sandbox.state)
    env = build_env(tmp_path, sandbox, AMAZON_TR_PRICE_JUMP_FACTOR=3.0)
    server = LiveServer(env.app).start()
    try:
        _open(page, server, env)
        # before the listings are read: the warning; reading them removes it, in place
        box = page.locator(".amazon-tr-inventory")
        assert box.locator(".amazon-tr-alert--warning").count() == 1
        page.evaluate("window.__noReload = 'inventory'")
        box.get_by_role("button", name="Amazon'daki ilanlarımı oku").click()
        page.locator(".amazon-tr-inventory__counts").wait_for(timeout=30_000)
        assert page.locator(".amazon-tr-inventory .amazon-tr-alert--warning").count() == 0
        assert page.evaluate("window.__noReload") == "inventory"
        assert_consistent(page)

        # Şimdi gönder: when it ends, the list, its counts and the history follow, without a reload
        page.locator(".amazon-tr-push").get_by_role("button", name="Şimdi gönder").click()
        page.locator("tr.amazon-tr-link", has_text="DEMO-0001").wait_for(timeout=30_000)
        page.locator("[id^=amazon-tr-product-runs-] tbody tr").first.wait_for()
        assert page.locator("tr.amazon-tr-link", has_text="Türk Kahvesi 250 g").count() == 1  # name beside SKU
        assert page.evaluate("window.__noReload") == "inventory"
        assert_consistent(page)

        # Durumu Amazon'dan oku: the row says yayında and the counts say so too
        _row_action(page, "DEMO-0001", "Durumu Amazon'dan oku")
        row = page.locator("tr.amazon-tr-link", has_text="DEMO-0001")
        row.get_by_text("Ürünün Amazon'daki durumu okundu.").wait_for()
        assert focused_is_result(page)
        wait_until(page, "() => [...document.querySelectorAll('select[name=state] option')]"
                         ".some(o => /^yayında \\(1\\)$/.test(o.textContent.trim()))")
        assert_consistent(page)

        # Bağla on an unlinked row: the row and the counts change together
        with env.ctx():
            unlink_sku(env.store_id, "DEMO-0002")
        page.reload()
        assert_consistent(page)
        runs_before = page.locator("[id^=amazon-tr-product-runs-] tbody tr").count()
        _row_action(page, "DEMO-0002", "Bağla")
        page.locator("tr.amazon-tr-link", has_text="DEMO-0002").get_by_role("status").wait_for()
        assert focused_is_result(page)
        wait_until(page, "() => ![...document.querySelectorAll('select[name=state] option')]"
                         ".some(o => o.value === 'unlinked' && !/\\(0\\)$/.test(o.textContent.trim()))")
        assert page.locator("[id^=amazon-tr-product-runs-] tbody tr").count() == runs_before + 1
        assert_consistent(page)

        # Fiyatı onayla: a price held for being far from Amazon's goes, the row and history follow
        with env.ctx():
            product = db.session.scalar(select(Product).where(Product.sku == "DEMO-0004"))
            before = db.session.scalar(select(ListingLink).where(ListingLink.sku == "DEMO-0004")).amazon_price
            product.price = (before / 10).quantize(Decimal("0.01"))
            db.session.commit()
            push_products(env.store_id)
        page.reload()
        runs_before = page.locator("[id^=amazon-tr-product-runs-] tbody tr").count()
        row = page.locator("tr.amazon-tr-link", has_text="DEMO-0004")
        row.get_by_role("button", name="Fiyatı onayla").click()
        page.locator("tr.amazon-tr-link", has_text="DEMO-0004").get_by_text("onaylandı").wait_for()
        assert focused_is_result(page)
        assert page.locator("tr.amazon-tr-link", has_text="DEMO-0004").get_by_role(
            "button", name="Fiyatı onayla").count() == 0
        assert page.locator("[id^=amazon-tr-product-runs-] tbody tr").count() == runs_before + 1
        assert_consistent(page)
    finally:
        server.stop()
