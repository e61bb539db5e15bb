"""Önizleme: what the next push would send per SKU, next to the last value Amazon accepted."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ...models import ListingLink
from .. import session, state
from . import values
from .outcome import is_linked
from .push import find_store
from .settings import get_settings


#: Products whose links are read with one query (the page shows at most 500 rows: one query).
BATCH = 500


def _lira(amount) -> str:
    """189.9 → "189,90 ₺" (a no-break space before the sign), as the admin pages write money (issue 17 §1)."""
    text = f"{Decimal(amount):,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{text}\u00a0₺"


@dataclass
class PreviewRow:
    sku: str
    title: str
    state: str | None
    action: str  # link, update, none, skip
    parts: list[tuple[str, str, str]]  # (part, would send, last known on Amazon)
    note: str | None = None


def preview(store_id: int, *, update_type: str | None = None, skus=None, limit: int | None = 500) -> list[PreviewRow]:
    """What the next push would send per SKU, next to the last value Amazon accepted. Sends nothing."""
    store = find_store(store_id)
    update_type = update_type or store.auto_update_type
    parts = values.TYPE_PARTS[update_type]
    rules = values.Rules.from_settings(get_settings(store_id))
    now = state().clock.now()
    rows = []
    for product, link in _with_links(store_id, state().shop.iter_products(skus), limit or BATCH):
        digests = values.part_digests(product, rules, link.product_type if link else None)
        price = values.apply_price_rule(product.price, rules)
        quantity = values.apply_stock_rule(product.stock, rules)
        shown = {
            values.CONTENT: (product.title or "", (link.amazon_title if link else None) or "—"),
            values.PRICE: (_lira(price), _lira(link.amazon_price) if link and link.amazon_price is not None
                           else "—"),
            values.STOCK: (str(quantity), str(link.amazon_quantity) if link and link.amazon_quantity is not None
                           else "—"),
        }
        out_parts, note = [], None
        if link is not None and link.state == "unlinked":
            rows.append(PreviewRow(product.sku, product.title, link.state, "skip", []))
            continue
        action = "update" if link is not None and is_linked(
            link.state, link.content_hash, link.price_hash, link.stock_hash) else "link"
        for part in parts:
            if link is not None and action == "update":
                if part == values.CONTENT and link.state == "locked":
                    note = "locked"
                    continue
                if part == values.PRICE and link.price_locked(now):
                    note = "price_locked"
                    continue
                if digests[part] == getattr(link, f"{part}_hash"):
                    continue
            out_parts.append((part, *shown[part]))
        if action == "update" and not out_parts:
            action = "none"
        rows.append(PreviewRow(product.sku, product.title, link.state if link else None, action, out_parts, note))
        if limit and len(rows) >= limit:
            break
    return rows


def _with_links(store_id: int, products, batch: int):
    """(product, its link or None) with one query per ``batch`` products, never one per product."""
    batch = max(1, min(batch, BATCH))
    pending: list = []
    for product in products:
        pending.append(product)
        if len(pending) >= batch:
            yield from _links_of(store_id, pending)
            pending = []
    yield from _links_of(store_id, pending)


def _links_of(store_id: int, products: list):
    if not products:
        return
    links = {link.sku: link for link in session().scalars(select(ListingLink).where(
        ListingLink.store_id == store_id, ListingLink.sku.in_([p.sku for p in products])))}
    for product in products:
        yield product, links.get(product.sku)
