"""The one seam to the host shop: the protocol a shop implements for the plugin.

The demo shop (``demo/adapter.py``) implements it; so does a real shop. Amounts are
``Decimal`` in Turkish lira, never floats. Every method writes in the app's
session and never commits: the plugin commits the shop's rows with its own. An
order import hands the shop a page of up to 100 orders at once through the
optional ``upsert_orders`` (see UPSERT_ORDERS), or one by one through
``upsert_order`` when the adapter has no batch form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Callable, Iterable, Iterator, Protocol, runtime_checkable


@dataclass(frozen=True)
class ShopProduct:
    sku: str
    title: str
    price: Decimal
    stock: int
    ean: str | None = None
    brand: str | None = None
    description: str | None = None
    image_url: str | None = None
    category: str | None = None
    bullet_points: tuple[str, ...] = ()


@dataclass
class ShopOrderLine:
    sku: str | None
    title: str
    quantity: int
    unit_price: Decimal
    matched: bool = True
    external_line_id: str | None = None


@dataclass
class ShopOrder:
    """An Amazon order as the shop receives it.

    ``status``: pending (stock reserved, not ready to ship), ready,
    partially_shipped, shipped, cancelled (stock released). ``reserve_stock``
    is False for orders Amazon fulfills from its own warehouse (FBA), and for
    orders the store's first import found already shipped or cancelled (the
    seller's stock counted them before the plugin came): the shop's stock is
    not touched by them.

    The optional fields below are None (False) when Amazon did not send them:

    ``ship_by_latest``: the end of Amazon's ship-by window (UTC); hand the order
    to the carrier before it. ``cancellation_requested``: the buyer asked Amazon
    to cancel; do not ship it before the seller decides (``cancellation_reason``
    is the buyer's reason, when given). ``address_withheld``: a ready order that
    came without a delivery address because the application lacks Amazon's
    restricted role (the seller sees the address in Seller Central).

    e-Fatura / e-Arşiv (Amazon gives these in Türkiye only): ``invoice_type`` is
    "business" (e-Fatura to a company) or "individual" (e-Arşiv);
    ``tax_number`` the buyer's VKN (or TCKN), ``tax_office`` the vergi dairesi,
    ``tax_legal_name`` and ``tax_address`` (same keys as ``address``) the name
    and address the invoice is made out to. They are the buyer's personal data
    like the name, address and phone: ``forget_customer`` removes them too.
    """

    number: str
    external_id: str
    status: str  # pending, ready, partially_shipped, shipped, cancelled
    customer_name: str | None
    address: dict | None
    phone: str | None
    currency: str
    lines: list[ShopOrderLine] = field(default_factory=list)
    shipping: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    fulfillment_channel: str = "merchant"  # merchant or amazon
    placed_at: object = None
    reserve_stock: bool = True
    ship_by_latest: datetime | None = None
    cancellation_requested: bool = False
    cancellation_reason: str | None = None
    address_withheld: bool = False
    invoice_type: str | None = None  # business, individual
    tax_number: str | None = None
    tax_office: str | None = None
    tax_legal_name: str | None = None
    tax_address: dict | None = None


#: Optional adapter method ``forget_customer(number)``: replace the buyer's
#: name, address, phone and invoice details (VKN/TCKN, vergi dairesi, legal name
#: and address) of that order with a pseudonym. The plugin calls it
#: 30 days after the order shipped or was cancelled when the adapter has it.
FORGET_CUSTOMER = "forget_customer"

#: Optional adapter method ``upsert_orders(orders) -> list[str]``: the batch form
#: of ``upsert_order`` for a page of orders (at most 100, distinct numbers), called
#: once per page of searchOrders; returns the references in the same order. Same
#: contract as ``upsert_order``: write in the app's session, never commit, never
#: flush per order if it can help it (the plugin commits the page, its own rows
#: and the cursor together), reserve and release stock exactly as upsert_order
#: would. An adapter without it gets :func:`upsert_orders`' loop.
UPSERT_ORDERS = "upsert_orders"

#: Optional adapter method ``order_shipped(number, status)``: Amazon confirmed a package of the
#: order (Kargo bildir, the shop's own signal or a retry), and ``status`` is now "partially_shipped"
#: or "shipped". Called right after Amazon's confirmation, in the app's session (the plugin
#: commits), so the shop's order shows it at once instead of at the next order import (which
#: sends the same status through ``upsert_order``: the method must be idempotent).
ORDER_SHIPPED = "order_shipped"

StockListener = Callable[[Iterable[str]], None]


@runtime_checkable
class ShopAdapter(Protocol):
    def iter_products(self, skus: Iterable[str] | None = None) -> Iterator[ShopProduct]:
        """Products with price, stock, EAN and content; all of them when skus is None."""

    def upsert_order(self, order: ShopOrder) -> str:
        """Create the shop order or update the one with the same number; return its reference."""

    def cancel_order(self, number: str) -> None:
        """Cancel the order and release its stock (calling it twice releases once)."""

    def subscribe_stock_changes(self, listener: StockListener) -> None:
        """Call ``listener(skus)`` after stock of those SKUs changed."""

    # Optional: ``categories() -> Iterable[str]``, the shop's distinct product categories (the
    # products page's category → product type settings); without it the plugin reads the
    # catalog once and keeps the answer for a few minutes.


def upsert_orders(shop: ShopAdapter, orders: list[ShopOrder]) -> list[str]:
    """The shop's ``upsert_orders`` when it has one, else ``upsert_order`` for each order in turn."""
    if not orders:
        return []
    batch = getattr(shop, UPSERT_ORDERS, None)
    if batch is not None:
        refs = [str(ref) for ref in batch(list(orders))]
        if len(refs) != len(orders):
            raise RuntimeError(f"the shop's upsert_orders returned {len(refs)} references for {len(orders)} orders")
        return refs
    return [str(shop.upsert_order(order)) for order in orders]
