"""ACCEPTED is "accepted for processing", not live (issue 13, §3): Amazon's own status (BUYABLE,
DISCOVERABLE) and its asynchronous issues are read back after processing, and the page says
"yayında" only when Amazon says BUYABLE."""
from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import csrf_from
from sqlalchemy import select
from test_products_support import build_env, read_inventory_first, seed_demo_catalog

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID

PROCESSING = 300  # simulated seconds the sandbox takes to process an accepted submission


@pytest.fixture
def env(tmp_path, sim_sandbox, sim_clock):
    seed_demo_catalog(sim_sandbox.state)
    env = build_env(tmp_path, sim_sandbox, sim_clock, update_type="stock_price")
    with env.ctx():
        from flask_amazon_tr.services.listings import save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME", category_map={})
    read_inventory_first(env)
    env.sb.listing_processing_seconds = PROCESSING
    return env


def _links():
    from flask_amazon_tr.models import ListingLink
    from demo import db

    db.session.expire_all()
    return {link.sku: link for link in db.session.scalars(select(ListingLink))}


def _admin(env):
    client = env.app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


def _row(client, env, sku):
    html = client.get(f"/admin/amazon/stores/{env.store_id}/products?q={sku}").get_data(as_text=True)
    start = html.index('<tr id="amazon-tr-link-')
    return html[start:html.index("</tr>", start)]


def test_accepted_is_processing_until_amazon_says_buyable(env):
    """The push is ACCEPTED; the page says "işliyor" until Amazon's status is read back after processing;
    then BUYABLE is "yayında" and an item an asynchronous issue suppressed is "satışta değil" with the issue."""
    from flask_amazon_tr.services.listings import poll_feeds, push_products, status

    from flask_amazon_tr.sandbox import listings_rules

    # an issue Amazon's processing will raise on DEMO-0002: still visible to shoppers, no longer buyable
    listings_rules.arm_issue(env.sb, listings_rules.make_issue("invalid_attribute"), seller_id=TR_SELLER_ID,
                             sku="DEMO-0002", after=0)
    with env.ctx():
        run = push_products(env.store_id, skus=["DEMO-0001", "DEMO-0002"])
        assert run.status == "done" and run.counts["accepted"] == 2
        links = _links()
        assert {links[s].state for s in links} == {"live"}
        assert {status.shown_state(links[s]) for s in links} == {"processing"}
    client = _admin(env)
    row = _row(client, env, "DEMO-0001")
    assert "kabul edildi, Amazon işliyor" in row and "yayında" not in row
    env.sb.clear_requests()
    with env.ctx():
        poll_feeds(env.store_id)  # not due yet: Amazon is given a minute first
    assert env.sb.count("getListingsItem") == 0
    env.clock.advance(61)
    with env.ctx():
        poll_feeds(env.store_id)  # Amazon still processing: the new SKU is not found yet
        assert env.sb.count("getListingsItem") == 2
        assert {status.shown_state(link) for link in _links().values()} == {"processing"}
        assert all(link.status_due_at > env.clock.now() for link in _links().values())
    env.clock.advance(PROCESSING)
    with env.ctx():
        poll_feeds(env.store_id)
        links = _links()
        one, two = links["DEMO-0001"], links["DEMO-0002"]
        assert one.amazon_statuses == {"BUYABLE", "DISCOVERABLE"} and status.shown_state(one) == "live"
        assert two.amazon_statuses == {"DISCOVERABLE"} and status.shown_state(two) == "not_buyable"
        assert [i["code"] for i in two.issues] == ["8015"] and two.status_due_at is None
    assert env.sb.count("getListingsItem") == 4
    assert "yayında" in _row(client, env, "DEMO-0001")
    row = _row(client, env, "DEMO-0002")
    assert "satışta değil" in row and "müşteriler görüyor ama satın alamıyor" in row and "yayında" not in row
    # Amazon's English message is never shown: a Turkish explanation, the attribute by the product type
    # schema's tr_TR title with its code in small print, and Amazon's code (issue 17 §1)
    assert "The data you provided" not in row
    assert "Amazon kabul edemediği bir değer buldu" in row
    assert 'Renk <small class="amazon-tr-code">color</small>' in row and "Amazon kodu 8015" in row
    # the page's filter counts Amazon's word, not ours
    html = client.get(f"/admin/amazon/stores/{env.store_id}/products?state=live").get_data(as_text=True)
    assert "DEMO-0001" in html and "DEMO-0002" not in html
    html = client.get(f"/admin/amazon/stores/{env.store_id}/products?state=not_buyable").get_data(as_text=True)
    assert "DEMO-0002" in html and "DEMO-0001" not in html


