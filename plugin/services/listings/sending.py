"""Sending what changed: up to the threshold one put or patch per SKU, beyond it feeds."""
from __future__ import annotations

import logging
from typing import Iterable

from ...spapi import InvalidInputError
from .. import state
from . import values
from .changes import detect, load_links, stored_rows
from .feed_submit import FEED_MAX_MESSAGES, send_feed, submitting_count
from .linking import link_work
from .outcome import apply_outcome
from .pusher import Pusher
from .settings import patch_threshold
from .work import Work

log = logging.getLogger("amazon_tr")


def send_changes(pusher: Pusher, skus: Iterable[str] | None = None) -> None:
    """Link new SKUs and send every changed part, for all the shop's products or only ``skus``."""
    products = list(state().shop.iter_products(skus))
    rows = stored_rows(pusher, [p.sku for p in products] if skus is not None else None)
    to_link, changed = detect(pusher, products, rows)
    pusher.count(products=len(products), unchanged=len(products) - len(to_link) - len(changed))
    work = link_work(pusher, to_link)
    if changed:
        links = load_links(pusher, [sku for sku, *_ in changed])
        for sku, product, parts, digests, attempt in changed:
            link = links[sku]
            work.append(Work(link=link, product=product, op="patch", parts=parts, digests=digests,
                             attempt=attempt, product_type=link.product_type or "PRODUCT",
                             patches=values.patches_for(parts, product, pusher.rules), rules=pusher.rules))
    pusher.db.commit()
    if not work:
        return
    if len(work) <= patch_threshold():
        for item in work:
            send_one(pusher, item)
    elif submitting_count(pusher):
        # A feed whose createFeed answer was lost is matched to Amazon's by creation
        # time; a second unknown feed would make that match ambiguous.
        log.info("store %s: a feed is still unconfirmed; %s product(s) wait for the next push",
                 pusher.store.id, len(work))
        pusher.count(deferred=len(work))
    else:
        for start in range(0, len(work), FEED_MAX_MESSAGES):
            if send_feed(pusher, work[start:start + FEED_MAX_MESSAGES]) is None:
                pusher.count(deferred=max(0, len(work) - start - FEED_MAX_MESSAGES))
                break


def send_one(pusher: Pusher, item: Work) -> None:
    client = pusher.client
    try:
        if item.op == "put":
            response = client.put_listings_item(item.link.sku, product_type=item.product_type,
                                                attributes=item.attributes, requirements=item.requirements)
            pusher.count(puts=1)
        else:
            response = client.patch_listings_item(item.link.sku, product_type=item.product_type,
                                                  patches=item.patches)
            pusher.count(patches=1)
    except InvalidInputError as exc:
        # Amazon refused the request itself (shape, path): the link says why, the rest goes on
        apply_outcome(item.link, item.pending(), "INVALID",
                      [{"code": "InvalidInput", "severity": "ERROR", "message": str(exc)}],
                      product_type=item.product_type, now=pusher.now(), counts=pusher.count)
        pusher.db.commit()
        return
    apply_outcome(item.link, item.pending(), response.get("status", "INVALID"), response.get("issues") or [],
                  product_type=item.product_type, now=pusher.now(), counts=pusher.count)
    pusher.db.commit()
