"""The fault matrix: every operation the plugin calls × every kind of fault, against the local Amazon.

Shared by tests/test_faults.py (one test per cell) and bench/faults.py (the
table in the README). A cell builds the demo shop with an authorized store on
a fresh database, lets the local Amazon fail one operation in one way over
real HTTP, runs the sync that calls it, then clears the fault and runs it
again. Each cell checks, and raises AssertionError when it does not hold:

* the faulted sync either finished correctly after retries ("retried") or
  stopped with a stored Turkish message ("stopped"): the run's error, the
  store's API test message, the package's or the link's message;
* the next run, with the fault gone, completes;
* nothing is lost or duplicated: orders compared one by one with Amazon's,
  listing prices and stock with the shop's, shipments confirmed exactly once.

Retries cost no real time: the app and the sandbox share a simulated clock.
Only "slow" costs real time (the client's read timeout is set short here).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from flask_amazon_tr.services.authorization import grant

#: Column order of the table; labels as the README shows them.
KINDS = ["throttle", "500", "503", "slow", "drop", "malformed", "revoke", "expire", "feed_fatal", "feed_stuck"]
KIND_LABELS = {
    "throttle": "429 storm", "500": "500", "503": "503", "slow": "read timeout", "drop": "dropped connection",
    "malformed": "malformed JSON", "revoke": "revoked refresh token", "expire": "expired access token",
    "feed_fatal": "feed FATAL", "feed_stuck": "feed stuck IN_PROGRESS",
}
#: How many times in a row the operation fails. The 429 storm (4) outlasts the
#: short retry budget of the API test and of shipment confirmations (2 retries)
#: but not the syncs' (6 retries); the others fit every budget.
COUNTS = {"throttle": 4, "500": 2, "503": 2, "slow": 1, "drop": 2, "malformed": 1, "revoke": 1, "expire": 1}
READ_TIMEOUT = 0.2  # the client's read timeout in the matrix, seconds
SLOW_SECONDS = 0.5  # how long a "slow" answer takes: longer than READ_TIMEOUT
FEED_DEADLINE = 300  # AMAZON_TR_FEED_DEADLINE in the matrix, simulated seconds

SPAPI_KINDS = ("throttle", "500", "503", "slow", "drop", "malformed", "revoke", "expire")
# Document URLs carry no access token (no revoke/expire); an upload answers no body.
UPLOAD_KINDS = ("throttle", "500", "503", "slow", "drop")
DOWNLOAD_KINDS = UPLOAD_KINDS + ("malformed",)
# The token endpoint takes refresh tokens, not access tokens.
LWA_KINDS = ("throttle", "500", "503", "slow", "drop", "malformed", "revoke")


@dataclass(frozen=True)
class Row:
    operation: str  # the sandbox's name for it (fault target)
    flow: str  # which sync calls it
    kinds: tuple[str, ...]
    label: str = ""


ROWS = [
    Row("getMarketplaceParticipations", "api_test", SPAPI_KINDS, "getMarketplaceParticipations (API test)"),
    Row("searchOrders", "orders", SPAPI_KINDS, "searchOrders (order import)"),
    Row("getOrder", "import_one", SPAPI_KINDS, "getOrder (import by number)"),
    Row("searchListingsItems", "inventory", SPAPI_KINDS, "searchListingsItems (reading the seller's listings)"),
    Row("searchCatalogItems", "products_put", SPAPI_KINDS, "searchCatalogItems (product push)"),
    Row("getDefinitionsProductType", "products_put", SPAPI_KINDS, "getDefinitionsProductType (product push)"),
    Row("searchDefinitionsProductTypes", "product_types", SPAPI_KINDS,
        "searchDefinitionsProductTypes (products page: Amazon's product types)"),
    Row("putListingsItem", "products_put", SPAPI_KINDS, "putListingsItem (product push)"),
    Row("patchListingsItem", "products_patch", SPAPI_KINDS, "patchListingsItem (product push)"),
    Row("createFeedDocument", "products_feed", SPAPI_KINDS, "createFeedDocument (feed push)"),
    Row("uploadFeedDocument", "products_feed", UPLOAD_KINDS, "document upload (feed push)"),
    Row("createFeed", "products_feed", SPAPI_KINDS, "createFeed (feed push)"),
    Row("getFeeds", "feed_lookup", SPAPI_KINDS, "getFeeds (finding a feed whose createFeed answer was lost)"),
    Row("getFeed", "products_feed", SPAPI_KINDS + ("feed_fatal", "feed_stuck"), "getFeed (feed poll)"),
    Row("cancelFeed", "feed_queued", SPAPI_KINDS, "cancelFeed (a feed Amazon never started, past the deadline)"),
    Row("getFeedDocument", "products_feed", SPAPI_KINDS, "getFeedDocument (feed poll)"),
    Row("downloadFeedDocument", "products_feed", DOWNLOAD_KINDS, "report download (feed poll)"),
    Row("getListingsItem", "read_back", SPAPI_KINDS, "getListingsItem (read-back of accepted listings)"),
    Row("confirmShipment", "shipments", SPAPI_KINDS, "confirmShipment (Kargo bildirimi)"),
    Row("lwaToken", "orders", LWA_KINDS, "LWA token (order import)"),
]


def cells() -> list[tuple[Row, str]]:
    return [(row, kind) for row in ROWS for kind in KINDS if kind in row.kinds]


def cell_id(row: Row, kind: str) -> str:
    return f"{row.operation}-{kind}"


#: What each cell must end in. "stopped" cells stop with a stored Turkish
#: message and complete on the next run; every other cell is "retried".
STOPPED = {
    # Amazon's grant is gone: nothing but authorizing again helps.
    **{(row.operation, "revoke"): "stopped" for row in ROWS},
    # The API test and shipment confirmations retry twice at most, so a person never waits long.
    ("getMarketplaceParticipations", "throttle"): "stopped",
    ("confirmShipment", "throttle"): "stopped",
    # Amazon never finished the feed: the links say so; the next push sends them again.
    ("getFeed", "feed_fatal"): "stopped",
    ("getFeed", "feed_stuck"): "stopped",
    # A feed Amazon never started is cancelled and given up at the deadline: sent again next time.
    **{("cancelFeed", kind): "stopped" for kind in SPAPI_KINDS},
    # The products page waits two retries at most; it renders without Amazon's list, reads it later.
    ("searchDefinitionsProductTypes", "throttle"): "stopped",
}


#: Cells the plugin does not pass yet, and why (tests/test_faults.py marks them xfail, strict).
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def expected(row: Row, kind: str) -> str:
    return STOPPED.get((row.operation, kind), "retried")


@dataclass
class Result:
    outcome: str  # retried or stopped
    message: str | None = None  # the stored Turkish message of a stopped cell
    notes: list[str] = field(default_factory=list)


def check(condition, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def turkish(msgid: str, **variables) -> str:
    """The Turkish text of a message id; fails the cell if the catalog has none."""
    from flask_amazon_tr.i18n import translations_for

    text = translations_for("tr").ugettext(msgid)
    check(text != msgid, f"no Turkish text for {msgid!r}")
    return text % variables if variables else text


REVOKED_TR = "Amazon no longer accepts this store's authorization: authorize the store again."


# --- the cell ---------------------------------------------------------------------------

def run_cell(row: Row, kind: str, tmp_path: Path, sandbox, clock) -> Result:
    """Run one cell against a started sandbox on ``clock``; raises AssertionError when it fails."""
    flow = FLOWS[row.flow](tmp_path, sandbox, clock)
    try:
        flow.setup()
        inject(sandbox.state, row.operation, kind)
        started = time.monotonic()
        result = flow.faulted(row, kind)
        if kind == "slow":
            # Amazon goes on with a request the client gave up on: let it land before anything is compared
            time.sleep(max(0.0, SLOW_SECONDS + 0.1 - (time.monotonic() - started)))
        check(result.outcome == expected(row, kind),
              f"{cell_id(row, kind)}: expected {expected(row, kind)}, got {result.outcome} ({result.message})")
        sandbox.state.clear_faults()
        if kind == "revoke":
            flow.authorize_again()
        clock.advance(300)  # the next run: the scheduler's next tick, or the admin pressing again
        flow.recover()
        flow.verify()
        return result
    finally:
        flow.close()


def inject(sb, operation: str, kind: str) -> None:
    if kind == "feed_fatal":
        sb.force_feed_outcome("fatal")
    elif kind == "feed_stuck":
        sb.force_feed_outcome("stuck")
    else:
        sb.inject_fault(operation, kind, COUNTS[kind], seconds=SLOW_SECONDS if kind == "slow" else 0.0)


class Flow:
    """One sync against the sandbox: set up, run under the fault, recover, verify."""

    def __init__(self, tmp_path: Path, sandbox, clock) -> None:
        self.tmp_path, self.sandbox, self.clock = tmp_path, sandbox, clock
        self.sb = sandbox.state
        self.app = None
        self.store_id = None

    def make_app(self, **config):
        from conftest import make_app

        self.app = make_app(self.tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=self.sandbox.url,
                            AMAZON_TR_READ_TIMEOUT=READ_TIMEOUT, AMAZON_TR_FEED_DEADLINE=FEED_DEADLINE, **config)
        self.app.extensions["amazon_tr"].clock = self.clock
        return self.app

    def add_store(self, **fields) -> int:
        from sandbox_fixtures import authorize_over_http

        from flask_amazon_tr.models import Store
        from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
        from demo import db

        tokens = authorize_over_http(self.sandbox.url)
        with self.app.app_context():
            store = grant(Store(name="Amazon TR", seller_id=TR_SELLER_ID, **fields), tokens["refresh_token"],
                          TR_SELLER_ID)
            db.session.add(store)
            db.session.commit()
            self.store_id = store.id
        return self.store_id

    def authorize_again(self) -> None:
        """What Yetkilendir leaves behind: a new refresh token, the revocation cleared."""
        from sandbox_fixtures import authorize_over_http

        from flask_amazon_tr.models import Store
        from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
        from demo import db

        tokens = authorize_over_http(self.sandbox.url)
        with self.app.app_context():
            store = db.session.get(Store, self.store_id)
            check(store.authorization_revoked_at is not None, "the store was not marked revoked")
            grant(store, tokens["refresh_token"], TR_SELLER_ID)
            db.session.commit()

    def close(self) -> None:
        if self.app is not None:
            from demo import db

            with self.app.app_context():
                db.session.remove()
                db.engine.dispose()
            executor = self.app.extensions["amazon_tr"].extras.get("executor")
            if executor is not None:
                executor.shutdown(wait=True)

    def setup(self) -> None: ...
    def faulted(self, row: Row, kind: str) -> Result: ...
    def recover(self) -> None: ...
    def verify(self) -> None: ...


# --- API test ---------------------------------------------------------------------------

class ApiTestFlow(Flow):
    def setup(self):
        self.make_app()
        self.add_store()

    def _test(self):
        from flask_amazon_tr.models import Store
        from flask_amazon_tr.services.connection_test import run_api_test
        from demo import db

        with self.app.app_context():
            result = run_api_test(db.session.get(Store, self.store_id))
            stored = db.session.get(Store, self.store_id)
            return result, stored.last_test_ok, stored.last_test_message

    def faulted(self, row, kind):
        result, ok, message = self._test()
        if ok:
            check(result.ok and "Amazon.com.tr" in message, f"API test ok without its message: {message}")
            return Result("retried")
        wanted = {
            "revoke": REVOKED_TR,
            "throttle": "Amazon is limiting requests right now. Try again in %(seconds)d seconds.",
        }[kind]
        head = turkish(wanted, seconds=0).split("0")[0]
        check(message and message.startswith(head), f"API test message not the Turkish one: {message!r}")
        return Result("stopped", message)

    def recover(self):
        self.result = self._test()

    def verify(self):
        result, ok, message = self.result
        check(ok and result.ok, f"API test after the fault: {message}")
        check(message == turkish("Connection successful: Amazon.com.tr store “%(name)s”.", name=result.store_name),
              f"unexpected API test message {message!r}")


# --- orders -----------------------------------------------------------------------------

class OrdersFlow(Flow):
    def setup(self):
        from test_orders_helpers import use_demo_skus

        self.make_app()
        use_demo_skus(self.sandbox)
        self.add_store(order_import=True)

    def _import(self):
        from flask_amazon_tr.services import orders

        with self.app.app_context():
            run = orders.import_orders(self.store_id)
            return run.status, run.error

    def faulted(self, row, kind):
        status, error = self._import()
        # Amazon moves on meanwhile: an order ships, a new one comes in; the next run must see both
        some = sorted(self.sb.orders)[0]
        self.sb.update_order(some, {"fulfillmentStatus": "SHIPPED"})
        self.sb.add_order(status="UNSHIPPED")
        from test_orders_helpers import use_demo_skus

        use_demo_skus(self.sandbox)
        self.clock.advance(600)
        if status == "done":
            return Result("retried")
        check(status == "failed", f"order import ended {status}")
        if kind == "revoke":
            check(error.startswith(turkish(REVOKED_TR)), f"not the Turkish revoked message: {error!r}")
        else:
            check(False, f"order import stopped: {error!r}")
        return Result("stopped", error)

    def recover(self):
        status, error = self._import()
        check((status, error) == ("done", None), f"the next import did not complete: {status} {error}")

    def verify(self):
        verify_orders(self.app, self.sandbox, self.store_id, list(self.sb.orders))


def verify_orders(app, sandbox, store_id, order_ids) -> None:
    """Each of Amazon's orders exactly once in the shop and in our table, with Amazon's status."""
    from flask_amazon_tr.models import ImportedOrder
    from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
    from demo import Order, db

    with sandbox.state.lock:
        amazon = {oid: (o["fulfillment"]["fulfillmentStatus"]) for oid, o in sandbox.state.orders.items()
                  if oid in order_ids and o.get("_sellerId") == TR_SELLER_ID}
    with app.app_context():
        rows = db.session.scalars(select(ImportedOrder).where(ImportedOrder.store_id == store_id)).all()
        numbers = [o.number for o in db.session.scalars(select(Order))]
    ids = [r.amazon_order_id for r in rows]
    check(len(ids) == len(set(ids)), "an Amazon order was imported twice")
    check(len(numbers) == len(set(numbers)), "a shop order number appears twice")
    check(sorted(ids) == sorted(amazon), f"orders lost or extra: {set(amazon) ^ set(ids)}")
    check(sorted(numbers) == sorted("AMZ-" + oid for oid in amazon), "the shop's orders differ from Amazon's")
    for row in rows:
        check(row.amazon_status == amazon[row.amazon_order_id],
              f"{row.amazon_order_id}: {row.amazon_status} in the shop, {amazon[row.amazon_order_id]} on Amazon")


class ImportOneFlow(OrdersFlow):
    def setup(self):
        super().setup()
        self.order_id = sorted(self.sb.orders)[3]

    def _import(self):
        from flask_amazon_tr.services import orders

        with self.app.app_context():
            run = orders.import_one(self.store_id, self.order_id)
            return run.status, run.error

    def faulted(self, row, kind):
        status, error = self._import()
        self.sb.update_order(self.order_id, {"fulfillmentStatus": "SHIPPED"})
        self.clock.advance(600)
        if status == "done":
            return Result("retried")
        check(kind == "revoke" and error.startswith(turkish(REVOKED_TR)), f"import by number stopped: {error!r}")
        return Result("stopped", error)

    def verify(self):
        verify_orders(self.app, self.sandbox, self.store_id, [self.order_id])


# --- products ---------------------------------------------------------------------------

#: Two products Amazon has (an offer on its ASIN), two it has not (a whole
#: LISTING, whose required attributes come from getDefinitionsProductType).
SKUS = ["DEMO-0001", "DEMO-0002", "DEMO-0011", "DEMO-0012"]


class ProductsFlow(Flow):
    threshold = 100

    existing = False  # the seller has no listings on Amazon yet

    def setup(self):
        from test_products_support import seed_demo_catalog

        seed_demo_catalog(self.sb, matched=(1, 2), locked=(), existing=self.existing)
        # the sandbox's seeded offers have prices of their own: this flow is about reading them, not
        # about a price far from Amazon's waiting for the admin (tests/test_products_views.py)
        self.make_app(AMAZON_TR_PATCH_THRESHOLD=self.threshold,
                      AMAZON_TR_PRICE_JUMP_FACTOR=1000.0 if self.existing else 3.0)
        self.add_store(product_update=True, auto_update_type="all")
        with self.app.app_context():
            from flask_amazon_tr.services.listings import save_settings

            save_settings(self.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                          fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME",
                          category_map={"Gıda": "GROCERY"})
        if not self.existing:
            self.read_inventory()

    def read_inventory(self):
        """The seller's listings, read before a push of a few SKUs may go (never overwrite blindly)."""
        from flask_amazon_tr.services.listings import inventory

        with self.app.app_context():
            run = inventory.read_inventory(self.store_id)
            return run.status, run.error

    def _push(self):
        from flask_amazon_tr.services.listings import push_products

        with self.app.app_context():
            run = push_products(self.store_id, skus=SKUS, wait=True)
            return run.status, run.error

    def _links(self):
        from flask_amazon_tr.models import ListingLink
        from demo import db

        with self.app.app_context():
            found = {link.sku: link for link in db.session.scalars(select(ListingLink).where(
                ListingLink.store_id == self.store_id))}
            db.session.expunge_all()
            return found

    def faulted(self, row, kind):
        status, error = self._push()
        self.clock.advance(600)
        if error:
            check(status == "failed", f"push with an error ended {status}")
            head = turkish("Amazon refused the product update: %(error)s", error="").strip()
            if kind == "revoke":
                check(error.startswith(head) and turkish(REVOKED_TR) in error,
                      f"not the Turkish refusal naming the revoked authorization: {error!r}")
            else:
                check(False, f"product push stopped: {error!r}")
            return Result("stopped", error)
        failed = {sku: link for sku, link in self._links().items() if link.state != "live"}
        if not failed:
            return Result("retried")
        from flask_amazon_tr.services.listings import issue_text

        hours = f"{FEED_DEADLINE / 3600:g}"
        wanted = {
            "feed_fatal": turkish("Amazon could not process the feed holding this product (%(status)s); it is sent "
                                  "again next time.", status="FATAL"),
            "feed_stuck": turkish("Amazon had not processed the feed holding this product after %(hours)s hours; "
                                  "it is sent again next time.", hours=hours),
        }.get(kind)
        with self.app.app_context():
            texts = {sku: issue_text(link.issues[0]) if link.issues else None for sku, link in failed.items()}
        check(wanted is not None and set(texts.values()) == {wanted},
              f"links not live after the push: {texts}")
        return Result("stopped", wanted)

    def recover(self):
        status, error = self._push()
        check((status, error) == ("done", None), f"the next push did not complete: {status} {error}")

    def verify(self):
        verify_listings(self.app, self.sb, self._links())


