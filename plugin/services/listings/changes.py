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
    query = select(ListingLink.sku, ListingLink.state, ListingLink.asin, ListingLink.product_type,
                   ListingLink.content_hash, ListingLink.price_hash, ListingLink.stock_hash,
                   ListingLink.failed_hash, ListingLink.price_lock_until, ListingLink.feed_id,
                   ListingLink.amazon_fulfilled, ListingLink.locked_reason.isnot(None),
                   ListingLink.pending_json).where(
        ListingLink.store_id == pusher.store.id)
    if skus is not None:
        skus = list(skus)
        out = {}
        for start in range(0, len(skus), LOAD_CHUNK):
            for r in pusher.db.execute(query.where(ListingLink.sku.in_(skus[start:start + LOAD_CHUNK]))):
                out[r[0]] = tuple(r[1:])
        return out
    return {r[0]: tuple(r[1:]) for r in pusher.db.execute(query)}


def load_links(pusher: Pusher, skus: list[str]) -> dict[str, ListingLink]:
    out = {}
    for start in range(0, len(skus), LOAD_CHUNK):
        for link in pusher.db.scalars(select(ListingLink).where(
                ListingLink.store_id == pusher.store.id, ListingLink.sku.in_(skus[start:start + LOAD_CHUNK]))):
            out[link.sku] = link
    return out


def detect(pusher: Pusher, products, rows: dict) -> tuple[list, list[tuple]]:
    """Split products into (new SKUs to link, (sku, product, parts, digests, attempt, in_flight) to send).

    A linked SKU whose other parts are in a feed Amazon is still processing gets the parts that
    feed does not carry at once (``in_flight``: a patch, never another feed); the parts the feed
    carries wait for it, so a stale value can never land after a newer one.
    """
    now = pusher.now()
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
        in_flight: set[str] = set()
        if feed_id:
            if not is_linked(state_, c_hash, p_hash, s_hash):
                continue  # a new listing in a feed: wait for Amazon's verdict
            in_flight = set((json.loads(pending_json) if pending_json else {}).get("parts") or (values.CONTENT, values.PRICE, values.STOCK))
        if not is_linked(state_, c_hash, p_hash, s_hash):
            # never accepted by Amazon: linking again, unless nothing changed since it was refused
            to_link.append(product)
            continue
        digests = values.part_digests(product, pusher.rules, ptype)
        stored = {values.CONTENT: c_hash, values.PRICE: p_hash, values.STOCK: s_hash}
        parts = []
        for part in values.sendable_parts(pusher.parts, amazon_fulfilled=bool(fba)):
            if part == values.CONTENT and (state_ == "locked" or content_refused):
                continue
            if part == values.PRICE and lock_until is not None and lock_until > now:
                continue
            if part in in_flight:
                continue
            if digests[part] != stored[part]:
                parts.append(part)
        if not parts:
            continue
        attempt = values.combined_digest({p: digests[p] for p in parts})
        if attempt == failed:
            continue  # Amazon refused exactly these values; wait until they change
        changed.append((product.sku, product, tuple(parts), digests, attempt, bool(feed_id)))
    return to_link, changed
