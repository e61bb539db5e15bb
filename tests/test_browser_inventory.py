"""In Chromium, as a shop admin would: "Amazon'daki mevcut ilanlar" reads the seller's listings with a
progress bar in place (no page reload), then shows how the shop and Amazon match: by SKU, by EAN, on
Amazon only, in the shop only (issue 13, §1)."""
from __future__ import annotations

import pytest

from conftest import LiveServer
from test_products_support import build_env, read_inventory_first, seed_demo_catalog

pytestmark = pytest.mark.browser

OFFERS = 600  # 31 pages of searchListingsItems at Amazon's 5/s: a few seconds, long enough to watch


def test_inventory_box_reads_with_a_progress_bar_then_shows_the_four_counts(tmp_path, sandbox, page):
    from demo import DEMO_PRODUCTS, ean13
    from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
    from flask_amazon_tr.sandbox.seed_live import seed_live_seller
    from flask_amazon_tr.services.listings import push_products

    sb = sandbox.state
    seed_demo_catalog(sb, matched=(), existing=True)  # the seller sells DEMO-0001 to DEMO-0020 already
    # ... and DEMO-0021's product under an SKU of its own: matched by EAN
    item = sb.add_catalog_item(ean=ean13(1021), title="Aynı Ürün", asin="B0EAN00021", product_type="HOME")
    sb.listings[TR_SELLER_ID]["ESKI-21"] = {
        "sku": "ESKI-21", "seller": TR_SELLER_ID, "productType": "HOME", "asin": item["asin"], "issues": [],
        "attributes": {"fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}]},
        "createdDate": "2026-01-01T00:00:00Z", "lastUpdatedDate": "2026-01-01T00:00:00Z"}
    sb.listings_changed()
    env = build_env(tmp_path, sandbox)
    read_inventory_first(env)
    with env.ctx():
        push_products(env.store_id, skus=["DEMO-0021"])  # refused: Amazon sells it under ESKI-21
    seed_live_seller(sb, offers=OFFERS, fba=30)
    server = LiveServer(env.app).start()
    try:
        url = f"/admin/amazon/stores/{env.store_id}/products"
        page.goto(f"{server.url}/admin/login?next={url}")
        page.get_by_role("button", name="Yönetici olarak giriş yap").click()
        page.wait_for_url(f"{server.url}{url}")
        box = page.locator(".amazon-tr-inventory")
        assert box.get_by_role("heading", name="Amazon'daki mevcut ilanlar").is_visible()

        page.evaluate("window.__noReload = 'still here'")
        # Amazon answers the first pages slowly (1 s each): the pass is seen while it runs
        sb.inject_fault("searchListingsItems", "slow", 4, seconds=1.0)
        box.get_by_role("button", name="Amazon'daki ilanlarımı oku").click()
        # while the pass runs: a progress bar with how far it got
        bar = page.locator(".amazon-tr-inventory progress")
        bar.wait_for(state="visible", timeout=20_000)
        assert box.get_by_text("Amazon'daki ilanlarınız okunuyor").is_visible()
        # the first poll may come before Amazon's first page (no total yet: an indeterminate bar);
        # once a page is read the bar counts against what Amazon said it holds
        counted = page.locator(".amazon-tr-inventory progress[max]")
        counted.wait_for(state="attached", timeout=20_000)
        assert int(counted.get_attribute("max")) == OFFERS + 21
        # then the counts, in place
        counts = page.locator(".amazon-tr-inventory__counts")
        counts.wait_for(state="visible", timeout=60_000)
        assert bar.count() == 0
        assert page.evaluate("window.__noReload") == "still here"
        rows = dict(line.split("\t") for line in counts.locator("tr").all_inner_texts())
        assert rows["Amazon'daki ilanlar"] == str(OFFERS + 21)
        assert rows["SKU ile eşleşen"] == "20"
        assert rows["EAN ile eşleşen (Amazon'da başka bir SKU ile satılıyor)"] == "1"
        assert rows["Amazon'da olup mağazada olmayan"] == str(OFFERS + 1)
        assert rows["Mağazada olup Amazon'da olmayan"] == str(len(DEMO_PRODUCTS) - 21)
        assert rows["Amazon gönderiyor (FBA): yalnızca fiyat, stok asla"] == "30"
        assert box.get_by_role("button", name="Amazon'daki ilanlarımı oku").is_visible()
    finally:
        server.stop()