def verify_listings(app, sb, links) -> None:
    """Amazon's price and stock of every SKU equal the shop's (no price or stock rule is set)."""
    from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
    from demo import Product, db

    with app.app_context():
        shop = {p.sku: (p.price, p.stock) for p in db.session.scalars(select(Product).where(Product.sku.in_(SKUS)))}
    for sku in SKUS:
        link = links.get(sku)
        # "locked": Amazon keeps a brand's page content, the offer (price, stock) is ours
        check(link is not None and link.state in ("live", "locked"), f"{sku}: link is {link and link.state}")
        with sb.lock:
            listing = sb.listings.get(TR_SELLER_ID, {}).get(sku)
        check(listing is not None, f"{sku} is not listed on Amazon")
        attrs = listing["attributes"]
        price = Decimal(str(attrs["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"]))
        quantity = attrs["fulfillment_availability"][0]["quantity"]
        check(price == shop[sku][0] and quantity == shop[sku][1],
              f"{sku}: Amazon has {price} TRY / {quantity}, the shop {shop[sku][0]} / {shop[sku][1]}")


class InventoryFlow(ProductsFlow):
    """Reading the seller's listings under the fault; the push of a few SKUs waits for it."""

    existing = True  # a seller already on Amazon, whose listings were never read (the cell reads them)

    def faulted(self, row, kind):
        status, error = self.read_inventory()
        if error:
            check(status == "failed", f"reading with an error ended {status}")
            check(kind == "revoke" and error.startswith(turkish(REVOKED_TR)), f"not the Turkish refusal: {error!r}")
            skipped = self._push()
            check(skipped == ("done", None), f"a push before the listings were read was not skipped: {skipped}")
            check(not self._links(), "a push before the listings were read touched a link")
            return Result("stopped", error)
        return Result("retried")

    def recover(self):
        status, error = self.read_inventory()
        check((status, error) == ("done", None), f"the next reading did not complete: {status} {error}")
        from flask_amazon_tr.models import AmazonListing
        from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
        from demo import db

        with self.app.app_context():
            known = set(db.session.scalars(select(AmazonListing.sku).where(AmazonListing.store_id == self.store_id)))
        with self.sb.lock:
            on_amazon = set(self.sb.listings.get(TR_SELLER_ID, {}))
        check(known == on_amazon, f"{len(on_amazon - known)} listing(s) not read, {len(known - on_amazon)} extra")
        super().recover()


