"""Ürün Güncelleme against the local Amazon over HTTP: linking, type-exact pushes, zero-call reruns."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from test_products_support import build_env, seed_demo_catalog
from sqlalchemy import select

from flask_amazon_tr.services.listings import values

TYPE_ATTRIBUTES = {
    "all": {"item_name", "brand", "product_description", "bullet_point", "main_product_image_locator",
            "purchasable_offer", "fulfillment_availability"},
    "product_info": {"item_name", "brand", "product_description", "bullet_point", "main_product_image_locator"},
    "price": {"purchasable_offer"},
    "stock": {"fulfillment_availability"},
    "stock_price": {"purchasable_offer", "fulfillment_availability"},
}
IDENTITY = {"condition_type", "merchant_suggested_asin", "externally_assigned_product_identifier"}


@pytest.fixture
def env(tmp_path, sim_sandbox, sim_clock):
    seed_demo_catalog(sim_sandbox.state)
    env = build_env(tmp_path, sim_sandbox, sim_clock)
    with env.ctx():
        from flask_amazon_tr.services.listings import save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME",
                      category_map={"Gıda": "GROCERY"})
    return env


def links(env):
    from flask_amazon_tr.models import ListingLink
    from demo import db

    return {link.sku: link for link in db.session.scalars(select(ListingLink).where(
        ListingLink.store_id == env.store_id))}


def set_store(env, **fields):
    from flask_amazon_tr.models import Store
    from demo import db

    store = db.session.get(Store, env.store_id)
    for k, v in fields.items():
        setattr(store, k, v)
    db.session.commit()


def change_product(sku, **fields):
    from demo import Product, db

    product = db.session.scalar(select(Product).where(Product.sku == sku))
    for k, v in fields.items():
        setattr(product, k, v)
    db.session.commit()


def test_first_push_links_by_ean_or_whole_listing_and_a_rerun_costs_nothing(env):
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        run = push_products(env.store_id)
        assert run.status == "done", run.error
        found = links(env)
    assert len(found) == 36
    puts = {e["path"].rsplit("/", 1)[1]: e["body"] for e in env.requests("putListingsItem")}
    # DEMO-0001..0010 have a catalog page: an offer on that ASIN
    assert puts["DEMO-0001"]["requirements"] == "LISTING_OFFER_ONLY"
    assert puts["DEMO-0001"]["attributes"]["merchant_suggested_asin"][0]["value"] == "B0DEMO0001"
    # an offer on someone's catalog page carries sales terms only: content can make Amazon refuse it
    assert not set(puts["DEMO-0001"]["attributes"]) & values.CONTENT_ATTRIBUTES
    assert found["DEMO-0001"].asin == "B0DEMO0001" and found["DEMO-0001"].state == "live"
    assert found["DEMO-0001"].product_type == "KITCHEN"
    # the rest are whole listings, product type from the category map (Gıda) or the default
    assert puts["DEMO-0012"]["requirements"] == "LISTING"
    assert puts["DEMO-0012"]["productType"] == "GROCERY"
    assert puts["DEMO-0015"]["productType"] == "HOME"
    assert found["DEMO-0012"].state == "live"
    assert env.sb.count("searchCatalogItems") == 2  # 36 EANs, 20 a call
    assert env.listing("DEMO-0002")["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0][
        "value_with_tax"] == 249.0

    # once the offer exists, its content follows as a patch of its own
    patched = env.requests("patchListingsItem")
    assert len(patched) == 10
    for entry in patched:
        assert {p["path"].split("/")[2] for p in entry["body"]["patches"]} <= values.CONTENT_ATTRIBUTES
    assert found["DEMO-0003"].state == "locked"  # the brand keeps its page's content

    env.clock.advance(900)  # the scheduler's next push, 15 minutes later
    env.sb.clear_requests()
    with env.ctx():
        run = push_products(env.store_id)
        assert run.status == "done"
        assert run.counts["unchanged"] == 36
    assert env.sent() == {}, "an unchanged catalog costs no listing call"
    # the inventory pass re-reads what the last push wrote; with nothing new on Amazon, one page
    env.clock.advance(900)
    env.sb.clear_requests()
    with env.ctx():
        push_products(env.store_id)
    assert env.sb.counts() == {"searchListingsItems": 1}


def test_missing_required_attributes_are_reported_per_product(env):
    from flask_amazon_tr.services.listings import issue_text, push_products

    with env.ctx():
        change_product("DEMO-0020", brand="")
        push_products(env.store_id)
        link = links(env)["DEMO-0020"]
        assert link.state == "error"
        assert "brand" in issue_text(link.issues[0])
        assert "GROCERY" in issue_text(link.issues[0])
        assert links(env)["DEMO-0021"].state == "live"
    assert "DEMO-0020" not in {e["path"].rsplit("/", 1)[1] for e in env.requests("putListingsItem")}
    env.sb.clear_requests()
    with env.ctx():
        push_products(env.store_id)
    assert env.sent() == {}, "a refused product is not asked about again until it changes"
    with env.ctx():
        change_product("DEMO-0020", brand="Bursa Şekercisi")
        push_products(env.store_id)
        assert links(env)["DEMO-0020"].state == "live"


@pytest.mark.parametrize("update_type", sorted(TYPE_ATTRIBUTES))
def test_the_update_type_decides_exactly_what_is_sent(env, update_type):
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        push_products(env.store_id)  # linked under "all"
        set_store(env, auto_update_type=update_type)
        for sku in ("DEMO-0001", "DEMO-0012"):
            change_product(sku, price=Decimal("999.90"), stock=17, title="Yeni Başlık " + sku)
        env.sb.clear_requests()
        run = push_products(env.store_id)
        assert run.status == "done", run.error
    sent = env.requests("patchListingsItem")
    assert {e["path"].rsplit("/", 1)[1] for e in sent} == {"DEMO-0001", "DEMO-0012"}
    assert set(env.sent()) == {"patchListingsItem"}
    for entry in sent:
        names = {p["path"].split("/")[2] for p in entry["body"]["patches"]}
        # only what changed within the type: content, price and stock each changed here
        expected = TYPE_ATTRIBUTES[update_type] & {"item_name", "purchasable_offer", "fulfillment_availability"}
        assert expected <= names <= TYPE_ATTRIBUTES[update_type]
    listing = env.listing("DEMO-0012")["attributes"]
    assert (listing["fulfillment_availability"][0]["quantity"] == 17) == ("fulfillment_availability"
                                                                         in TYPE_ATTRIBUTES[update_type])
    assert (listing["item_name"][0]["value"] == "Yeni Başlık DEMO-0012") == ("item_name"
                                                                            in TYPE_ATTRIBUTES[update_type])
    # what the type does not send stays pending on the link: a later "all" push sends it
    env.sb.clear_requests()
    with env.ctx():
        push_products(env.store_id)
    assert env.sent() == {}


@pytest.mark.parametrize("update_type", sorted(TYPE_ATTRIBUTES))
def test_first_link_sends_identity_and_the_types_attributes_only(tmp_path, sim_sandbox, sim_clock, update_type):
    from flask_amazon_tr.services.listings import push_products

    seed_demo_catalog(sim_sandbox.state)
    env = build_env(tmp_path, sim_sandbox, sim_clock, update_type=update_type)
    with env.ctx():
        from flask_amazon_tr.services.listings import inventory, save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME", category_map={})
        skipped = push_products(env.store_id, skus=["DEMO-0001", "DEMO-0002"])
        assert skipped.cursor == "skipped:inventory_unread"  # never before the seller's listings are read
        assert inventory.read_inventory(env.store_id).status == "done"
        push_products(env.store_id, skus=["DEMO-0001", "DEMO-0002", "DEMO-0015"])
    puts = {e["path"].rsplit("/", 1)[1]: e["body"] for e in env.requests("putListingsItem")}
    offer = TYPE_ATTRIBUTES[update_type] - values.CONTENT_ATTRIBUTES
    for sku in ("DEMO-0001", "DEMO-0002"):  # Amazon has the EAN: an offer, sales terms only
        if offer:
            assert set(puts[sku]["attributes"]) - IDENTITY == offer
        else:
            assert sku not in puts  # "Product information only" has no offer to make
    if "item_name" in TYPE_ATTRIBUTES[update_type]:  # a new product: the whole listing, as the type sends it
        assert set(puts["DEMO-0015"]["attributes"]) - IDENTITY == TYPE_ATTRIBUTES[update_type] - {"bullet_point"}
    else:
        assert "DEMO-0015" not in puts


@pytest.mark.parametrize("fields", [{"active": False}, {"product_update": False},
                                    {"refresh_token_encrypted": None}])
def test_passive_store_or_update_off_makes_no_listing_call(env, fields):
    from flask_amazon_tr.services.listings import poll_feeds, push_products

    env.sb.clear_requests()
    with env.ctx():
        set_store(env, **fields)
        run = push_products(env.store_id)
        assert poll_feeds(env.store_id) == 0
        assert run.status == "done" and run.cursor.startswith("skipped:")
        assert links(env) == {}
    assert env.sent() == {}


def test_content_locked_page_stops_content_but_price_and_stock_go_on(env):
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        push_products(env.store_id)
        link = links(env)["DEMO-0003"]
        assert link.state == "locked"
        assert "marka sahibinin" in link.locked_reason  # Amazon's own Turkish words
        assert link.price_hash and link.stock_hash and not link.content_hash
        change_product("DEMO-0003", title="Başka Başlık", price=Decimal("350.00"), stock=5)
        env.sb.clear_requests()
        push_products(env.store_id)
        assert links(env)["DEMO-0003"].state == "locked"
    (patch,) = env.requests("patchListingsItem")
    assert {p["path"] for p in patch["body"]["patches"]} == {"/attributes/purchasable_offer",
                                                            "/attributes/fulfillment_availability"}
    assert env.listing("DEMO-0003")["attributes"]["fulfillment_availability"][0]["quantity"] == 5


def test_price_lock_skips_price_until_its_date(env):
    from flask_amazon_tr.services.listings import push_products, set_price_lock

    with env.ctx():
        push_products(env.store_id)
        set_price_lock(env.store_id, "DEMO-0005", env.clock.now() + timedelta(days=2))
        change_product("DEMO-0005", price=Decimal("1.00"), stock=2)
        env.sb.clear_requests()
        push_products(env.store_id)
        (patch,) = env.requests("patchListingsItem")
        assert [p["path"] for p in patch["body"]["patches"]] == ["/attributes/fulfillment_availability"]
        env.clock.advance(3 * 86400)
        env.sb.clear_requests()
        push_products(env.store_id)
        (patch,) = env.requests("patchListingsItem")
        assert [p["path"] for p in patch["body"]["patches"]] == ["/attributes/purchasable_offer"]
        assert links(env)["DEMO-0005"].amazon_price == Decimal("1.00")


def test_store_rules_shape_price_and_stock(env):
    from flask_amazon_tr.services.listings import push_products, save_settings

    with env.ctx():
        save_settings(env.store_id, stock_buffer=3, max_quantity=10, markup_percent=Decimal("10"),
                      fixed_amount=Decimal("5"), rounding="90", default_product_type="HOME",
                      category_map={"Gıda": "GROCERY"})
        change_product("DEMO-0002", price=Decimal("100.00"), stock=50)
        change_product("DEMO-0004", stock=2)
        push_products(env.store_id)
    offer = env.listing("DEMO-0002")["attributes"]
    assert offer["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 115.90
    assert offer["fulfillment_availability"][0]["quantity"] == 10
    assert env.listing("DEMO-0004")["attributes"]["fulfillment_availability"][0]["quantity"] == 0


def test_price_rule_worked_values():
    rules = values.Rules(markup_percent=Decimal("10"), fixed_amount=Decimal("5"), rounding="90")
    assert values.apply_price_rule(Decimal("100"), rules) == Decimal("115.90")
    assert values.apply_price_rule(Decimal("100.90"), values.Rules(rounding="90")) == Decimal("100.90")
    assert values.apply_price_rule(Decimal("100.95"), values.Rules(rounding="90")) == Decimal("101.90")
    assert values.apply_price_rule(Decimal("100.01"), values.Rules(rounding="99")) == Decimal("100.99")
    assert values.apply_price_rule(Decimal("100.01"), values.Rules(rounding="whole")) == Decimal("101.00")
    assert values.apply_price_rule(Decimal("19.99"), values.Rules(markup_percent=Decimal("12.5"))) == Decimal("22.49")
    assert values.apply_stock_rule(2, values.Rules(stock_buffer=5)) == 0
    assert values.apply_stock_rule(40, values.Rules(stock_buffer=5, max_quantity=20)) == 20


def test_preview_shows_next_values_beside_amazons_and_sends_nothing(env):
    from flask_amazon_tr.services.listings import preview, push_products

    with env.ctx():
        push_products(env.store_id)
        change_product("DEMO-0002", price=Decimal("260.00"))
        env.sb.clear_requests()
        rows = {r.sku: r for r in preview(env.store_id, update_type="stock_price")}
    assert env.sent() == {}
    assert rows["DEMO-0002"].action == "update"
    assert rows["DEMO-0002"].parts == [("price", "260,00\u00a0₺", "249,00\u00a0₺")]
    assert rows["DEMO-0001"].action == "none"
