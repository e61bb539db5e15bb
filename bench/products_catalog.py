"""The setting of bench/products.py: a database-backed demo shop of N products, all on Amazon already.

The products live in the demo shop's own tables and reach the plugin through its
shop adapter, as in a real shop. Each has a live link whose digests match what the
local Amazon holds, so a push of an unchanged catalog has nothing to send.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, update

import demo_shop
from demo_shop import Product, db
from flask_amazon_tr.models import ListingLink, Store
from flask_amazon_tr.sandbox import SandboxServer, SandboxState
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID, listing_attributes_for
from flask_amazon_tr.services.listings import get_settings, values
from flask_amazon_tr.services.authorization import grant

CHUNK = 5000
PRODUCT_TYPE = "HOME"


@dataclass
class Catalog:
    app: object
    sandbox: SandboxServer
    clock: object
    store_id: int
    skus: list[str]
    tmp: Path

    @property
    def shop(self):
        return self.app.extensions["amazon_tr"].shop

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        self.sandbox.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def build(n: int, clock) -> Catalog:
    sandbox = SandboxServer(state=SandboxState(clock=clock, seed=False))
    sandbox.start()
    tmp = Path(tempfile.mkdtemp(prefix="amazon-tr-bench-products-"))
    app = demo_shop.shop_app(tmp, sandbox.url, clock)
    with app.app_context():
        skus = _add_products(n)
        token = sandbox.state.authorize(TR_SELLER_ID)["refresh_token"]
        store = grant(Store(name="Bench", seller_id=TR_SELLER_ID, active=True, product_update=True,
                            auto_update_type="stock_price"), token, TR_SELLER_ID)
        db.session.add(store)
        db.session.commit()
        _publish(store.id, app.extensions["amazon_tr"].shop, sandbox.state, clock)
        return Catalog(app, sandbox, clock, store.id, skus, tmp)


def _add_products(n: int) -> list[str]:
    rows = [{"sku": f"B-{i:06d}", "ean": f"869{i:010d}", "title": f"Ürün {i}", "description": "Açıklama",
             "brand": "Marka", "category": "Ev", "price": Decimal(100 + i % 900) + Decimal("0.90"),
             "stock": i % 50} for i in range(n)]
    for start in range(0, n, CHUNK):
        db.session.execute(insert(Product), rows[start:start + CHUNK])
    db.session.commit()
    return [r["sku"] for r in rows]


def _publish(store_id: int, shop, sandbox_state: SandboxState, clock) -> None:
    """Links with the digests of what Amazon accepted, and Amazon's listings to match."""
    rules = values.Rules()
    now = clock.now()
    # listed a day ago: the inventory pass of a push reads only what changed since it was read
    created = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    with sandbox_state.lock:
        listings = sandbox_state.listings.setdefault(TR_SELLER_ID, {})
        for p in shop.iter_products():  # what the adapter yields is what the plugin will compare
            digests = values.part_digests(p, rules, PRODUCT_TYPE)
            asin = "B0" + p.sku[-8:].replace("-", "X")
            rows.append({"store_id": store_id, "sku": p.sku, "ean": p.ean, "asin": asin,
                         "product_type": PRODUCT_TYPE, "requirements": "LISTING_OFFER_ONLY", "state": "live",
                         "issues_json": "[]", "content_hash": digests[values.CONTENT],
                         "price_hash": digests[values.PRICE], "stock_hash": digests[values.STOCK],
                         "amazon_price": p.price, "amazon_quantity": p.stock, "updated_at": now})
            item = {"asin": asin, "ean": p.ean, "title": p.title, "brand": p.brand, "price": str(p.price)}
            listings[p.sku] = {"sku": p.sku, "productType": PRODUCT_TYPE, "asin": asin,
                               "attributes": listing_attributes_for(item, p.stock),
                               "createdDate": created, "lastUpdatedDate": created}
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(ListingLink), rows[start:start + CHUNK])
    # the seller's listings were read when they were linked: a push reads only what changed since
    settings = get_settings(store_id)
    settings.inventory_read_at = settings.inventory_since = now
    db.session.add(settings)
    db.session.commit()


def raise_prices(skus) -> int:
    """A price change of one lira on these SKUs, in the shop's table."""
    skus = list(skus)
    for start in range(0, len(skus), 500):
        db.session.execute(update(Product).where(Product.sku.in_(skus[start:start + 500]))
                           .values(price=Product.price + 1))
    db.session.commit()
    return len(skus)


def stock_of(sku: str) -> int:
    return db.session.scalar(select(Product.stock).where(Product.sku == sku))


def set_stock_quietly(sku: str, stock: int) -> None:
    """Change stock without the shop's signal: the simulated-clock figures drive the debounce themselves."""
    db.session.execute(update(Product).where(Product.sku == sku).values(stock=stock))
    db.session.commit()


def amazon_quantity(sandbox_state: SandboxState, sku: str) -> int | None:
    """The quantity the local Amazon holds for a SKU (the caller holds the sandbox's lock)."""
    listing = sandbox_state.listings.get(TR_SELLER_ID, {}).get(sku)
    if listing is None:
        return None
    return sum(int(e.get("quantity") or 0) for e in listing["attributes"].get("fulfillment_availability", [])
               if isinstance(e, dict))
