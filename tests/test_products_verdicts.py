"""Amazon's verdict, read correctly, and the rules that keep a live seller's offers safe (issue 13)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from test_products_support import build_env, read_inventory_first, seed_demo_catalog

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID


@pytest.fixture
def env(tmp_path, sim_sandbox, sim_clock):
    seed_demo_catalog(sim_sandbox.state, matched=(), locked=())
    env = build_env(tmp_path, sim_sandbox, sim_clock)
    with env.ctx():
        from flask_amazon_tr.services.listings import save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME", category_map={})
    return env


def _link(sku):
    from flask_amazon_tr.models import ListingLink
    from demo import db

    return db.session.scalar(select(ListingLink).where(ListingLink.sku == sku))


def _set_product(sku, **fields):
    from demo import Product, db

    product = db.session.scalar(select(Product).where(Product.sku == sku))
    for key, value in fields.items():
        setattr(product, key, value)
    db.session.commit()


def _ean(sku):
    from demo import Product, db

    return db.session.scalar(select(Product.ean).where(Product.sku == sku))


def test_catalog_conflict_keeps_the_offer_and_stops_our_content(env):
    """8541 refuses our content on someone's page: the offer (sent first, alone) stands, content is not resent."""
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        env.sb.add_catalog_item(ean=_ean("DEMO-0001"), title="Markanın Başlığı", asin="B0CONFLICT1",
                                brand="Başka Marka", product_type="KITCHEN", rejects_conflicts=True)
        run = push_products(env.store_id, skus=None)
        assert run.status == "done", run.error
        link = _link("DEMO-0001")
        assert link.state == "locked" and link.asin == "B0CONFLICT1"
        assert link.price_hash and link.stock_hash and not link.content_hash
        assert any(i.get("code") == "8541" for i in link.issues)
        listing = env.listing("DEMO-0001")
        assert listing["attributes"]["purchasable_offer"]  # Amazon has the offer
        _set_product("DEMO-0001", title="Yine Başka Başlık", price=Decimal("123.00"))
        env.clock.advance(900)
        env.sb.clear_requests()
        push_products(env.store_id)
        (patch,) = env.requests("patchListingsItem")
        assert {p["path"] for p in patch["body"]["patches"]} == {"/attributes/purchasable_offer"}


def test_invalid_means_nothing_was_stored_not_live_not_locked(env):
    """An offer Amazon refuses, even for a catalog conflict: error, no ASIN, no digest from that answer."""
    from flask_amazon_tr.models import ListingLink
    from flask_amazon_tr.services.listings.outcome import apply_outcome

    conflict = {"code": "8541", "severity": "ERROR", "attributeNames": ["item_name"],
                "message": "The SKU data provided conflicts with the Amazon catalog."}
    with env.ctx():
        link = ListingLink(store_id=env.store_id, sku="X-2", asin="B0PROVISION", state="pending", issues_json="[]")
        pending = {"op": "put", "parts": ["content", "price", "stock"], "attempt": "a1", "price": "10.00",
                   "digests": {"content": "c", "price": "p", "stock": "s"}}
        apply_outcome(link, pending, "INVALID", [conflict], product_type="HOME", now=env.clock.now(),
                      counts=lambda **_: None)
        assert link.state == "error"
        assert link.asin is None and not (link.price_hash or link.stock_hash or link.content_hash)
        assert link.amazon_price is None and link.product_type is None
        assert link.locked_reason  # our content is not sent again: the offer may go alone next time


def test_a_price_of_zero_is_never_sent(env):
    """A shop price of 0 (a typo, a free gift) never reaches Amazon: the product says why."""
    from flask_amazon_tr.services.listings import issue_text, push_products

    with env.ctx():
        _set_product("DEMO-0012", price=Decimal("0.00"))
        push_products(env.store_id)
        link = _link("DEMO-0012")
        assert link.state == "error" and "0,00" in issue_text(link.issues[0])
    assert env.listing("DEMO-0012") is None
    assert "DEMO-0012" not in {e["path"].rsplit("/", 1)[1] for e in env.requests("putListingsItem")}


def test_a_warning_is_not_a_catalog_lock(env):
    """A WARNING such as a missing recommended attribute leaves an accepted SKU live."""
    from flask_amazon_tr.services.listings.outcome import apply_outcome, catalog_conflicts

    warning = {"code": "90000900", "severity": "WARNING", "message": "Önerilen 'color' özelliği eksik.",
               "attributeNames": ["item_name"]}
    assert catalog_conflicts([warning]) == []
    with env.ctx():
        from flask_amazon_tr.models import ListingLink

        link = ListingLink(store_id=env.store_id, sku="X-1", state="pending", issues_json="[]")
        apply_outcome(link, {"op": "put", "parts": ["content", "price"], "digests": {"content": "c", "price": "p"}},
                      "ACCEPTED", [warning], product_type="HOME", now=env.clock.now(), counts=lambda **_: None)
        assert link.state == "live" and link.content_hash == "c"


