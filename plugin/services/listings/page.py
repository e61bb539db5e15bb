"""The products page's queries: links filtered and paged, and how many are in each state."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from ...models import ListingLink
from .. import session


def list_links(store_id: int, *, state_filter: str | None = None, query: str | None = None, page: int = 1,
               per_page: int = 50) -> tuple[list[ListingLink], int]:
    base = select(ListingLink).where(ListingLink.store_id == store_id)
    if state_filter:
        base = base.where(ListingLink.state == state_filter)
    if query:
        like = f"%{query}%"
        base = base.where(or_(ListingLink.sku.ilike(like), ListingLink.asin.ilike(like), ListingLink.ean.ilike(like)))
    total = session().scalar(select(func.count()).select_from(base.subquery()))
    items = list(session().scalars(base.order_by(ListingLink.sku).offset((page - 1) * per_page).limit(per_page)))
    return items, total


def state_counts(store_id: int) -> dict[str, int]:
    return dict(session().execute(select(ListingLink.state, func.count()).where(
        ListingLink.store_id == store_id).group_by(ListingLink.state)).all())


def get_link(store_id: int, link_id: int) -> ListingLink | None:
    link = session().get(ListingLink, link_id)
    return link if link is not None and link.store_id == store_id else None
