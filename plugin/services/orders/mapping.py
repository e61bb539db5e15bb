"""From an Orders API 2026-01-01 order to what the shop receives.

Pure functions: no Flask, no database. Money stays a string until it becomes a
Decimal, so 189.99 TRY is 189.99 TRY to the kuruş; names and addresses pass
through untouched (no case changes: Python's upper/title break İ and ı).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from ...shop import ShopOrder, ShopOrderLine

#: What the mapping reads, and so all that searchOrders/getOrder are asked for:
#: BUYER (name), RECIPIENT (address, phone), PROCEEDS (total, shipping, tax),
#: FULFILLMENT (the status and who fulfils it: there is no order-level status
#: without it). Not PAYMENT, TAX registrations, PACKAGES, EXPENSE, PROMOTION…
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT")

#: fulfillment.fulfillmentStatus -> the shop order's status.
STATUS_MAP = {
    "PENDING_AVAILABILITY": "pending",
    "PENDING": "pending",
    "UNSHIPPED": "ready",
    "PARTIALLY_SHIPPED": "partially_shipped",
    "SHIPPED": "shipped",
    "CANCELLED": "cancelled",
    "UNFULFILLABLE": "cancelled",
}
CLOSED = ("shipped", "cancelled")

CENT = Decimal("0.01")


class OrderShapeError(ValueError):
    """An order without what every order has (id, items, times)."""


def money(value: dict | None) -> Decimal | None:
    if not value or value.get("amount") in (None, ""):
        return None
    try:
        return Decimal(str(value["amount"]))
    except InvalidOperation:
        raise OrderShapeError(f"amount {value.get('amount')!r} is not a number") from None


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@dataclass
class MappedOrder:
    amazon_order_id: str
    status: str  # the shop's status
    amazon_status: str | None
    fulfillment_channel: str  # merchant or amazon
    currency: str
    total: Decimal
    shipping: Decimal
    tax: Decimal
    created: datetime | None
    updated: datetime
    customer_name: str | None
    address: dict | None
    phone: str | None
    lines: list[ShopOrderLine] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)

    def shop_order(self, number: str, *, known_skus: set[str], purged: bool = False) -> ShopOrder:
        lines = [
            ShopOrderLine(sku=line.sku, title=line.title, quantity=line.quantity, unit_price=line.unit_price,
                          matched=bool(line.sku) and line.sku in known_skus,
                          external_line_id=line.external_line_id)
            for line in self.lines
        ]
        return ShopOrder(
            number=number,
            external_id=self.amazon_order_id,
            status=self.status,
            customer_name=None if purged else self.customer_name,
            address=None if purged else self.address,
            phone=None if purged else self.phone,
            currency=self.currency,
            lines=lines,
            shipping=self.shipping,
            tax=self.tax,
            total=self.total,
            fulfillment_channel=self.fulfillment_channel,
            placed_at=self.created,
            reserve_stock=self.fulfillment_channel == "merchant",
        )


def _breakdown(proceeds: dict, kind: str) -> Decimal | None:
    found = None
    for entry in proceeds.get("breakdowns") or []:
        if entry.get("type") == kind:
            found = (found or Decimal("0")) + (money(entry.get("subtotal")) or Decimal("0"))
    return found


def map_order(order: dict) -> MappedOrder:
    try:
        order_id = order["orderId"]
        updated = parse_time(order["lastUpdatedTime"])
        items = order["orderItems"]
    except KeyError as exc:
        raise OrderShapeError(f"order without {exc.args[0]}") from None
    fulfillment = order.get("fulfillment") or {}
    amazon_status = fulfillment.get("fulfillmentStatus")
    if amazon_status not in STATUS_MAP:
        raise OrderShapeError(f"order {order_id} has no known fulfillment status ({amazon_status!r})")
    channel = "amazon" if fulfillment.get("fulfilledBy") == "AMAZON" else "merchant"

    lines: list[ShopOrderLine] = []
    currency = None
    items_total = Decimal("0")
    item_shipping = item_tax = None
    for item in items:
        product = item.get("product") or {}
        price = money((product.get("price") or {}).get("unitPrice"))
        quantity = int(item.get("quantityOrdered") or 0)
        unit = (product.get("price") or {}).get("unitPrice") or {}
        currency = currency or unit.get("currencyCode")
        if price is None:
            # No unit price: the item's proceeds divided by the quantity, when exact.
            total = money((item.get("proceeds") or {}).get("proceedsTotal"))
            price = (total / quantity).quantize(CENT) if total is not None and quantity else Decimal("0")
        items_total += price * quantity
        for entry in (item.get("proceeds") or {}).get("breakdowns") or []:
            amount = money(entry.get("subtotal")) or Decimal("0")
            if entry.get("type") == "SHIPPING":
                item_shipping = (item_shipping or Decimal("0")) + amount
            elif entry.get("type") == "TAX":
                item_tax = (item_tax or Decimal("0")) + amount
        lines.append(ShopOrderLine(
            sku=product.get("sellerSku"),
            title=product.get("title") or product.get("sellerSku") or product.get("asin") or "",
            quantity=quantity,
            unit_price=price,
            external_line_id=item.get("orderItemId"),
        ))

    proceeds = order.get("proceeds") or {}
    grand = proceeds.get("grandTotal") or {}
    currency = grand.get("currencyCode") or currency or "TRY"
    shipping = _breakdown(proceeds, "SHIPPING")
    tax = _breakdown(proceeds, "TAX")
    total = money(grand)

    buyer = order.get("buyer") or {}
    address = dict(((order.get("recipient") or {}).get("deliveryAddress")) or {}) or None
    phone = address.pop("phone", None) if address else None
    name = buyer.get("buyerName") or (address or {}).get("name")
    return MappedOrder(
        amazon_order_id=order_id,
        status=STATUS_MAP[amazon_status],
        amazon_status=amazon_status,
        fulfillment_channel=channel,
        currency=currency,
        total=total if total is not None else items_total + (shipping or item_shipping or 0),
        shipping=shipping if shipping is not None else (item_shipping or Decimal("0")),
        tax=tax if tax is not None else (item_tax or Decimal("0")),
        created=parse_time(order.get("createdTime")),
        updated=updated,
        customer_name=name,
        address=address,
        phone=phone,
        lines=lines,
        skus=[line.sku for line in lines if line.sku],
    )
