"""The seller's inventory on Amazon: read before the first push, so nothing there is overwritten blindly.

Most shops installing the plugin already sell on Amazon.com.tr. putListingsItem and a feed
``UPDATE`` replace a whole listing ("Creates a new or fully-updates an existing listings
item", listings-items-2021-08-01.json; feed UPDATE: "any existing attributes data will be
replaced", json-listings-feed-schema-v2.json): sent to an existing offer with only the parts
an update type covers, they would drop its price, quantity, handling time or shipping
template. So a store's first push waits for one whole pass of searchListingsItems (20 a
page, 5/s), stored as AmazonListing rows; SKUs Amazon has are then only ever patched
(sending.py, linking.py), and an SKU Amazon ships itself (a fulfillment channel other than
DEFAULT, i.e. FBA) never gets a quantity.

Later passes ask only for listings changed since the last one (``lastUpdatedAfter``): with
nothing changed on Amazon that is one page.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, select, update

from ...i18n import gettext as _
from ...models import AmazonListing, ListingLink, ListingSettings, Store, SyncRun
from ...spapi import SPAPIError
from ...spapi.formats import parse_datetime
from .. import messages, session, state
from ..amazon import NotAuthorized, NotConfigured, calling_amazon, can_sync
from ..runs import acquire_lease, finish_run, in_background, latest_runs, progress, release_lease, start_run
from . import status
from .settings import get_settings

log = logging.getLogger("amazon_tr")

KIND = "inventory"
#: How many items one searchListingsItems search pages through at most (see read_pass).
SEARCH_MAX_ITEMS = 1000
#: The products lease: a pass and a push of one store never run at once.
LEASE_KIND = "products"
#: A listing changed while a pass was reading may carry a lastUpdatedDate a little before
#: the pass started; the next pass asks from this much earlier (rows are upserted, so
#: reading one twice costs nothing).
OVERLAP = timedelta(minutes=5)


@dataclass(frozen=True)
class Match:
    """How the shop's products and the seller's Amazon listings meet (the products page's summary)."""

    on_amazon: int
    by_sku: int
    by_ean: int
    only_on_amazon: int
    only_in_shop: int
    fba: int
    read_at: datetime | None


def read_at(store_id: int) -> datetime | None:
    """When a whole pass over the store's Amazon inventory last completed (None: never)."""
    settings = session().get(ListingSettings, store_id)
    return settings.inventory_read_at if settings else None


def read_inventory(store_id: int, *, trigger: str = "manual", full: bool = False,
                   client_options: dict | None = None) -> SyncRun:
    """One pass of searchListingsItems into AmazonListing rows; a SyncRun with pages and listings read.

    The first pass (or ``full``) reads everything and forgets listings Amazon no longer
    has; later ones read what changed since the last. Raises LeaseBusy while a push or
    another pass of the store runs.
    """
    db = session()
    store = db.get(Store, store_id)
    if store is None:
        raise LookupError(f"no Amazon store {store_id}")
    token = acquire_lease(store_id, LEASE_KIND)
    try:
        run = start_run(store_id, KIND, trigger=trigger)
        if not can_sync(store):
            return finish_run(run, error=_("The store is not authorized with Amazon: its listings cannot be read."))
        try:
            with calling_amazon(store, **(client_options or {})) as client:
                read_pass(store, client, run, full=full)
        except (SPAPIError, NotAuthorized, NotConfigured) as exc:
            db.rollback()
            log.warning("reading the Amazon inventory of store %s failed: %s", store_id, type(exc).__name__)
            return finish_run(run, error=messages.explain(exc, "products"))
        summary = match(store_id)
        progress(run, commit=False, on_amazon=summary.on_amazon, by_sku=summary.by_sku, by_ean=summary.by_ean,
                 only_on_amazon=summary.only_on_amazon, only_in_shop=summary.only_in_shop, fba=summary.fba)
        return finish_run(run)
    finally:
        release_lease(store_id, LEASE_KIND, token)


def read_pass(store: Store, client, run: SyncRun, *, full: bool = False) -> None:
    """The pass itself, with the caller's client and lease (a push runs one before it sends)."""
    db = session()
    settings = _settings(store.id)
    since = None if full or settings.inventory_read_at is None else settings.inventory_since
    started = state().clock.now()
    whole = since is None
    total = None
    while True:
        read, last = 0, None
        for page in client.search_listings_items(last_updated_after=since):
            items = page.get("items") or []
            _upsert(store.id, items, started)
            read += len(items)
            last = _last_updated(items) or last
            total = total if total is not None else page.get("numberOfResults")
            progress(run, inventory_pages=1, listings=len(items), commit=False)
            run.cursor = f"{run.counts.get('listings', 0)}/{total if total is not None else '?'}"
            db.commit()
        # Amazon pages through at most SEARCH_MAX_ITEMS of one search ("The maximum number of items
        # (SKUs) that can be returned and paged through is 1000", listings-items-2021-08-01.json):
        # sorted oldest change first, the pass goes on from the newest date it has seen.
        if read < SEARCH_MAX_ITEMS or last is None:
            break
        if since is not None and last <= since:
            # more than 1,000 listings changed within one second: the search cannot page past them
            # (a known limit; the next whole pass, the button, reads every listing again)
            log.warning("store %s: over %s listings share one lastUpdatedDate; this pass read %s of them",
                        store.id, SEARCH_MAX_ITEMS, SEARCH_MAX_ITEMS)
            progress(run, inventory_cut_short=1, commit=False)
            break
        since = last
    if whole:
        # a whole pass saw every listing Amazon has: the others are gone from Amazon
        gone = db.execute(delete(AmazonListing).where(AmazonListing.store_id == store.id,
                                                      AmazonListing.seen_at < started)).rowcount
        progress(run, gone=gone, commit=False)
    settings = _settings(store.id)
    settings.inventory_read_at = state().clock.now()
    settings.inventory_since = started - OVERLAP
    _mark_fba_links(store.id)
    # Amazon's own status of the SKUs this pass has read (our accepted ones included): no extra call
    statuses = status.from_inventory(store.id, started, state().clock.now())
    if statuses:
        progress(run, statuses=statuses, commit=False)
    db.commit()


def _last_updated(items: list[dict]) -> datetime | None:
    dates = [_when((next(iter(i.get("summaries") or []), {}) or {}).get("lastUpdatedDate")) for i in items]
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


def start_read(store_id: int, *, trigger: str = "manual", full: bool = False):
    """The button: a pass in the background runner; the page polls the run's progress."""
    return in_background(read_inventory, store_id, trigger=trigger, full=full, records=(store_id, KIND))


def _settings(store_id: int) -> ListingSettings:
    db = session()
    row = db.get(ListingSettings, store_id)
    if row is None:
        row = get_settings(store_id)  # the defaults
        db.add(row)
    return row


def _upsert(store_id: int, items: list[dict], seen: datetime) -> None:
    db = session()
    skus = [str(item.get("sku")) for item in items if item.get("sku")]
    if not skus:
        return
    known = {row.sku: row for row in db.scalars(select(AmazonListing).where(
        AmazonListing.store_id == store_id, AmazonListing.sku.in_(skus)))}
    for item in items:
        sku = item.get("sku")
        if not sku:
            continue
        row = known.get(sku)
        if row is None:
            row = AmazonListing(store_id=store_id, sku=str(sku))
            db.add(row)
            known[sku] = row
        _fill(row, item)
        row.seen_at = seen


def _fill(row: AmazonListing, item: dict) -> None:
    """Amazon's words for one item (searchListingsItems' Item) onto its row."""
    summary = next(iter(item.get("summaries") or []), {}) or {}
    row.asin = summary.get("asin") or row.asin
    row.product_type = summary.get("productType") or row.product_type
    row.status = ",".join(str(s) for s in summary.get("status") or [])[:60]
    row.item_name = (summary.get("itemName") or "")[:300] or None
    row.amazon_updated_at = _when(summary.get("lastUpdatedDate"))
    channels = [(a.get("fulfillmentChannelCode"), a.get("quantity")) for a in item.get("fulfillmentAvailability") or []
                if isinstance(a, dict)]
    # An SKU with any channel but DEFAULT is shipped by Amazon (FBA): its stock is Amazon's.
    amazon = [c for c in channels if c[0] and c[0] != "DEFAULT"]
    merchant = [c for c in channels if c[0] == "DEFAULT"]
    row.fulfillment_channel = amazon[0][0] if amazon else ("DEFAULT" if merchant else None)
    quantity = merchant[0][1] if merchant else (amazon[0][1] if amazon else None)
    row.quantity = quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else None
    row.price = _price(item.get("offers") or [])
    row.issues_json = json.dumps(item.get("issues") or [], ensure_ascii=False)[:20000]


def _price(offers: list) -> Decimal | None:
    for offer in offers:
        if isinstance(offer, dict) and offer.get("offerType", "B2C") == "B2C":
            amount = (offer.get("price") or {}).get("amount")
            try:
                return Decimal(str(amount)).quantize(Decimal("0.01")) if amount is not None else None
            except InvalidOperation:
                return None
    return None


def _when(value) -> datetime | None:
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None


def _mark_fba_links(store_id: int) -> None:
    """Links of SKUs Amazon ships follow the inventory: no quantity is ever sent for them."""
    db = session()
    fba = select(AmazonListing.sku).where(AmazonListing.store_id == store_id,
                                          AmazonListing.fulfillment_channel.isnot(None),
                                          AmazonListing.fulfillment_channel != "DEFAULT")
    # two statements touching only the links whose flag changes (a pass runs before every whole push)
    db.execute(update(ListingLink).where(ListingLink.store_id == store_id, ListingLink.amazon_fulfilled.is_(False),
                                         ListingLink.sku.in_(fba)).values(amazon_fulfilled=True))
    db.execute(update(ListingLink).where(ListingLink.store_id == store_id, ListingLink.amazon_fulfilled.is_(True),
                                         ListingLink.sku.notin_(fba)).values(amazon_fulfilled=False))


def existing(store_id: int, skus: list[str]) -> dict[str, AmazonListing]:
    """The Amazon listings of these SKUs, by SKU (SKUs Amazon does not have are absent)."""
    if not skus:
        return {}
    found: dict[str, AmazonListing] = {}
    for start in range(0, len(skus), 500):
        for row in session().scalars(select(AmazonListing).where(
                AmazonListing.store_id == store_id, AmazonListing.sku.in_(skus[start:start + 500]))):
            found[row.sku] = row
    return found


def asins_elsewhere(store_id: int, asins: list[str]) -> dict[str, str]:
    """ASIN -> the seller's SKU that already sells it on Amazon."""
    if not asins:
        return {}
    return {asin: sku for asin, sku in session().execute(select(AmazonListing.asin, AmazonListing.sku).where(
        AmazonListing.store_id == store_id, AmazonListing.asin.in_(asins)))}


def last_pass(store_id: int) -> SyncRun | None:
    """The store's newest inventory pass (running or finished): the page shows its progress and counts."""
    return next(iter(latest_runs(store_id, KIND, 1)), None)


def match(store_id: int) -> Match:
    """Shop products and Amazon listings by SKU, by EAN, on one side only (counted at the end of a pass:
    it reads the shop's whole catalog, which a page render must not)."""
    db = session()
    shop_skus = {p.sku for p in state().shop.iter_products() if p.sku}
    amazon = dict(db.execute(select(AmazonListing.sku, AmazonListing.fulfillment_channel).where(
        AmazonListing.store_id == store_id)).all())
    by_sku = len(shop_skus & amazon.keys())
    # a shop product whose EAN led to an ASIN the seller sells under another SKU (linking.py notes it)
    by_ean = db.scalar(select(func.count()).select_from(ListingLink).where(
        ListingLink.store_id == store_id, ListingLink.asin.in_(
            select(AmazonListing.asin).where(AmazonListing.store_id == store_id)),
        ListingLink.sku.notin_(select(AmazonListing.sku).where(AmazonListing.store_id == store_id)))) or 0
    fba = sum(1 for channel in amazon.values() if channel and channel != "DEFAULT")
    return Match(on_amazon=len(amazon), by_sku=by_sku, by_ean=by_ean, only_on_amazon=len(amazon.keys() - shop_skus),
                 only_in_shop=len(shop_skus - amazon.keys()) - by_ean, fba=fba, read_at=read_at(store_id))
