"""Helpers for the product-update tests: an app on the local sandbox with an authorized store."""
from __future__ import annotations

from dataclasses import dataclass

from conftest import make_app
from sandbox_fixtures import authorize_over_http

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
from flask_amazon_tr.services.authorization import grant


@dataclass
class Env:
    app: object
    sandbox: object
    store_id: int
    clock: object

    @property
    def sb(self):
        return self.sandbox.state

    def ctx(self):
        return self.app.app_context()

    def requests(self, operation):
        with self.sb.lock:
            return [e for e in self.sb.requests if e["operation"] == operation]

    def sent(self):
        """Calls to Amazon besides the inventory pass a whole push starts with (one page when nothing changed)."""
        return {op: n for op, n in self.sb.counts().items() if op != "searchListingsItems"}

    def listing(self, sku):
        return self.sb.listings.get(TR_SELLER_ID, {}).get(sku)


def build_env(tmp_path, sandbox, clock=None, *, update_type="all", product_update=True, active=True, **config):
    from flask_amazon_tr.models import Store
    from demo import db

    # these tests change prices freely; the hold of a price far from Amazon's has its own test
    # (test_products_views.py::test_a_price_far_from_amazons_waits_for_the_admin, default factor)
    config.setdefault("AMAZON_TR_PRICE_JUMP_FACTOR", 1000.0)
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url, **config)
    state = app.extensions["amazon_tr"]
    if clock is not None:
        state.clock = clock
    tokens = authorize_over_http(sandbox.url)
    with app.app_context():
        store = grant(Store(name="Amazon TR", seller_id=TR_SELLER_ID, active=active, product_update=product_update,
                            auto_update_type=update_type), tokens["refresh_token"], TR_SELLER_ID)
        db.session.add(store)
        db.session.commit()
        store_id = store.id
    return Env(app, sandbox, store_id, state.clock)


def seed_demo_catalog(sandbox_state, *, matched=range(1, 11), locked=(3,), existing=False):
    """Amazon has catalog pages for some of the demo shop's EANs; ``locked`` ones belong to a brand.

    The sandbox's own seed has the seller already selling 20 of the demo SKUs; without
    ``existing`` the seller is new to Amazon (no listings), as these tests of linking need.
    """
    from demo import DEMO_PRODUCTS, ean13

    if not existing:
        sandbox_state.listings.pop(TR_SELLER_ID, None)

    for i in matched:
        title, brand, _category, _price = DEMO_PRODUCTS[i - 1]
        sandbox_state.add_catalog_item(ean=ean13(1000 + i), title=title, brand=brand, asin=f"B0DEMO{i:04d}",
                                       product_type="KITCHEN", content_locked=i in locked)


def read_inventory_first(env):
    """A push of a few SKUs waits for one reading of the seller's listings (never overwrite blindly)."""
    from flask_amazon_tr.services.listings import inventory

    with env.ctx():
        assert inventory.read_inventory(env.store_id).status == "done"
    env.sb.clear_requests()
