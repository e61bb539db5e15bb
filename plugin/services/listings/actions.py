"""What the admin does to one SKU: link it again, take it out of the sync, lock its price."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...models import ListingLink, SyncRun
from .. import session, state
from ..amazon import calling_amazon
from . import status, values
from .push import BUTTON_CLIENT_OPTIONS, find_store, push_from_button
from .settings import blocked_reason, get_settings


def _link(store_id: int, sku: str) -> ListingLink | None:
    return session().scalar(select(ListingLink).where(ListingLink.store_id == store_id, ListingLink.sku == sku))


def link_sku(store_id: int, sku: str) -> SyncRun | None:
    """Bring an unlinked or refused SKU back into the sync and try to link it now.

    Returns None when the push went on in the background (see push_from_button).
    """
    link = _link(store_id, sku)
    if link is not None:
        if link.state in ("unlinked", "error") or link.asin is None:
            link.state = "pending"
        link.failed_hash = None
        session().commit()
    return push_from_button(store_id, [sku])


def confirm_price(store_id: int, sku: str) -> SyncRun | None:
    """The admin confirms the price held for being far from Amazon's: it is sent now (None: in the background)."""
    link = _link(store_id, sku)
    if link is None:
        return None
    product = next(iter(state().shop.iter_products([sku])), None)
    if product is None:
        return None
    link.price_confirmed = values.apply_price_rule(product.price, values.Rules.from_settings(get_settings(store_id)))
    link.failed_hash = None
    session().commit()
    return push_from_button(store_id, [sku])


def unlink_sku(store_id: int, sku: str) -> ListingLink | None:
    """Take the SKU out of the sync: nothing more is sent for it; its Amazon listing is left as it is."""
    link = _link(store_id, sku)
    if link is None:
        return None
    link.state = "unlinked"
    link.content_hash = link.price_hash = link.stock_hash = link.failed_hash = None
    link.asin = None
    link.locked_reason = None
    session().commit()
    return link


def set_price_lock(store_id: int, sku: str, until: datetime | None) -> ListingLink | None:
    """Fiyat kilidi: price pushes skip the SKU until ``until`` (None lifts it)."""
    link = _link(store_id, sku)
    if link is None:
        return None
    link.price_lock_until = until
    session().commit()
    return link


def refresh_status(store_id: int, sku: str) -> bool | None:
    """Amazon's own status of one SKU now (the row's button): True when read, False when Amazon has not
    processed the last submission yet, None when the store cannot call Amazon or the SKU is not linked.

    Raises SPAPIError when Amazon refuses or fails (the caller explains it)."""
    link = _link(store_id, sku)
    store = find_store(store_id)
    if link is None or link.state not in ("live", "locked") or blocked_reason(store) in ("passive", "unauthorized"):
        return None
    with calling_amazon(store, **BUTTON_CLIENT_OPTIONS) as client:
        return status.refresh(store_id, link, client, state().clock.now())
