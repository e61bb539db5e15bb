"""Many changes go in one JSON_LISTINGS_FEED, polled until done, its report written back per link."""
from __future__ import annotations

import gzip
import json
import time
from decimal import Decimal

import pytest
from test_products_support import build_env, read_inventory_first, seed_demo_catalog
from sqlalchemy import select

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID


@pytest.fixture
def env(tmp_path, sim_sandbox, sim_clock):
    seed_demo_catalog(sim_sandbox.state)
    env = build_env(tmp_path, sim_sandbox, sim_clock, update_type="stock_price", AMAZON_TR_PATCH_THRESHOLD=5)
    with env.ctx():
        from flask_amazon_tr.services.listings import save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME", category_map={})
        read_inventory_first(env)
    return env



def _links():
    from flask_amazon_tr.models import ListingLink
    from demo import db

    return {link.sku: link for link in db.session.scalars(select(ListingLink))}


def _feed_document(env):
    (doc,) = [d for d in env.sb.documents.values() if d["kind"] == "input"]
    raw = doc["content"]
    return json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)


def test_many_matched_links_go_in_one_feed_and_the_report_comes_back(env):
    from flask_amazon_tr.services.listings import poll_feeds, push_products

    with env.ctx():
        run = push_products(env.store_id, skus=[f"DEMO-{i:04d}" for i in range(1, 11)])
        assert run.status == "done", run.error
        assert run.counts["feeds"] == 1 and run.counts["feed_messages"] == 10
    assert env.sb.count("putListingsItem") == 0 and env.sb.count("patchListingsItem") == 0
    assert env.sb.count("createFeed") == 1
    document = _feed_document(env)
    assert document["header"] == {"sellerId": TR_SELLER_ID, "version": "2.0", "issueLocale": "tr_TR"}
    message = document["messages"][0]
    assert message["operationType"] == "UPDATE" and message["requirements"] == "LISTING_OFFER_ONLY"
    assert set(message["attributes"]) == {"condition_type", "merchant_suggested_asin",
                                          "externally_assigned_product_identifier", "purchasable_offer",
                                          "fulfillment_availability"}
    with env.ctx():
        assert poll_feeds(env.store_id) == 0  # Amazon is still processing
        assert {link.state for link in _links().values()} == {"pending"}
        env.clock.advance(60)
        assert poll_feeds(env.store_id) == 1
        found = _links()
        assert {link.state for link in found.values()} == {"live"}
        assert all(link.feed_id is None and link.price_hash for link in found.values())
        env.sb.clear_requests()
        push_products(env.store_id, skus=[f"DEMO-{i:04d}" for i in range(1, 11)])
    assert env.sent() == {}


def _raise_prices(skus):
    from demo import Product, db

    for product in db.session.scalars(select(Product).where(Product.sku.in_(skus))):
        product.price = product.price + 1
    db.session.commit()


def test_a_feed_report_comes_back_to_each_link(env):
    from flask_amazon_tr.services.listings import push_products

    skus = [f"DEMO-{i:04d}" for i in range(1, 11)]
    with env.ctx():
        push_products(env.store_id, skus=skus, wait=True)
        _raise_prices(skus)
        env.sb.clear_requests()
        run = push_products(env.store_id, skus=skus, wait=True)
        assert run.counts["feeds"] == 1
        assert env.sb.count("getFeed") >= 1 and env.sb.count("getFeedDocument") == 1
        found = _links()
        assert found["DEMO-0005"].state == "live" and found["DEMO-0005"].amazon_price == Decimal("276.75")
        # the refused value is not sent again until it changes
        env.sb.clear_requests()
        push_products(env.store_id, skus=skus)
    assert env.sent() == {}


def test_an_error_without_a_message_id_fails_every_message_of_the_feed(env):
    from flask_amazon_tr.services.listings import push_products

    skus = [f"DEMO-{i:04d}" for i in range(1, 11)]
    with env.ctx():
        push_products(env.store_id, skus=skus, wait=True)
        _raise_prices(skus)
        env.sb.force_feed_outcome("feed_error")  # Amazon: one issue for the whole feed, nothing applied
        run = push_products(env.store_id, skus=skus, wait=True)
        assert run.counts["feeds"] == 1 and run.counts["errors"] == 10
        found = _links()
        assert {found[sku].state for sku in skus} == {"error"}
        assert all(not any(i.get("messageId") for i in found[sku].issues) for sku in skus)
        # nothing of that feed counts as Amazon's: the old prices stay the accepted ones
        assert found["DEMO-0005"].amazon_price == Decimal("275.75")
        # a whole-feed failure is not the values' fault: the next push sends them again
        env.sb.clear_requests()
        run = push_products(env.store_id, skus=skus, wait=True)
        assert run.counts["feed_messages"] == 10 and run.counts.get("errors", 0) == 0
        assert {link.state for link in _links().values()} == {"live"}


