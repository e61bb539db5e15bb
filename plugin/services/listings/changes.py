"""What changed since Amazon's last answer: each part's digest against the stored one, no call to Amazon."""
from __future__ import annotations

import json
from typing import Iterable

from sqlalchemy import select

from ...models import ListingLink
from . import values
from .outcome import is_linked
from .pusher import Pusher

#: SKUs per IN (...) query: well under every database's limit on bound parameters.
LOAD_CHUNK = 500


def stored_rows(pusher: Pusher, skus: Iterable[str] | None) -> dict[str, tuple]:
    """Per SKU: (state, asin, product type, content, price and stock digests, failed digest, price lock, feed,
    Amazon ships it, the catalog refused our content, what the feed in flight carries)."""
    # The table's columns, not the mapped class's: plain rows through Core, no ORM loading per row
    # (a third of the read at 100,000 links).
    t = ListingLink.__table__.c
    query = select(t.sku, t.state, t.asin, t.product_type, t.content_hash, t.price_hash, t.stock_hash,
                   t.failed_hash, t.price_lock_until, t.feed_id, t.amazon_fulfilled, t.locked_reason.isnot(None),
                   t.pending_json).where(t.store_id == pusher.store.id)
    if skus is not None:
        skus = list(skus)
        out = {}
        for start in range(0, len(skus), LOAD_CHUNK):
            for r in pusher.db.execute(query.where(t.sku.in_(skus[start:start + LOAD_CHUNK]))):
                out[r[0]] = r[1:]
        return out
    return {r[0]: r[1:] for r in pusher.db.execute(query)}  # a row's slice is a plain tuple


def load_links(pusher: Pusher, skus: list[str]) -> dict[str, ListingLink]:
    out = {}
    for start in range(0, len(skus), LOAD_CHUNK):
        for link in pusher.db.scalars(select(ListingLink).where(
                ListingLink.store_id == pusher.store.id, ListingLink.sku.in_(skus[start:start + LOAD_CHUNK]))):
            out[link.sku] = link
    return out


class _Digests:
    """Each part's digest exactly as ``values.part_digests`` makes it, computed only for the parts compared.

    Price and stock digests depend only on the shop's price or stock (the rules are the push's), and
    a shop has far fewer distinct prices and quantities than products: each is computed once per pass.
    """

    def __init__(self, rules: values.Rules) -> None:
        self.rules = rules
        self.prices: dict = {}
        self.stocks: dict = {}

    def price(self, product) -> str:
        digest = self.prices.get(product.price)
        if digest is None:
            digest = self.prices[product.price] = values.part_digests(product, self.rules)[values.PRICE]
        return digest

    def stock(self, product) -> str:
        digest = self.stocks.get(product.stock)
        if digest is None:
            digest = self.stocks[product.stock] = values.part_digests(product, self.rules)[values.STOCK]
        return digest

    @staticmethod
    def content(product, product_type: str | None) -> str:
        # the content part of values.part_digests, without the price and stock it also computes
        return values._digest(values.content_key(product, product_type))


def detect(pusher: Pusher, products, rows: dict) -> tuple[list, list[tuple]]:
    """Split products into (new SKUs to link, (sku, product, parts, digests, attempt, in_flight) to send).

    A linked SKU whose other parts are in a feed Amazon is still processing gets the parts that
    feed does not carry at once (``in_flight``: a patch, never another feed); the parts the feed
    carries wait for it, so a stale value can never land after a newer one.

    One pass over the products; per product only the digests of the parts the store sends are
    computed (all of them only for a product that changed).
    """
    now = pusher.now()
    digest = _Digests(pusher.rules)
    sendable = {fba: values.sendable_parts(pusher.parts, amazon_fulfilled=fba) for fba in (False, True)}
    to_link, changed = [], []
    for product in products:
        row = rows.get(product.sku)
        if row is None:
            to_link.append(product)
            continue
        (state_, asin, ptype, c_hash, p_hash, s_hash, failed, lock_until, feed_id, fba, content_refused,
         pending_json) = row
        if state_ == "unlinked":
            continue
        linked = is_linked(state_, c_hash, p_hash, s_hash)
        in_flight: tuple | set = ()
        if feed_id:
            if not linked:
                continue  # a new listing in a feed: wait for Amazon's verdict
            in_flight = set((json.loads(pending_json) if pending_json else {}).get("parts") or (values.CONTENT, values.PRICE, values.STOCK))
        if not linked:
            # never accepted by Amazon: linking again, unless nothing changed since it was refused
            to_link.append(product)
            continue
        parts = []
        for part in sendable[bool(fba)]:
            if part in in_flight:
                continue
            if part == values.STOCK:
                if digest.stock(product) != s_hash:
                    parts.append(part)
            elif part == values.PRICE:
                if (lock_until is None or lock_until <= now) and digest.price(product) != p_hash:
                    parts.append(part)
            elif part == values.CONTENT:
                if state_ != "locked" and not content_refused and digest.content(product, ptype) != c_hash:
                    parts.append(part)
        if not parts:
            continue
        # every part's digest, as before: the work item keeps what it sends
        digests = values.part_digests(product, pusher.rules, ptype)
        attempt = values.combined_digest({p: digests[p] for p in parts})
        if attempt == failed:
            continue  # Amazon refused exactly these values; wait until they change
        changed.append((product.sku, product, tuple(parts), digests, attempt, bool(feed_id)))
    return to_link, changed