def test_an_existing_offer_read_before_processing_waits_for_the_change(env):
    """Amazon's version from before our patch (older lastUpdatedDate) is not taken as the answer."""
    from flask_amazon_tr.services.listings import poll_feeds, push_products, status

    env.sb.listing_processing_seconds = 0
    with env.ctx():
        push_products(env.store_id, skus=["DEMO-0004"])
    env.clock.advance(3600)
    env.sb.listing_processing_seconds = PROCESSING
    with env.ctx():
        from demo import Product, db

        db.session.scalar(select(Product).where(Product.sku == "DEMO-0004")).stock = 0
        db.session.commit()
        push_products(env.store_id, skus=["DEMO-0004"])
        assert status.shown_state(_links()["DEMO-0004"]) == "processing"
    env.clock.advance(61)
    with env.ctx():
        poll_feeds(env.store_id)  # Amazon answers with the offer as it was an hour ago: still in stock
        link = _links()["DEMO-0004"]
        assert link.amazon_status is None and link.status_due_at is not None
    env.clock.advance(PROCESSING)
    with env.ctx():
        poll_feeds(env.store_id)
        link = _links()["DEMO-0004"]
        # no stock: Amazon shows the offer but nobody can buy it
        assert link.amazon_statuses == {"DISCOVERABLE"} and status.shown_state(link) == "not_buyable"


def test_the_next_inventory_pass_brings_the_status_without_a_call_per_sku(env):
    from flask_amazon_tr.services.listings import push_products, status

    with env.ctx():
        push_products(env.store_id, skus=[f"DEMO-{i:04d}" for i in range(1, 6)])
    env.clock.advance(PROCESSING + 1)
    env.sb.clear_requests()
    with env.ctx():
        run = push_products(env.store_id)  # a whole push reads what changed on Amazon first
        assert run.status == "done", run.error
        links = _links()
        assert {status.shown_state(links[f"DEMO-{i:04d}"]) for i in range(1, 6)} == {"live"}
        assert run.counts["statuses"] >= 5
    assert env.sb.count("getListingsItem") == 0


def test_a_listing_amazon_never_shows_is_reported_and_can_be_sent_again(env):
    from flask_amazon_tr.services.listings import issue_text, poll_feeds, push_products, status

    env.sb.listing_processing_seconds = 10 * 3600  # Amazon never gets round to it
    with env.ctx():
        push_products(env.store_id, skus=["DEMO-0006"])
    for _ in range(3):
        env.clock.advance(2 * 3600 + 1)
        with env.ctx():
            poll_feeds(env.store_id)
    with env.ctx():
        link = _links()["DEMO-0006"]
        assert link.state == "error" and status.shown_state(link) == "error" and link.asin is None
        assert "oluşturulmadı" in issue_text(link.issues[0])
    client = _admin(env)
    assert "Bağla" in _row(client, env, "DEMO-0006")


def test_the_rows_button_reads_amazons_status_now(env):
    from flask_amazon_tr.models import ListingLink

    env.sb.listing_processing_seconds = 0
    with env.ctx():
        from flask_amazon_tr.services.listings import push_products
        from demo import db

        push_products(env.store_id, skus=["DEMO-0007"])
        link_id = db.session.scalar(select(ListingLink.id).where(ListingLink.sku == "DEMO-0007"))
    client = _admin(env)
    page = client.get(f"/admin/amazon/stores/{env.store_id}/products").get_data(as_text=True)
    assert "Durumu Amazon&#39;dan oku" in page
    env.sb.clear_requests()
    row = client.post(f"/admin/amazon/stores/{env.store_id}/products/row/status",
                      data={"csrf_token": csrf_from(page), "link": link_id},
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert env.sb.count("getListingsItem") == 1
    assert "durumu okundu" in row and "yayında" in row and "Amazon: satışta" in row
    # while Amazon processes a change, the button says so and the row stays "işliyor"
    env.sb.listing_processing_seconds = PROCESSING
    with env.ctx():
        from demo import Product, db

        db.session.scalar(select(Product).where(Product.sku == "DEMO-0007")).stock = 1
        db.session.commit()
        env.clock.advance(120)
        push_products(env.store_id, skus=["DEMO-0007"])
    row = client.post(f"/admin/amazon/stores/{env.store_id}/products/row/status",
                      data={"csrf_token": csrf_from(page), "link": link_id},
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "henüz işlemedi" in row and "Amazon işliyor" in row

