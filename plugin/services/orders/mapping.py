"""From an Orders API 2026-01-01 order to what the shop receives.

Pure functions: no Flask, no database. Money stays a string until it becomes a
Decimal, so 189.99 TRY is 189.99 TRY to the kuruş; names and addresses pass
through untouched (no case changes: Python's upper/title break İ and ı).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ...i18n import lazy_gettext as _l
from ...shop import ShopOrder, ShopOrderLine
from .details import OrderDetails, read_details
from .shape import MAX_TEXT_LENGTH, OrderShapeError, UnknownStatus, parse_time  # noqa: F401  (re-exported)
from .shape import as_list as _list
from .shape import as_object as _object
from .shape import as_text as _text
from .shape import shown as _shown
from .shape import time_field

#: What the mapping reads, and so all that searchOrders/getOrder are asked for:
#: BUYER (name), RECIPIENT (address, phone), PROCEEDS (total, shipping, tax),
#: FULFILLMENT (the status, who fulfils it, the ship-by window: there is no
#: order-level status without it), TAX (e-Fatura / e-Arşiv: the buyer's invoice
#: preference, VKN/TCKN, vergi dairesi, legal name and address; Türkiye only) and
#: CANCELLATION (a buyer's cancellation request, per item). Not PAYMENT,
#: PACKAGES, EXPENSE, PROMOTION…
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "TAX", "CANCELLATION")

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


#: Amazon's order numbers (3-7-7 digits): the only ids an order row is kept under.
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
#: Units of one line: more is not an order a shop can take (and 10**9 units would
#: overflow a stock column); zero or fewer is never an order (it would raise stock).
MAX_QUANTITY = 10_000
#: Any amount (a unit price, a total) at or above ten billion lira is refused: the
#: plugin's and most shops' money columns hold 12 digits before the decimal point.
MAX_AMOUNT = Decimal("1e10")
#: Seller Central allows seller SKUs of up to 40 characters.
MAX_SKU_LENGTH = 40


def money(value: dict | None, field: str = "amount") -> Decimal | None:
    if not value:
        return None
    if not isinstance(value, dict):
        raise OrderShapeError(f"{field} is not an object", field=field)
    amount = value.get("amount")
    if amount in (None, ""):
        return None
    # The model's Decimal is a string; a JSON number is taken too, never a bool, a list…
    if isinstance(amount, bool) or not isinstance(amount, (str, int, float)):
        raise OrderShapeError(f"{field} is not a number", _l(
            "Amazon sent an amount that is not a valid number (%(field)s: %(value)s).", field=field,
            value=_shown(amount)))
    try:
        number = Decimal(str(amount).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise OrderShapeError(f"{field} is not a finite number", _l(
            "Amazon sent an amount that is not a valid number (%(field)s: %(value)s).", field=field,
            value=_shown(amount)))
    if abs(number) >= MAX_AMOUNT:
        raise OrderShapeError(f"{field} is out of range", _l(
            "Amazon sent an amount out of range (%(field)s: %(value)s).", field=field, value=_shown(amount)))
    currency = value.get("currencyCode")
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise OrderShapeError(f"{field} has no valid currency code", _l(
            "Amazon sent an unknown currency code (%(value)s).", value=_shown(currency)))
    return number


def _sku(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_SKU_LENGTH:
        raise OrderShapeError("sellerSku is not text", _l(
            "A stock code (SKU) from Amazon is not text or is longer than %(max)s characters.",
            max=MAX_SKU_LENGTH))
    return value or None


def _quantity(value, sku: str | None) -> int:
    label = sku or "?"
    if isinstance(value, bool) or not isinstance(value, int):
        raise OrderShapeError("quantityOrdered is not a whole number", _l(
            "Amazon sent a quantity that is not a whole number for stock code %(sku)s.", sku=label))
    if not 1 <= value <= MAX_QUANTITY:
        raise OrderShapeError(f"quantityOrdered {value} is out of range", _l(
            "Amazon sent a quantity of %(quantity)s for stock code %(sku)s; 1 to %(max)s units per line are "
            "accepted.", quantity=_shown(value), sku=label, max=MAX_QUANTITY))
    return value


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
    details: OrderDetails = field(default_factory=OrderDetails)

    def lines_json(self) -> str:
        """The lines for the order page: no buyer data, amounts as exact strings."""
        return json.dumps([{"sku": line.sku, "title": line.title, "quantity": line.quantity,
                            "unit_price": str(line.unit_price)} for line in self.lines], ensure_ascii=False)

    def shop_order(self, number: str, *, known_skus: set[str], purged: bool = False,
                   backfilled: bool = False) -> ShopOrder:
        """The order for the shop; ``purged``: the buyer's data is gone (30 days after it closed);
        ``backfilled``: the first import found it already shipped or cancelled (no stock moves)."""
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
            reserve_stock=self.fulfillment_channel == "merchant" and not backfilled,
            **self.details.for_shop(purged=purged),
        )


def _breakdown(proceeds: dict, kind: str) -> Decimal | None:
    found = None
    for entry in _list(proceeds.get("breakdowns"), "proceeds.breakdowns"):
        entry = _object(entry, "proceeds.breakdowns")
        if entry.get("type") == kind:
            found = (found or Decimal("0")) + (money(entry.get("subtotal"), f"proceeds.{kind}") or Decimal("0"))
    return found


def _bounded(amount: Decimal, field: str) -> Decimal:
    if abs(amount) >= MAX_AMOUNT:
        raise OrderShapeError(f"{field} is out of range", _l(
            "Amazon sent an amount out of range (%(field)s: %(value)s).", field=field, value=_shown(str(amount))))
    return amount


def map_order(order: dict) -> MappedOrder:
    """The order as the shop receives it; raises OrderShapeError (with the admin's reason) when it is not fit.

    Every value the shop gets is checked here, so a malformed order is refused
    on its own before anything is written: quantities are whole numbers from 1
    to MAX_QUANTITY, amounts finite and below MAX_AMOUNT (unit prices not
    negative), names, addresses, phones, titles and SKUs text.
    """
    if not isinstance(order, dict):
        raise OrderShapeError("order is not an object", field="order")
    for key in ("orderId", "lastUpdatedTime", "orderItems"):
        if key not in order:
            raise OrderShapeError(f"order without {key}", _l("The order from Amazon lacks %(field)s.", field=key))
    order_id = order["orderId"]
    if not isinstance(order_id, str) or not ORDER_ID.match(order_id):
        raise OrderShapeError("orderId is not an Amazon order number", field="orderId")
    updated = time_field(order, "lastUpdatedTime", required=True)
    created = time_field(order, "createdTime", required=False)
    items = _list(order["orderItems"], "orderItems")
    fulfillment = _object(order.get("fulfillment"), "fulfillment")
    amazon_status = fulfillment.get("fulfillmentStatus")
    if not isinstance(amazon_status, str) or amazon_status not in STATUS_MAP:
        # A status Amazon added since: the importer keeps its cursor before this order (see importer).
        error = UnknownStatus if isinstance(amazon_status, str) else OrderShapeError
        raise error(f"order {order_id} has no known fulfillment status", _l(
            "Amazon sent an unknown order status (%(status)s).", status=_shown(amazon_status)))
    channel = "amazon" if fulfillment.get("fulfilledBy") == "AMAZON" else "merchant"

    lines: list[ShopOrderLine] = []
    currency = None
    items_total = Decimal("0")
    item_shipping = item_tax = None
    title_reason = _l("A product title from Amazon is not text.")
    for item in items:
        item = _object(item, "orderItems[]")
        product = _object(item.get("product"), "product")
        sku = _sku(product.get("sellerSku"))
        quantity = _quantity(item.get("quantityOrdered"), sku)
        price_info = _object(product.get("price"), "product.price")
        unit = _object(price_info.get("unitPrice"), "unitPrice")
        price = money(unit or None, "unitPrice")
        if price is not None and price < 0:
            raise OrderShapeError("unitPrice is negative", _l(
                "Amazon sent an amount out of range (%(field)s: %(value)s).", field="unitPrice",
                value=_shown(unit.get("amount"))))
        currency = currency or unit.get("currencyCode")
        item_proceeds = _object(item.get("proceeds"), "proceeds")
        if price is None:
            # No unit price: the item's proceeds divided by the quantity, when exact.
            total = money(item_proceeds.get("proceedsTotal"), "proceedsTotal")
            price = (total / quantity).quantize(CENT) if total is not None else Decimal("0")
        items_total += price * quantity
        for entry in _list(item_proceeds.get("breakdowns"), "proceeds.breakdowns"):
            entry = _object(entry, "proceeds.breakdowns")
            amount = money(entry.get("subtotal"), "proceeds.subtotal") or Decimal("0")
            if entry.get("type") == "SHIPPING":
                item_shipping = (item_shipping or Decimal("0")) + amount
            elif entry.get("type") == "TAX":
                item_tax = (item_tax or Decimal("0")) + amount
        title = _text(product.get("title"), "title", title_reason)
        asin = _text(product.get("asin"), "asin", title_reason)
        line_id = item.get("orderItemId")
        if line_id is not None and not isinstance(line_id, str):
            raise OrderShapeError("orderItemId is not text", field="orderItemId")
        lines.append(ShopOrderLine(
            sku=sku,
            title=title or sku or asin or "",
            quantity=quantity,
            unit_price=price,
            external_line_id=line_id,
        ))

    proceeds = _object(order.get("proceeds"), "proceeds")
    grand = _object(proceeds.get("grandTotal"), "grandTotal")
    currency = grand.get("currencyCode") or currency or "TRY"
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise OrderShapeError("currencyCode is not a currency code", _l(
            "Amazon sent an unknown currency code (%(value)s).", value=_shown(currency)))
    shipping = _breakdown(proceeds, "SHIPPING")
    tax = _breakdown(proceeds, "TAX")
    total = money(grand or None, "grandTotal")

    buyer = _object(order.get("buyer"), "buyer")
    recipient = _object(order.get("recipient"), "recipient")
    address = dict(_object(recipient.get("deliveryAddress"), "deliveryAddress")) or None
    address_reason = _l("The delivery address from Amazon is not text.")
    for key, value in (address or {}).items():
        _text(value, f"deliveryAddress.{key}", address_reason)
    phone = address.pop("phone", None) if address else None
    name = _text(buyer.get("buyerName"), "buyerName", _l("The buyer's name from Amazon is not text.")) \
        or (address or {}).get("name")
    total = total if total is not None else items_total + (shipping or item_shipping or 0)
    shipping = shipping if shipping is not None else (item_shipping or Decimal("0"))
    tax = tax if tax is not None else (item_tax or Decimal("0"))
    return MappedOrder(
        amazon_order_id=order_id,
        status=STATUS_MAP[amazon_status],
        amazon_status=amazon_status,
        fulfillment_channel=channel,
        currency=currency,
        total=_bounded(total, "total"),
        shipping=_bounded(shipping, "shipping"),
        tax=_bounded(tax, "tax"),
        created=created,
        updated=updated,
        customer_name=name,
        address=address,
        phone=phone,
        lines=lines,
        skus=[line.sku for line in lines if line.sku],
        details=read_details(order, status=amazon_status, channel=channel, address=address),
    )
