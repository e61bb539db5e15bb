"""Sending what changed: up to the threshold one put or patch per SKU, beyond it feeds."""
from __future__ import annotations

import logging
from typing import Iterable

from ...config import setting
from ...spapi import InvalidInputError
from .. import state
from . import values
from .changes import detect, load_links, stored_rows
from .feed_submit import feed_batches, feed_waiting, send_feed
from .linking import link_work
from .issues import our_issue
from .outcome import apply_outcome, refuse
from .pusher import Pusher
from .settings import patch_threshold
from .work import Work

log = logging.getLogger("amazon_tr")


def planned_work(pusher: Pusher, skus: Iterable[str] | None = None) -> tuple[list, list, list[Work]]:
    """What a push of all the shop's products (or only ``skus``) would send, before the price check:
    (products read, products still to link, work: links to make and patches of the changed parts).
    The push and Önizleme's verdicts both build their requests here."""
    products = list(state().shop.iter_products(skus))
    rows = stored_rows(pusher, [p.sku for p in products] if skus is not None else None)
    to_link, changed = detect(pusher, products, rows)
    pusher.count(products=len(products), unchanged=len(products) - len(to_link) - len(changed))
    work = link_work(pusher, to_link)
    if changed:
        links = load_links(pusher, [sku for sku, *_ in changed])
        for sku, product, parts, digests, attempt, in_flight in changed:
            link = links[sku]
            if not parts:
                continue
            work.append(Work(link=link, product=product, op="patch", parts=parts, digests=digests,
                             attempt=attempt, product_type=link.product_type or "PRODUCT",
                             patches=values.patches_for(parts, product, pusher.rules), rules=pusher.rules,
                             in_flight=in_flight))
    return products, to_link, work


def send_changes(pusher: Pusher, skus: Iterable[str] | None = None) -> None:
    """Link new SKUs and send every changed part, for all the shop's products or only ``skus``."""
    _products, _to_link, work = planned_work(pusher, skus)
    work = [item for item in work if price_is_sendable(pusher, item)]
    skus = [item.link.sku for item in work]
    pusher.db.commit()
    if not work:
        return
    # The commit expired every link: read them back in a few queries, not one SELECT per link later.
    load_links(pusher, skus)
    # SKUs Amazon cannot take in a URL path travel in a feed, whatever their number
    # (a SKU with a feed in flight is patched, never put in a second feed: the link follows one feed)
    fits = [item for item in work if values.sku_fits_a_path(item.link.sku)]
    by_call = [item for item in fits if item.in_flight]
    by_feed = [item for item in work if not values.sku_fits_a_path(item.link.sku) and not item.in_flight]
    rest = [item for item in fits if not item.in_flight]
    if len(rest) > patch_threshold():
        by_feed += rest
    else:
        by_call += rest
    for item in by_call:
        send_one(pusher, item)
    if not by_feed:
        return
    if feed_waiting(pusher):
        # The store's previous feed still waits at Amazon (or its createFeed answer was lost: it is
        # matched to Amazon's by creation time, which a second unknown feed would make ambiguous).
        _defer(pusher, by_feed)
        return
    # one feed now, of at most 25,000 messages and 10 MiB; the rest waits until Amazon has started it
    # (a feed whose createFeed answer was lost is settled by feed_submit.reconcile, its SKUs with it)
    first, *rest = feed_batches(by_feed, pusher.client.seller_id)
    send_feed(pusher, first)
    later = [item for batch in rest for item in batch]
    if later:
        _defer(pusher, later)


def _defer(pusher: Pusher, items: list[Work]) -> None:
    """These SKUs wait for a later push (a waiting push sends them once the store's feed has started)."""
    log.info("store %s: a feed of the store is still waiting at Amazon; %s product(s) go in a later feed",
             pusher.store.id, len(items))
    pusher.count(deferred=len(items))
    pusher.deferred_skus.update(item.link.sku for item in items)


def price_is_sendable(pusher: Pusher, item: Work) -> bool:
    """A price of zero or less never goes to Amazon (a typo in the shop, a free gift): the link says why."""
    if values.PRICE not in item.parts:
        return True
    price = values.apply_price_rule(item.product.price, item.rules)
    if price <= 0:
        refuse(item.link, item.attempt, [our_issue("price_not_positive", price=_lira(price))], pusher.count)
        return False
    current = item.link.amazon_price
    factor = float(setting("AMAZON_TR_PRICE_JUMP_FACTOR"))
    if current and current > 0 and item.link.price_confirmed != price and \
            not 1 / factor <= float(price / current) <= factor:
        # a typo in the shop or a wrong price rule would sell at a fraction of the price: the admin decides
        refuse(item.link, item.attempt, [our_issue("price_jump", price=_lira(price), current=_lira(current))],
               pusher.count)
        pusher.count(price_held=1)
        return False
    return True


def _lira(amount) -> str:
    return f"{amount:.2f} ₺".replace(".", ",")


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
                      [{"code": "InvalidInput", "severity": "ERROR", "message": str(exc),
                        "requestId": exc.request_id}],  # the page shows it, never the English message
                      product_type=item.product_type, now=pusher.now(), counts=pusher.count)
        pusher.db.commit()
        return
    apply_outcome(item.link, item.pending(), response.get("status", "INVALID"), response.get("issues") or [],
                  product_type=item.product_type, now=pusher.now(), counts=pusher.count)
    pusher.db.commit()
    if item.requirements == "LISTING_OFFER_ONLY" and values.CONTENT in pusher.parts \
            and values.CONTENT not in item.parts and item.link.state == "live" and not item.link.locked_reason:
        # the offer exists now: its content goes as a patch of its own, which Amazon may refuse alone
        send_one(pusher, Work(link=item.link, product=item.product, op="patch", parts=(values.CONTENT,),
                              digests=item.digests, attempt=item.attempt, product_type=item.product_type,
                              patches=values.patches_for((values.CONTENT,), item.product, item.rules),
                              rules=item.rules))
