"""Önizleme with Amazon's verdict (issue 13, §5): the local diff stays, and for a sample of up to 20 SKUs
the same requests a push would send go to Amazon with mode=VALIDATION_PREVIEW; Amazon's answer shows in
Turkish beside each sample row, and nothing is applied, on Amazon or in the plugin."""
from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from sqlalchemy import select
from test_products_support import build_env, read_inventory_first, seed_demo_catalog

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID


@pytest.fixture
def env(tmp_path, sim_sandbox, sim_clock):
    from demo import Product, db, ean13

    seed_demo_catalog(sim_sandbox.state, matched=range(1, 11), locked=(3,))
    # DEMO-0011 sits on a page whose brand owner defends its data: our content there is refused (8541)
    sim_sandbox.state.add_catalog_item(ean=ean13(1011), title="Markanın Kendi Başlığı", brand="Başka Marka",
                                       asin="B0STRICT11", product_type="HOME", rejects_conflicts=True)
    env = build_env(tmp_path, sim_sandbox, sim_clock, update_type="stock_price")
    with env.ctx():
        from flask_amazon_tr.services.listings import push_products, save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME", category_map={})
        read_inventory_first(env)
        # the offers exist (price and stock); the content has never been sent
        run = push_products(env.store_id, skus=[f"DEMO-{i:04d}" for i in range(1, 12)])
        assert run.counts["accepted"] == 11, run.counts
        db.session.add(Product(sku="ŞAL/42#KIRMIZI", ean=None, title="Şal", brand="Anadolu", category="Ev",
                               description="Şal", price=Decimal("99.90"), stock=2))
        db.session.scalar(select(Product).where(Product.sku == "DEMO-0013")).price = Decimal("0.00")
        db.session.commit()
    env.sb.clear_requests()
    return env


def _admin(env):
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def _snapshot(env):
    from flask_amazon_tr.models import ListingLink
    from demo import db

    with env.ctx():
        db.session.expire_all()
        links = sorted((l.sku, l.state, l.asin, l.content_hash, l.price_hash, l.stock_hash, l.failed_hash, l.issues_json)
                       for l in db.session.scalars(select(ListingLink)))
    with env.sb.lock:
        return links, copy.deepcopy(env.sb.listings.get(TR_SELLER_ID, {}))


def _row(html, sku):
    start = html.index(f'data-sku="{sku}"')
    return html[start:html.index("</tr>", start)]


def test_the_preview_asks_amazon_for_20_skus_and_applies_nothing(env):
    before = _snapshot(env)
    client = _admin(env)
    page = client.get(f"/admin/amazon/stores/{env.store_id}/products/preview?type=all").get_data(as_text=True)
    # the local diff is there at once; Amazon's verdict is fetched by the table itself
    assert "DEMO-0001" in page and "Amazon&#39;a soruluyor…" in page
    assert f"/admin/amazon/stores/{env.store_id}/products/preview/verdicts?type=all" in page
    assert env.sb.counts() == {}
    rows = client.get(f"/admin/amazon/stores/{env.store_id}/products/preview/verdicts?type=all")
    assert rows.status_code == 200
    html = rows.get_data(as_text=True)
    with env.sb.lock:
        asked = [e for e in env.sb.requests if e["operation"] in ("putListingsItem", "patchListingsItem")]
    # 20 sample rows (DEMO-0001 to DEMO-0020): DEMO-0013's price of 0 is held back by the plugin, never asked
    assert len(asked) == 19
    assert {e["path"].rsplit("/", 1)[1] for e in asked} == {f"DEMO-{i:04d}" for i in range(1, 21)} - {"DEMO-0013"}
    assert all(e["query"].get("mode") == "VALIDATION_PREVIEW" for e in asked)
    # the same requests a push would send: the content patch of a linked SKU, a whole LISTING for a new one
    patched = {e["path"].rsplit("/", 1)[1] for e in asked if e["operation"] == "patchListingsItem"}
    assert patched == {f"DEMO-{i:04d}" for i in range(1, 12)}
    one = next(e for e in asked if e["path"].endswith("/DEMO-0001"))
    assert {p["path"] for p in one["body"]["patches"]} >= {"/attributes/item_name", "/attributes/brand"}
    assert all(e["body"].get("requirements") == "LISTING" for e in asked if e["operation"] == "putListingsItem")
    assert "Amazon kabul ederdi" in _row(html, "DEMO-0001")
    strict = _row(html, "DEMO-0011")
    assert "Amazon reddederdi" in strict and "Amazon kataloğuyla çelişiyor" in strict
    locked = _row(html, "DEMO-0003")
    assert "Amazon kabul ederdi" in locked and "marka sahibinin denetiminde" in locked
    held = _row(html, "DEMO-0013")
    assert "eklenti bekletiyor" in held and "0,00" in held
    # past the sample: the local diff only
    assert "Amazon" not in _row(html, "DEMO-0025").split('class="amazon-tr-verdict"')[1]
    assert 'hx-get' not in html  # the fragment does not fetch itself again
    assert _snapshot(env) == before


def test_a_sku_only_a_feed_can_carry_and_an_unread_inventory_are_said_plainly(env):
    from flask_amazon_tr.models import ListingSettings
    from flask_amazon_tr.services.listings.verdicts import amazon_verdicts
    from demo import db

    with env.ctx():
        found = amazon_verdicts(env.store_id, update_type="all", skus=["ŞAL/42#KIRMIZI", "DEMO-0002"])
        assert found.error is None
        assert found.by_sku["ŞAL/42#KIRMIZI"].kind == "feed_only"
        assert found.by_sku["DEMO-0002"].kind == "valid"
    assert env.sb.count("patchListingsItem") == 1 and env.sb.count("putListingsItem") == 0
    env.sb.clear_requests()
    with env.ctx():
        db.session.get(ListingSettings, env.store_id).inventory_read_at = None
        db.session.commit()
        found = amazon_verdicts(env.store_id, update_type="all", skus=["DEMO-0002"])
        assert found.by_sku == {} and "mevcut ilanlar" in found.error
    assert env.sb.counts() == {}