class PatchFlow(ProductsFlow):
    def setup(self):
        super().setup()
        status, error = self._push()
        check(status == "done" and error is None, f"first push failed: {error}")
        from demo import Product, db

        with self.app.app_context():
            for product in db.session.scalars(select(Product).where(Product.sku.in_(SKUS))):
                product.price = product.price + Decimal("10.50")
                product.stock = product.stock + 3
            db.session.commit()
        self.sb.clear_requests()


class FeedFlow(ProductsFlow):
    threshold = 2  # four SKUs: one feed

    def faulted(self, row, kind):
        self.kind = kind
        return super().faulted(row, kind)

    def verify(self):
        super().verify()
        # one feed on Amazon for the four SKUs; a feed Amazon failed or sat on is sent again, once
        with self.sb.lock:
            feeds = len(self.sb.feeds)
        wanted = 2 if self.kind in ("feed_fatal", "feed_stuck") else 1
        check(feeds == wanted, f"{feeds} feeds created on Amazon, expected {wanted}")


class QueuedFeedFlow(FeedFlow):
    """Amazon never starts the feed: past the deadline the push cancels it (under the fault) and
    gives it up; the next push sends the SKUs again, and the old feed can never land after them."""

    def faulted(self, row, kind):
        self.kind = kind
        self.sb.force_feed_outcome("queued")  # IN_QUEUE for ever, until cancelled
        status, error = self._push()
        if error:
            check(kind == "revoke" and turkish(REVOKED_TR) in error, f"push stopped: {error!r}")
            return Result("stopped", error)
        from flask_amazon_tr.services.listings import issue_text

        hours = f"{FEED_DEADLINE / 3600:g}"
        wanted = turkish("Amazon had not processed the feed holding this product after %(hours)s hours; "
                         "it is sent again next time.", hours=hours)
        with self.app.app_context():
            texts = {issue_text(link.issues[0]) if link.issues else None for link in self._links().values()}
        check(texts == {wanted}, f"links after the given-up feed: {texts}")
        return Result("stopped", wanted)

    def verify(self):
        ProductsFlow.verify(self)
        with self.sb.lock:
            statuses = sorted(feed["processingStatus"] for feed in self.sb.feeds.values())
        # the first feed was cancelled before its SKUs went again: it never lands after them
        check(statuses == ["CANCELLED", "DONE"], f"feeds on Amazon: {statuses}")


