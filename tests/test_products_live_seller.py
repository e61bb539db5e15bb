"""A shop that already sells on Amazon.com.tr: the first push never overwrites what the seller has there.

The sandbox seller has 1,000 existing offers (50 shipped by Amazon, FBA) with prices, quantities,
handling times, shipping templates and B2B prices; the shop has those 1,000 products (new
prices and stock) and 200 Amazon does not have. For each update type, the first push leaves
every existing offer exactly as it was except the parts the type covers, sends no PUT or feed
UPDATE to an SKU Amazon has, and never sends a quantity to an FBA SKU. Amazon's PUT and feed
UPDATE replace the whole item (the sandbox models that: listings-items-2021-08-01.json,
json-listings-feed-schema-v2.json), so any of those would show here as lost attributes.
"""
from __future__ import annotations

import copy
import gzip
import json
from decimal import Decimal

import pytest
from test_products_support import build_env

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
from flask_amazon_tr.sandbox.seed_live import seed_live_seller
from flask_amazon_tr.services.listings import values

OFFERS, FBA, NEW = 1000, 50, 200
COVERS = {
    "all": {"purchasable_offer", "fulfillment_availability"} | values.CONTENT_ATTRIBUTES,
    "product_info": values.CONTENT_ATTRIBUTES,
    "price": {"purchasable_offer"},
    "stock": {"fulfillment_availability"},
    "stock_price": {"purchasable_offer", "fulfillment_availability"},
}


def _shop_catalog(app, eans: dict[str, str]) -> None:
    """The shop: the seller's 1,000 products with new prices and stock, and 200 Amazon does not have."""
    from demo import Product, db

    with app.app_context():
        rows = []
        for n, (sku, ean) in enumerate(sorted(eans.items())):
            rows.append(Product(sku=sku, ean=ean, title=f"Mağaza ürünü {n}", brand="Anadolu", category="Ev",
                                description="Mağazadaki açıklama", price=Decimal("100.00") + n, stock=7))
        for n in range(NEW):
            rows.append(Product(sku=f"NEW-{n:04d}", ean=f"86999{n:08d}", title=f"Yeni ürün {n}", brand="Anadolu",
                                category="Ev", description="Yeni", price=Decimal("50.00"), stock=3))
        db.session.add_all(rows)
        db.session.commit()


def _feed_messages(sb) -> list[dict]:
    out = []
    for doc in sb.documents.values():
        if doc["kind"] != "input":
            continue
        raw = doc["content"]
        out.extend(json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)["messages"])
    return out


@pytest.mark.parametrize("update_type", sorted(COVERS))
def test_the_first_push_to_a_live_seller_changes_only_what_the_type_covers(tmp_path, sim_sandbox, sim_clock,
                                                                            update_type):
    from flask_amazon_tr.services.listings import push_products, save_settings

    sb = sim_sandbox.state
    sb.listings.pop(TR_SELLER_ID, None)
    seeded = seed_live_seller(sb, offers=OFFERS, fba=FBA)
    fba = set(seeded["fbaSkus"])
    before = copy.deepcopy(sb.listings[TR_SELLER_ID])
    env = build_env(tmp_path, sim_sandbox, sim_clock, update_type=update_type)
    _shop_catalog(env.app, seeded["eans"])
    with env.ctx():
        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME", category_map={})
        run = push_products(env.store_id, wait=True)
        assert run.status == "done", run.error
        assert run.counts["existing_on_amazon"] == OFFERS

    existing = set(before)
    # no whole-item write ever reached an SKU Amazon had
    puts = {e["path"].rsplit("/", 1)[1] for e in env.requests("putListingsItem")}
    assert not puts & existing
    updates = {m["sku"] for m in _feed_messages(sb) if m["operationType"] in ("UPDATE", "PARTIAL_UPDATE")}
    assert not updates & existing
    # no quantity to an SKU Amazon ships
    sent_stock = {m["sku"] for m in _feed_messages(sb) for p in m.get("patches") or []
                  if p["path"] == "/attributes/fulfillment_availability"}
    sent_stock |= {e["path"].rsplit("/", 1)[1] for e in env.requests("patchListingsItem")
                   for p in e["body"]["patches"] if p["path"] == "/attributes/fulfillment_availability"}
    assert not sent_stock & fba

    after = sb.listings[TR_SELLER_ID]
    covered = COVERS[update_type]
    for sku in existing:
        old, new = before[sku]["attributes"], after[sku]["attributes"]
        untouched = (set(old) | set(new)) - covered
        if sku in fba:
            untouched |= {"fulfillment_availability"}
        for name in untouched:
            assert new.get(name) == old.get(name), f"{update_type}: {sku}'s {name} changed"
        for name in covered - values.CONTENT_ATTRIBUTES - ({"fulfillment_availability"} if sku in fba else set()):
            assert new.get(name) != old.get(name), f"{update_type}: {sku}'s {name} did not get the shop's value"
    # the FBA offers are still Amazon's alone
    for sku in fba:
        channels = {a["fulfillment_channel_code"] for a in after[sku]["attributes"]["fulfillment_availability"]}
        assert channels == {"AMAZON_EU"}, f"{sku}: {channels}"