def test_an_asin_sold_under_another_sku_is_not_offered_twice(env):
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        ean = _ean("DEMO-0005")
        item = env.sb.add_catalog_item(ean=ean, title="Aynı Ürün", asin="B0TWICE0001", product_type="HOME")
        env.sb.listings.setdefault(TR_SELLER_ID, {})["ESKI-SKU-5"] = {
            "sku": "ESKI-SKU-5", "productType": "HOME", "asin": item["asin"], "attributes": {
                "purchasable_offer": [{"currency": "TRY", "our_price": [{"schedule": [{"value_with_tax": 80.0}]}]}],
                "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}]},
            "createdDate": "2026-01-01T00:00:00Z", "lastUpdatedDate": "2026-01-01T00:00:00Z"}
        push_products(env.store_id)
        link = _link("DEMO-0005")
        assert link.state == "error" and "ESKI-SKU-5" in link.issues[0]["message"]
    assert "DEMO-0005" not in {e["path"].rsplit("/", 1)[1] for e in env.requests("putListingsItem")}
    assert env.listing("ESKI-SKU-5")["attributes"]["fulfillment_availability"][0]["quantity"] == 4


def test_an_sku_amazon_cannot_take_in_a_path_goes_by_feed(env):
    """"/" or "#" in an SKU (or more than 40 characters): never a broken call, the feed carries it."""
    from demo import Product, db
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        db.session.add(Product(sku="ŞAL/42#KIRMIZI", ean=None, title="Şal", brand="Anadolu", category="Ev",
                               description="Şal", price=Decimal("99.90"), stock=2))
        db.session.commit()
        run = push_products(env.store_id, wait=True)
        assert run.status == "done", run.error
        assert _link("ŞAL/42#KIRMIZI").state == "live"
    paths = [e["path"] for e in env.sb.requests if e["operation"] in ("putListingsItem", "patchListingsItem")]
    assert not any("ŞAL" in p or "%C5%9EAL" in p for p in paths)
    assert env.sb.count("createFeed") == 1


def test_an_fba_sku_gets_its_price_but_never_a_quantity(env):
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        env.sb.listings.setdefault(TR_SELLER_ID, {})["DEMO-0007"] = {
            "sku": "DEMO-0007", "productType": "HOME", "asin": "B0FBA00007", "attributes": {
                "purchasable_offer": [{"currency": "TRY", "our_price": [{"schedule": [{"value_with_tax": 80.0}]}]}],
                "fulfillment_availability": [{"fulfillment_channel_code": "AMAZON_EU"}]},
            "createdDate": "2026-01-01T00:00:00Z", "lastUpdatedDate": "2026-01-01T00:00:00Z"}
        push_products(env.store_id)
        link = _link("DEMO-0007")
        assert link.amazon_fulfilled and link.state == "live"
        _set_product("DEMO-0007", stock=99, price=Decimal("111.00"))
        env.clock.advance(900)
        env.sb.clear_requests()
        push_products(env.store_id)
    (patch,) = [e for e in env.requests("patchListingsItem") if e["path"].endswith("DEMO-0007")]
    assert {p["path"] for p in patch["body"]["patches"]} == {"/attributes/purchasable_offer"}
    channels = {a["fulfillment_channel_code"] for a in env.listing("DEMO-0007")["attributes"]["fulfillment_availability"]}
    assert channels == {"AMAZON_EU"}


def test_inventory_box_reads_with_progress_and_counts(env):
    from flask_amazon_tr.sandbox.seed_live import seed_live_seller

    seed_live_seller(env.sb, offers=45, fba=3)
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    page = client.get(f"/admin/amazon/stores/{env.store_id}/products").get_data(as_text=True)
    assert "mevcut ilanlar" in page and "henüz okunmadı" in page
    from conftest import csrf_from

    box = client.post(f"/admin/amazon/stores/{env.store_id}/products/inventory",
                      data={"csrf_token": csrf_from(page)}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "başladı" in box
    import time

    deadline = time.monotonic() + 60  # a background pass; generous for a busy CI machine
    while time.monotonic() < deadline:
        box = client.get(f"/admin/amazon/stores/{env.store_id}/products/inventory").get_data(as_text=True)
        if "amazon-tr-inventory__counts" in box:  # the pass has finished (its date shows while it counts)
            break
        time.sleep(0.1)
    assert "Son okuma" in box
    assert "Amazon gönderiyor (FBA)" in box
    with env.ctx():
        from flask_amazon_tr.services.listings import inventory

        run = inventory.last_pass(env.store_id)
        assert run.counts["on_amazon"] == 45 and run.counts["fba"] == 3 and run.counts["only_on_amazon"] == 45
    assert env.sb.count("searchListingsItems") == 3  # 45 listings, 20 a page


def test_cli_reads_the_inventory(env):
    from flask_amazon_tr.cli import amazon_cli

    result = env.app.test_cli_runner().invoke(amazon_cli, ["sync", "inventory", "Amazon TR"])
    assert result.exit_code == 0, result.output
    assert "ilan okundu" in result.output


def test_a_pass_goes_past_amazons_1000_item_limit(env):
    """searchListingsItems pages through 1,000 items at most: the pass goes on from the last date it saw."""
    from flask_amazon_tr.models import AmazonListing
    from flask_amazon_tr.sandbox.seed_live import seed_live_seller
    from flask_amazon_tr.services.listings import inventory

    seed_live_seller(env.sb, offers=1030, fba=0)
    read_inventory_first(env)
    with env.ctx():
        from demo import db

        assert db.session.scalar(select(AmazonListing.id).where(AmazonListing.sku == "LIVE-01030")) is not None
        run = inventory.last_pass(env.store_id)
        assert run.counts["on_amazon"] == 1030
