"""Every admin page at phone width (390 × 844 in Chromium), with data in it: nothing wider than the screen."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import LiveServer
from test_orders_helpers import add_store, orders_app, use_demo_skus

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def shop(tmp_path, sandbox):
    """A store with imported orders, its listings read and a few products sent, and a second store."""
    from flask_amazon_tr.models import ImportedOrder
    from flask_amazon_tr.services import orders
    from flask_amazon_tr.services.connection_test import run_api_test
    from flask_amazon_tr.services.listings import inventory, push_products
    from flask_amazon_tr.models import Store

    sandbox.state.rate_limits_enabled = False
    app = orders_app(tmp_path, sandbox)
    store_id = add_store(app, sandbox.url, name="Anadolu Çarşı Mağazası ve Uzun Adlı Şubesi")
    add_store(app, sandbox.url, name="Yetkisiz", seller_id="A6TRPHONEUNAUTH", authorized=False)
    for status in ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED"):
        sandbox.state.add_order(status=status)
    use_demo_skus(sandbox)
    with app.app_context():
        from demo import db

        assert orders.import_orders(store_id).status == "done"
        assert inventory.read_inventory(store_id).status == "done"
        push_products(store_id, skus=[f"DEMO-{i:04d}" for i in range(1, 4)], wait=False)
        run_api_test(db.session.get(Store, store_id))
        order_id = db.session.scalars(select(ImportedOrder.id).where(ImportedOrder.store_id == store_id)).first()
        db.session.remove()
    server = LiveServer(app).start()
    yield server, store_id, order_id
    server.stop()


def test_every_admin_page_fits_a_phone(browser, shop, tmp_path):
    server, store_id, order_id = shop
    base = server.url + "/admin/amazon"
    pages = {
        "store list": "/",
        "store form": "/stores/new",
        "store page": f"/stores/{store_id}",
        "products": f"/stores/{store_id}/products",
        "preview": f"/stores/{store_id}/products/preview",
        "orders": f"/stores/{store_id}/orders",
        "shipments": f"/stores/{store_id}/shipments",
        "order page": f"/stores/{store_id}/shipments/{order_id}",
    }
    context = browser.new_context(locale="tr-TR", viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(base + "/")
        page.get_by_role("button", name="Yönetici olarak giriş yap").click()
        too_wide = {}
        for name, path in pages.items():
            response = page.goto(base + path)
            assert response.status == 200, (name, response.status)
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == "tr", name
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > WIDTH:
                # name the widest elements, so that the report says which part to fix
                culprits = page.evaluate("""(limit) => Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > limit && !e.closest('.amazon-tr-scroll, table'))
                    .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)""", WIDTH)
                too_wide[name] = (width, culprits)
                page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        assert not too_wide, too_wide
    finally:
        context.close()
