"""Recording a shipment: the shop's signal and the admin's "Kargo bildir" form become a package row.

The package row, with its packageReferenceId, is committed before Amazon is
called (see sending). The shop announcing the same parcel twice (same carrier,
tracking number and lines) maps to the same row (unique signal key per order).
Orders fulfilled by Amazon and cancelled orders are refused before any row is
written, and re-checked against getOrder before the call.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...i18n import in_turkish
from ...i18n import lazy_gettext as _l
from ...models import ImportedOrder
from ...models.shipments import ShipmentOrder, ShipmentPackage
from ...spapi import SPAPIError
from .. import messages, runs, session
from ..amazon import NotAuthorized, NotConfigured
from .carriers import TEXT_MAX, carrier_key, known_key, resolve_carrier
from .errors import ShipmentRefused
from .queries import find_order, not_ready, refusal_reason, remaining
from .sending import send_due
from .snapshot import refresh_order, snapshot_of
from ...spapi.constants import MARKETPLACE_TZ as SHOP_TZ



@dataclass
class Line:
    quantity: int
    sku: str | None = None
    order_item_id: str | None = None


def _lines(lines: Iterable[Any] | None) -> list[Line] | None:
    if lines is None:
        return None
    out = []
    for raw in lines:
        if isinstance(raw, Line):
            out.append(raw)
            continue
        if isinstance(raw, dict):
            get = raw.get
        elif isinstance(raw, (tuple, list)):
            sku, qty = raw
            get = {"sku": sku, "quantity": qty}.get
        else:  # ShopOrderLine or any object with sku/quantity/external_line_id
            def get(name, _raw=raw):
                return getattr(_raw, name, None)
        item_id = get("order_item_id") or get("orderItemId") or get("external_line_id")
        try:
            quantity = int(get("quantity"))
        except (TypeError, ValueError):
            raise ShipmentRefused({"lines": _l("Give a whole number of units for each line.")}) from None
        out.append(Line(quantity=quantity, sku=get("sku"), order_item_id=str(item_id) if item_id else None))
    return out


def _as_utc(value: datetime | date | str | None) -> datetime:
    if value is None:
        return runs.now()
    if isinstance(value, str):
        try:
            text = value.strip()
            value = (date.fromisoformat(text) if len(text) == 10
                     else datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            raise ShipmentRefused({"ship_date": _l("Give the ship date as a date.")}) from None
    try:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=SHOP_TZ)  # the shop's clock is Turkish time
            return value.astimezone(timezone.utc)
        if isinstance(value, date):
            # A bare date: noon in Turkey, so it stays the same day in UTC.
            return datetime.combine(value, time(12, 0), tzinfo=SHOP_TZ).astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00 in Türkiye is before year 1 in UTC
        raise ShipmentRefused({"ship_date": _l("Give the ship date as a date.")}) from None
    raise ShipmentRefused({"ship_date": _l("Give the ship date as a date.")})


def _within_order(order: ImportedOrder, shipped_at: datetime) -> datetime:
    """The ship date Amazon gets: never after today or before the order's purchase (days in Türkiye).

    A day that is allowed but whose moment is not (noon today, still ahead; noon of the
    order's day, before the order was placed) is moved to now or to the purchase.
    """
    now = runs.now()
    day = shipped_at.astimezone(SHOP_TZ).date()
    if day > now.astimezone(SHOP_TZ).date():
        raise ShipmentRefused({"ship_date": _l("The ship date cannot be after today.")})
    bought = order.purchased_at
    if bought is not None:
        if day < bought.astimezone(SHOP_TZ).date():
            raise ShipmentRefused({"ship_date": _l(
                "The ship date cannot be before the order date (%(date)s).",
                date=bought.astimezone(SHOP_TZ).strftime("%d.%m.%Y"))})
        shipped_at = max(shipped_at, bought)
    return min(shipped_at, now)


def _resolve_lines(order: ImportedOrder, snap: ShipmentOrder | None, lines: list[Line] | None) -> list[dict]:
    """Our lines as [{"orderItemId", "sku", "title", "quantity"}]; orderItemId is None while unknown."""
    if snap is None:
        if lines is None or any(line.order_item_id is None and not line.sku for line in lines):
            raise ShipmentRefused({"lines": _l("Amazon's order lines are not known yet; try again in a moment.")})
        return [{"orderItemId": line.order_item_id, "sku": line.sku, "title": None, "quantity": line.quantity}
                for line in lines]
    left = remaining(order, snap)
    by_id = {item["orderItemId"]: item for item in snap.items}
    if lines is None:  # the whole rest of the order
        out = [{"orderItemId": i, "sku": by_id[i]["sku"], "title": by_id[i]["title"], "quantity": q}
               for i, q in left.items() if q > 0]
        if not out:
            raise ShipmentRefused({"lines": _l("Every unit of this order is already reported as shipped.")})
        return out
    out: list[dict] = []
    for line in lines:
        if line.quantity < 1:
            raise ShipmentRefused({"lines": _l("Give at least 1 unit for each line.")})
        if line.order_item_id:
            candidates = [line.order_item_id] if line.order_item_id in by_id else []
        else:
            candidates = [i["orderItemId"] for i in snap.items if line.sku and i["sku"] == line.sku]
        if not candidates:
            raise ShipmentRefused({"lines": _l("“%(line)s” is not a line of this Amazon order.",
                                               line=line.sku or line.order_item_id or "?")})
        wanted = line.quantity
        # One SKU may sit on several Amazon lines: fill them in order.
        for item_id in candidates:
            take = min(wanted, left.get(item_id, 0))
            if take:
                out.append({"orderItemId": item_id, "sku": by_id[item_id]["sku"], "title": by_id[item_id]["title"],
                            "quantity": take})
                left[item_id] -= take
                wanted -= take
        if wanted:
            raise ShipmentRefused({"lines": _l(
                "%(count)s more unit(s) of “%(line)s” than are still to ship.",
                count=wanted, line=line.sku or by_id[candidates[0]]["title"] or line.order_item_id)})
    return out


def _signal_key(carrier: str, tracking: str, lines: list[dict]) -> str:
    parts = sorted(f"{line.get('orderItemId') or line.get('sku')}:{line['quantity']}" for line in lines)
    raw = "|".join([known_key(carrier) or carrier_key(carrier), tracking.strip()] + parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _add_package(order: ImportedOrder, *, carrier: str, tracking_number: str, ship_date, lines,
                 source: str) -> ShipmentPackage:
    tracking = (tracking_number or "").strip()
    errors = {}
    if not tracking:
        errors["tracking_number"] = _l("Enter the tracking number.")
    elif len(tracking) > TEXT_MAX:
        errors["tracking_number"] = _l("Use at most 100 characters.")
    try:
        label, code, name = resolve_carrier(order.store_id, carrier)
    except ShipmentRefused as exc:
        errors.update(exc.errors)
    try:
        shipped_at = _within_order(order, _as_utc(ship_date))
    except ShipmentRefused as exc:
        errors.update(exc.errors)
    snap = snapshot_of(order)
    unread = None  # why Amazon's lines could not be read, when they could not
    if (not errors and order.fulfillment_channel != "amazon" and order.state != "cancelled"
            and (snap is None or not_ready(order, snap))):
        # The first package of an order: learn Amazon's lines (getOrder) so "everything" and SKUs resolve.
        # An order last seen unpaid is asked again: Amazon may have approved the payment since.
        try:
            snap = refresh_order(order)
        except (SPAPIError, NotAuthorized, NotConfigured) as exc:
            session().rollback()
            unread = exc
    reason = refusal_reason(order, snap)
    if reason is not None:
        errors["order"] = reason
    if errors:
        raise ShipmentRefused(errors)
    given = _lines(lines)
    # Keyed on what the shop said, not on what is left to ship: a repeated
    # signal must find its package even though its units are no longer open.
    asked = ([{"orderItemId": line.order_item_id, "sku": line.sku, "quantity": line.quantity} for line in given]
             if given is not None else [{"sku": "*", "quantity": 0}])
    key = _signal_key(label, tracking, asked)
    db = session()
    existing = db.scalar(select(ShipmentPackage).where(ShipmentPackage.order_id == order.id,
                                                       ShipmentPackage.signal_key == key))
    if existing is not None:
        return existing
    try:
        resolved = _resolve_lines(order, snap, given)
    except ShipmentRefused:
        if unread is None:
            raise
        # Say why the lines are unknown (a revoked grant, a timeout), not only that they are.
        raise ShipmentRefused({"lines": in_turkish(_l("Amazon's order lines could not be read:")) + " "
                               + in_turkish(messages.headline(unread, "shipments"))}) from None
    for _attempt in range(3):
        numbers = [int(r) for r in db.scalars(select(ShipmentPackage.package_reference_id)
                                              .where(ShipmentPackage.order_id == order.id)) if r.isdigit()]
        moment = runs.now()
        package = ShipmentPackage(
            store_id=order.store_id, order_id=order.id, amazon_order_id=order.amazon_order_id,
            package_reference_id=str(max(numbers, default=0) + 1), signal_key=key, source=source,
            carrier=label, carrier_code=code, carrier_name=name, tracking_number=tracking, ship_date=shipped_at,
            lines_json=json.dumps(resolved, ensure_ascii=False), state="pending", attempts=0,
            created_at=moment, updated_at=moment)
        db.add(package)
        try:
            db.commit()
            return package
        except IntegrityError:  # another signal took that reference id (or the same parcel) a moment ago
            db.rollback()
            existing = db.scalar(select(ShipmentPackage).where(ShipmentPackage.order_id == order.id,
                                                               ShipmentPackage.signal_key == key))
            if existing is not None:
                return existing
    raise RuntimeError("could not allocate a package reference id")


def record_shipment(order_number: str, carrier: str, tracking_number: str, ship_date=None, lines=None, *,
                    store_id: int | None = None, send: bool = True) -> ShipmentPackage:
    """The shop's signal: order ``order_number`` (the number the plugin gave the shop order)
    left with ``carrier`` under ``tracking_number``.

    ``lines``: None for everything still to ship, else items with a SKU (or
    Amazon's orderItemId as ``order_item_id`` / ``external_line_id``) and a
    quantity: dicts, ``(sku, quantity)`` pairs or ShopOrderLine objects. A
    partial shipment is its own package; call again for the rest.

    Raises :class:`ShipmentRefused` (Turkish messages per field) for an
    unknown order, an FBA or cancelled order, or lines that do not fit. With
    ``send`` the package is confirmed to Amazon at once; Amazon's answer is
    stored on the package, never raised into the shop.
    """
    order = find_order(order_number, store_id=store_id)
    if order is None:
        raise ShipmentRefused({"order": _l("No Amazon order has the number %(number)s.", number=order_number)})
    package = _add_package(order, carrier=carrier, tracking_number=tracking_number, ship_date=ship_date,
                           lines=lines, source="shop")
    if send:
        send_due(order.store_id, trigger="shop")
        session().refresh(package)
    return package


def cancellation_requested(order: ImportedOrder) -> bool:
    """The buyer asked Amazon to cancel the order (the order import keeps Amazon's CANCELLATION data)."""
    return bool(getattr(order, "cancellation_requested", False))


def record_manual(order: ImportedOrder, *, carrier: str, tracking_number: str, ship_date, lines,
                  send: bool = True, despite_cancel_request: bool = False) -> ShipmentPackage:
    """The admin's "Kargo bildir" form.

    For an order whose buyer asked to cancel it, the admin must say the parcel has left
    anyway: Amazon asks sellers to cancel such an order rather than ship it.
    """
    if cancellation_requested(order) and not despite_cancel_request:
        raise ShipmentRefused({"order": _l(
            "The buyer asked Amazon to cancel this order. Cancel it instead of shipping it; if the parcel has "
            "already left, tick the box below to report it anyway.")})
    package = _add_package(order, carrier=carrier, tracking_number=tracking_number, ship_date=ship_date,
                           lines=lines, source="manual")
    if send:
        send_due(order.store_id, trigger="manual")
        session().refresh(package)
    return package


def retry_package(package: ShipmentPackage) -> None:
    """The admin asks for another try of a failed package (after fixing the cause at Amazon)."""
    if package.state == "failed":
        package.state = "retry"
        package.attempts = 0
        package.next_attempt_at = None
        package.updated_at = runs.now()
        session().commit()