class FeedLookupFlow(FeedFlow):
    """createFeed's answer is lost (a read timeout), so the push looks for the feed with getFeeds."""

    def faulted(self, row, kind):
        self.sb.inject_fault("createFeed", "slow", 1, seconds=SLOW_SECONDS)
        return super().faulted(row, kind)

    def verify(self):
        super().verify()
        check(self.sb.count("getFeeds") >= 1, "the lost createFeed answer was not looked for with getFeeds")


# --- shipments --------------------------------------------------------------------------

LINES = [{"orderItemId": "31111111111111", "quantityOrdered": 2,
          "product": {"asin": "B0TR000001", "sellerSku": "DEMO-0001", "title": "Bakır Cezve"},
          "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 2}}]


class ShipmentsFlow(Flow):
    def setup(self):
        from flask_amazon_tr.models import ImportedOrder
        from demo import db

        self.make_app()
        self.add_store()
        amazon = self.sb.add_order({"orderItems": json.loads(json.dumps(LINES))}, status="UNSHIPPED")
        self.order_id = amazon["orderId"]
        with self.app.app_context():
            db.session.add(ImportedOrder(store_id=self.store_id, amazon_order_id=self.order_id,
                                         shop_number="AMZ-1", state="ready", amazon_status="UNSHIPPED",
                                         fulfillment_channel="merchant"))
            db.session.commit()

    def _package(self):
        from flask_amazon_tr.models import ShipmentPackage
        from demo import db

        with self.app.app_context():
            found = db.session.scalars(select(ShipmentPackage)).all()
            db.session.expunge_all()
            return found

    def faulted(self, row, kind):
        from flask_amazon_tr.services import runs
        from flask_amazon_tr.services.shipments import record_shipment

        with self.app.app_context():
            record_shipment("AMZ-1", "Yurtiçi Kargo", "YK-1", "2026-03-02", [("DEMO-0001", 2)])
            [run] = runs.latest_runs(self.store_id, "shipments")
            error = run.error
        [package] = self._package()
        if package.state == "confirmed":
            return Result("retried")
        if kind == "revoke":
            check(error and error.startswith(turkish(REVOKED_TR)), f"not the Turkish revoked message: {error!r}")
            return Result("stopped", error)
        check(package.state == "retry", f"package {package.state}: {package.last_message}")
        head = turkish("Amazon did not take the confirmation this time; it is tried again automatically.")
        check(package.last_message.startswith(head), f"not the Turkish retry note: {package.last_message!r}")
        return Result("stopped", package.last_message)

    def recover(self):
        from flask_amazon_tr.services.shipments import send_due

        self.clock.advance(3 * 3600)
        with self.app.app_context():
            send_due(self.store_id)

    def verify(self):
        [package] = self._package()
        check(package.state == "confirmed", f"package {package.state}: {package.last_message}")
        with self.sb.lock:
            packages = list(self.sb.orders[self.order_id].get("packages") or [])
            status = self.sb.orders[self.order_id]["fulfillment"]["fulfillmentStatus"]
        check([p["packageReferenceId"] for p in packages] == [package.package_reference_id],
              f"Amazon holds packages {packages}")
        check(status == "SHIPPED", f"Amazon's order is {status}")


FLOWS = {
    "api_test": ApiTestFlow, "orders": OrdersFlow, "import_one": ImportOneFlow, "products_put": ProductsFlow,
    "inventory": InventoryFlow, "feed_queued": QueuedFeedFlow,
    "products_patch": PatchFlow, "products_feed": FeedFlow, "feed_lookup": FeedLookupFlow, "shipments": ShipmentsFlow,
}


def _read_back_flow(*args) -> Flow:
    # in tests/fault_readback.py (this module is long enough); imported late, as it builds on ProductsFlow
    from fault_readback import ReadBackFlow

    return ReadBackFlow(*args)


FLOWS["read_back"] = _read_back_flow


def _product_types_flow(*args) -> Flow:
    from fault_product_types import ProductTypesFlow  # in its own module, like the read-back's

    return ProductTypesFlow(*args)


FLOWS["product_types"] = _product_types_flow


# --- bad data from Amazon (issue 15: 4, 6, 7, 18) --------------------------------------------

#: What Amazon sends wrong to the order import (searchOrders), beside the transport faults
#: above. Each case: the order import under it, then Amazon correct again, the next run, and
#: every order exactly once in the shop with Amazon's status and the stock it holds.
BAD_DATA = {
    "malformed_order": "one order of a page with a list as SKU, one with a non-text buyer name, one with "
                       "Infinity as its total",
    "bad_quantity": "orders with a quantity of 0, −50 and 10⁹",
    "repeated_token": "the same nextToken twice in one run",
    "overlap_restart": "a restart with 25 pages in the overlap window, each run cut off after 20 pages",
}
#: What each case must end in, as bench/faults.py and the README print it.
BAD_DATA_TEXT = {
    "set_aside": "bad orders set aside with a Turkish reason, the rest imported ✓",
    "stopped": "stopped, Turkish error, lease released ✓",
    "moved_forward": "every restarted run moves forward ✓",
}


def _break_first_line(order, **changes):
    order["orderItems"][0].update(changes)


BREAKS = {
    "malformed_order": [
        lambda o: o["orderItems"][0]["product"].update(sellerSku=["DEMO-0001", "DEMO-0002"]),
        lambda o: o["buyer"].update(buyerName={"first": "Ayşe"}),
        lambda o: o["proceeds"]["grandTotal"].update(amount="Infinity"),
    ],
    "bad_quantity": [
        lambda o: _break_first_line(o, quantityOrdered=0),
        lambda o: _break_first_line(o, quantityOrdered=-50),
        lambda o: _break_first_line(o, quantityOrdered=10 ** 9),
    ],
}


def run_bad_data_case(kind: str, tmp_path: Path, sandbox, clock) -> Result:
    """One bad-data case on the order import; raises AssertionError when it does not hold."""
    flow = BadDataFlow(tmp_path, sandbox, clock)
    try:
        flow.setup()
        result = {"malformed_order": flow.bad_orders, "bad_quantity": flow.bad_orders,
                  "repeated_token": flow.repeated_token, "overlap_restart": flow.overlap_restart}[kind](kind)
        flow.verify()
        return result
    finally:
        # the broken orders broke Amazon's model on purpose: that is no sandbox bug
        with sandbox.state.lock:
            sandbox.state.response_problems[:] = [p for p in sandbox.state.response_problems
                                                  if p["operation"] not in ("searchOrders", "getOrder")]
        flow.close()


class BadDataFlow(OrdersFlow):
    def run(self, **kw):
        from flask_amazon_tr.services import orders

        with self.app.app_context():
            run = orders.import_orders(self.store_id, **kw)
            return run.status, run.error, run.counts

    def stock(self):
        from demo import Product, db

        with self.app.app_context():
            return {p.sku: p.stock for p in db.session.scalars(select(Product))}

    def bad_orders(self, kind):
        from flask_amazon_tr.models import ImportedOrder
        from demo import db

        check(self.run()[0] == "done", "the first import failed")
        good = [self.sb.add_order(status="UNSHIPPED") for _ in range(2)]
        bad = [self.sb.add_order(status="UNSHIPPED") for _ in BREAKS[kind]]
        from test_orders_helpers import expected_reservations, use_demo_skus

        use_demo_skus(self.sandbox)
        with self.sb.lock:
            originals = {o["orderId"]: json.loads(json.dumps(self.sb.orders[o["orderId"]])) for o in bad}
            for order, break_it in zip(bad, BREAKS[kind]):
                break_it(self.sb.orders[order["orderId"]])
        before = self.stock()
        self.clock.advance(60)
        status, error, counts = self.run()
        check((status, error) == ("done", None), f"a bad order failed its page: {status} {error}")
        check(counts.get("invalid") == len(bad) and counts.get("created") == len(good),
              f"counts {counts}")
        with self.sb.lock:
            goods = {o["orderId"]: self.sb.orders[o["orderId"]] for o in good}
        check(self.stock() == expected_reservations(self.app, goods, before), "a bad order moved the shop's stock")
        with self.app.app_context():
            reasons = [db.session.scalar(select(ImportedOrder.set_aside_reason).where(
                ImportedOrder.store_id == self.store_id, ImportedOrder.amazon_order_id == o["orderId"]))
                for o in bad]
        check(all(reasons), f"a bad order was not set aside with its reason: {reasons}")
        from flask_amazon_tr.i18n import translations_for

        check(all(translations_for("tr").ugettext(r) == r for r in reasons), "reasons are stored in Turkish")
        # Amazon corrects them (same lastUpdatedTime): the next run asks for them again
        with self.sb.lock:
            self.sb.orders.update(originals)
        self.clock.advance(300)
        status, error, counts = self.run()
        check((status, error) == ("done", None), f"the next import did not complete: {status} {error}")
        check(self.sb.count("getOrder") == len(bad), "the set-aside orders were not asked for again")
        return Result("set_aside", reasons[0])

    def repeated_token(self, kind):
        from test_orders_helpers import add_bulk_orders
        from flask_amazon_tr.models import StoreLease
        from flask_amazon_tr.sandbox import dispatch
        from demo import db

        add_bulk_orders(self.sandbox, 240)  # 3 pages with the 60 seeded
        real = dispatch.HANDLERS["searchOrders"]
        first = []

        def repeating(call):
            status, body = real(call)
            token = (body.get("pagination") or {}).get("nextToken")
            if token:
                first.append(token)
                if call.state.count("searchOrders") < 50:  # a failing cell still ends
                    body["pagination"]["nextToken"] = first[0]
            return status, body

        dispatch.HANDLERS["searchOrders"] = repeating
        try:
            status, error, _ = self.run()
        finally:
            dispatch.HANDLERS["searchOrders"] = real
        # page 1, then the repeated token: stopped there (one more call when a slow answer was retried)
        check(2 <= self.sb.count("searchOrders") <= 3, f"{self.sb.count('searchOrders')} searchOrders calls")
        check(status == "failed" and error == turkish(
            "Amazon sent the same page of orders twice (a repeated page token); the import stopped so that it "
            "does not run in circles. The next import continues from the last saved point."),
            f"not the Turkish stop: {status} {error!r}")
        with self.app.app_context():
            check(not db.session.scalars(select(StoreLease)).all(), "the store's lease was kept")
        self.clock.advance(300)
        again, next_error, _ = self.run()
        check((again, next_error) == ("done", None), f"the next import did not complete: {again} {next_error}")
        return Result("stopped", error)

    def overlap_restart(self, kind):
        from datetime import timedelta

        from test_orders_helpers import use_demo_skus
        from flask_amazon_tr.sandbox.seed import iso

        now = self.sb.now()
        with self.sb.lock:
            for i in range(2500):  # updated within 100 seconds: 25 pages in the next run's overlap
                order = self.sb.add_order(created=now - timedelta(days=2), status="UNSHIPPED")
                self.sb.orders[order["orderId"]]["lastUpdatedTime"] = iso(now - timedelta(seconds=100 - i // 25))
        use_demo_skus(self.sandbox)
        self.clock.advance(120)
        status, error, counts = self.run()
        check((status, error) == ("done", None), f"the first import failed: {error}")
        self.clock.advance(60)
        newer = self.sb.add_order(status="UNSHIPPED")
        use_demo_skus(self.sandbox)

        def cut_after_20_pages(run):
            if run.counts.get("pages") == 20:
                self.sb.inject_fault("searchOrders", "503", count=1000)

        for _ in range(3):
            self.clock.advance(900)
            self.run(on_page=cut_after_20_pages)
            self.sb.clear_faults()
            if self._in_shop(newer["orderId"]):
                return Result("moved_forward")
        check(False, "three restarted imports re-read the same 20 pages of the overlap")

    def _in_shop(self, order_id) -> bool:
        from demo import Order, db

        with self.app.app_context():
            return db.session.scalar(select(Order).where(Order.number == "AMZ-" + order_id)) is not None

    def verify(self):
        from test_orders_helpers import expected_reservations, seller_orders

        verify_orders(self.app, self.sandbox, self.store_id, list(self.sb.orders))
        # stock: what the shop had before any import, minus what Amazon's open merchant orders hold, once each
        check(self.stock() == expected_reservations(self.app, seller_orders(self.sandbox), self.seed_stock),
              "the shop's stock is not what Amazon's orders hold")

    def setup(self):
        super().setup()
        self.seed_stock = self.stock()


# --- the table --------------------------------------------------------------------------

def table(results: dict[tuple[str, str], str]) -> str:
    """Markdown: rows are operations, columns fault kinds; ``results`` maps (operation, kind) to a cell text."""
    head = "| operation | " + " | ".join(KIND_LABELS[k] for k in KINDS) + " |"
    lines = [head, "|---" * (len(KINDS) + 1) + "|"]
    for row in ROWS:
        lines.append(f"| {row.label} | " + " | ".join(results.get((row.operation, k), "n/a") for k in KINDS) + " |")
    return "\n".join(lines)


CELL_TEXT = {"retried": "retried ✓", "stopped": "stopped, Turkish error ✓"}