def test_stock_change_in_the_shop_reaches_amazon_in_seconds(tmp_path, sandbox):
    seed_demo_catalog(sandbox.state)
    env = build_env(tmp_path, sandbox, update_type="stock", AMAZON_TR_STOCK_DEBOUNCE_SECONDS=0.2)
    from flask_amazon_tr.services.listings import push_products

    with env.ctx():
        read_inventory_first(env)
        push_products(env.store_id, skus=["DEMO-0001", "DEMO-0002"])
        shop = env.app.extensions["demo_shop"]
        env.sb.clear_requests()
        started = time.monotonic()
        shop.set_stock("DEMO-0001", 31)
        shop.set_stock("DEMO-0002", 32)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listing = env.listing("DEMO-0002")
        if listing and listing["attributes"]["fulfillment_availability"][0]["quantity"] == 32:
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    assert env.listing("DEMO-0001")["attributes"]["fulfillment_availability"][0]["quantity"] == 31
    assert env.listing("DEMO-0002")["attributes"]["fulfillment_availability"][0]["quantity"] == 32
    assert elapsed < 5
    # both changes went out in one debounced push, one patch each, stock only
    patches = [e for e in env.sb.requests if e["operation"] == "patchListingsItem"]
    assert len(patches) == 2
    assert all([p["path"] for p in e["body"]["patches"]] == ["/attributes/fulfillment_availability"]
               for e in patches)
    with env.ctx():
        from flask_amazon_tr.models import SyncRun
        from demo import db

        assert db.session.scalars(select(SyncRun.trigger).where(SyncRun.trigger == "stock")).all() == ["stock"]


def test_cli_sync_products_waits_for_the_feed(env):
    from flask_amazon_tr.cli import amazon_cli

    runner = env.app.test_cli_runner()
    result = runner.invoke(amazon_cli, ["sync", "products", "Amazon TR", "--sku", "DEMO-0001", "--sku", "DEMO-0002",
                                        "--sku", "DEMO-0003", "--sku", "DEMO-0004", "--sku", "DEMO-0005",
                                        "--sku", "DEMO-0006"])
    assert result.exit_code == 0, result.output
    # the CLI speaks Turkish through the catalog (issue 17 §1)
    assert "toplu gönderim: 1" in result.output and "Amazon kabul etti: 6" in result.output
    assert env.listing("DEMO-0006")["asin"] == "B0DEMO0006"
    with env.ctx():
        assert {link.state for link in _links().values()} == {"live"}
    result = runner.invoke(amazon_cli, ["sync", "products", "nope"])
    assert result.exit_code != 0 and "Amazon mağazası yok" in result.output


def test_a_stock_change_goes_at_once_while_the_content_waits_in_a_feed(env):
    """Content of many SKUs sits in a feed Amazon has not processed: price and stock, which that feed
    does not carry, are patched now; the content waits for the feed (no second feed for the SKU)."""
    from flask_amazon_tr.models import ListingLink
    from flask_amazon_tr.services.listings import push_products
    from demo import Product, db

    skus = [f"DEMO-{i:04d}" for i in range(1, 11)]
    with env.ctx():
        push_products(env.store_id, skus=skus, wait=True)  # all linked, live
        from flask_amazon_tr.models import Store

        set_type = db.session.get(Store, env.store_id)
        set_type.auto_update_type = "product_info"
        db.session.commit()
        for product in db.session.scalars(select(Product).where(Product.sku.in_(skus))):
            product.title = product.title + " (yeni)"
        db.session.commit()
        env.sb.force_feed_outcome("queued", seconds=3600)  # Amazon sits on the content feed
        push_products(env.store_id, skus=skus)
        assert all(link.feed_id for link in db.session.scalars(select(ListingLink)))
        set_type.auto_update_type = "all"
        db.session.commit()
        product = db.session.scalar(select(Product).where(Product.sku == "DEMO-0003"))
        product.stock, product.price = 41, product.price + 5
        db.session.commit()
        env.sb.clear_requests()
        push_products(env.store_id, skus=["DEMO-0003"])
    (patch,) = env.requests("patchListingsItem")
    # price and stock go now; the new content does not (the feed holding the last content is in flight)
    assert {p["path"] for p in patch["body"]["patches"]} == {"/attributes/fulfillment_availability",
                                                            "/attributes/purchasable_offer"}
    assert env.sb.count("createFeed") == 0
    assert env.listing("DEMO-0003")["attributes"]["fulfillment_availability"][0]["quantity"] == 41
