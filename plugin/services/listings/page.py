"""The products page's queries: links filtered and paged, and how many are in each state."""
from __future__ import annotations

import time

from sqlalchemy import func, or_, select, true

from ...models import ListingLink
from .. import session, state
from .status import shown_filter

#: How long the categories of a shop without ``categories()`` are kept (they come from its whole catalog).
CATEGORIES_TTL = 300.0


def shop_categories() -> list[str]:
    """The shop's product categories for the category → product type settings.

    Asks the adapter's optional ``categories()``; a shop without it is read whole once, then the
    answer is kept for CATEGORIES_TTL seconds, so a page render never walks a large catalog.
    """
    shop = state().shop
    ask = getattr(shop, "categories", None)
    if ask is not None:
        return sorted({str(c) for c in ask() if c})
    cache = state().extras.setdefault("shop_categories", {})
    if cache.get("until", 0.0) < time.monotonic():
        cache["value"] = sorted({p.category for p in shop.iter_products() if p.category})
        cache["until"] = time.monotonic() + CATEGORIES_TTL
    return cache["value"]


def list_links(store_id: int, *, state_filter: str | None = None, query: str | None = None, page: int = 1,
               per_page: int = 50, counts: dict[str, int] | None = None) -> tuple[list[ListingLink], int]:
    """One page of the store's links by SKU, and how many match.

    Sized for a seller with 100,000 SKUs (the page renders in under 100 ms, bench/products_page.py):
    without a search the total comes from ``counts`` (state_counts, which the page reads anyway), so
    no second scan; a search scans once for the matching ids, then reads the page's rows by id."""
    base = select(ListingLink).where(ListingLink.store_id == store_id)
    if state_filter:
        base = base.where(shown_filter(state_filter))
    db = session()
    if query:
        like = f"%{query}%"
        # SQLite's LIKE ignores ASCII case already; ilike's lower() on both sides costs a third more there
        match = "like" if db.get_bind().dialect.name == "sqlite" else "ilike"
        ids = list(db.scalars(select(ListingLink.id).where(
            ListingLink.store_id == store_id, shown_filter(state_filter) if state_filter else true(),
            or_(*(getattr(column, match)(like) for column in (ListingLink.sku, ListingLink.asin, ListingLink.ean))))
            .order_by(ListingLink.sku)))
        chosen = ids[(page - 1) * per_page:page * per_page]
        rows = {link.id: link for link in db.scalars(select(ListingLink).where(ListingLink.id.in_(chosen)))} \
            if chosen else {}
        return [rows[i] for i in chosen if i in rows], len(ids)
    if counts is not None:
        total = counts.get(state_filter, 0) if state_filter else sum(counts.values())
    else:
        total = db.scalar(select(func.count()).select_from(base.subquery()))
    items = list(db.scalars(base.order_by(ListingLink.sku).offset((page - 1) * per_page).limit(per_page)))
    return items, total


def state_counts(store_id: int) -> dict[str, int]:
    """Links per state as the page shows them: an accepted link is "live" (yayında) only when Amazon
    says BUYABLE, "processing" until its status is read back, "not_buyable" otherwise."""
    counts: dict[str, int] = {}
    for state_, amazon_status, count in session().execute(select(
            ListingLink.state, ListingLink.amazon_status, func.count()).where(
            ListingLink.store_id == store_id).group_by(ListingLink.state, ListingLink.amazon_status)):
        if state_ == "live":
            state_ = "processing" if amazon_status is None else \
                "live" if "BUYABLE" in amazon_status.split(",") else "not_buyable"
        counts[state_] = counts.get(state_, 0) + count
    return counts


def get_link(store_id: int, link_id: int) -> ListingLink | None:
    link = session().get(ListingLink, link_id)
    return link if link is not None and link.store_id == store_id else None
