"""Kargo bildirimi: tell Amazon that a seller-fulfilled order (or part of it) shipped.

The shop calls :func:`record_shipment` when it hands a parcel to the carrier;
the admin's "Kargo bildir" form calls :func:`record_manual`. Both write a
package row and then :func:`send_due` confirms it with Orders v0
confirmShipment.

How "exactly once" holds:

* The package row, with its packageReferenceId, is committed before Amazon is
  called, and marked "sending" in its own commit just before the call.
* Every send starts with getOrder (includedData PACKAGES): when Amazon already
  shows our packageReferenceId, the package is confirmed without a second
  call. A process killed between Amazon's 204 and our commit leaves the row in
  "sending"; the next run finds the package on Amazon and only records it.
* One sender per store at a time (the "shipments" lease), so a "sending" row
  seen by the lease holder belongs to an attempt that is over.
* The shop announcing the same parcel twice (same carrier, tracking number and
  lines) maps to the same row (unique signal key per order).

Orders fulfilled by Amazon and cancelled orders are refused before any row is
written, and re-checked against getOrder before the call.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..i18n import lazy_gettext as _l
from ..i18n import in_turkish
from ..models import ImportedOrder, Store, SyncRun
from ..models.shipments import ShipmentOrder, ShipmentPackage, ShipmentSettings
from ..spapi import (
    AuthorizationRevokedError,
    ForbiddenError,
    InvalidInputError,
    LWAError,
    NotFoundError,
    SPAPIError,
    UnauthorizedError,
)
from . import runs, session, state
from .amazon import NotAuthorized, NotConfigured, calling_amazon, can_sync, mark_revoked

log = logging.getLogger("amazon_tr")

KIND = "shipments"
SHOP_TZ = ZoneInfo("Europe/Istanbul")
#: Waits before the 2nd, 3rd… attempt after a transient failure; then "failed".
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
#: Within one send the client retries a throttle or 5xx only briefly; longer
#: waits are the package's own backoff, so a button never hangs for minutes.
CLIENT_OPTIONS = {"max_retries": 2, "max_wait": 10.0}

#: (key, label, Amazon carrierCode). Amazon's Orders v0 model lists no carrier
#: codes; the global ones it documents by example are used as codes, Turkish
#: carriers go as "Other" with their name unless the admin sets a code.
CARRIERS: tuple[tuple[str, str, str], ...] = (
    ("yurtici", "Yurtiçi Kargo", "Other"),
    ("aras", "Aras Kargo", "Other"),
    ("mng", "MNG Kargo", "Other"),
    ("ptt", "PTT Kargo", "Other"),
    ("surat", "Sürat Kargo", "Other"),
    ("hepsijet", "HepsiJet", "Other"),
    ("kolaygelsin", "Kolay Gelsin", "Other"),
    ("ups", "UPS", "UPS"),
    ("dhl", "DHL", "DHL"),
    ("fedex", "FedEx", "FedEx"),
)
OTHER = "other"
_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜâîû", "cgiosuCGIOSUaiu")


def carrier_key(text: str) -> str:
    """'Yurtiçi Kargo', 'YURTICI', 'yurtici-kargo' -> 'yurtici' (no Turkish case folding needed)."""
    plain = "".join(c for c in (text or "").translate(_ASCII).lower() if c.isalnum())
    for suffix in ("kargo", "cargo"):
        if plain.endswith(suffix) and plain != suffix:
            plain = plain[: -len(suffix)]
    return plain


class ShipmentRefused(ValueError):
    """The shipment cannot be confirmed as given; ``errors`` maps a field to a Turkish message."""

    def __init__(self, errors: dict) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors




def now() -> datetime:
    return state().clock.now()


# --- carriers ------------------------------------------------------------------------

def get_settings(store_id: int) -> ShipmentSettings | None:
    return session().get(ShipmentSettings, store_id)


def carrier_map(store_id: int) -> list[dict]:
    """The store's carriers: key, label, code and the name sent with "Other"."""
    overrides = (get_settings(store_id).carriers if get_settings(store_id) else {})
    out = []
    for key, label, code in CARRIERS:
        own = overrides.get(key) or {}
        out.append({"key": key, "label": label, "code": own.get("code") or code,
                    "name": own.get("name") or label, "default_code": code})
    return out


def save_carrier_map(store_id: int, values: dict[str, dict]) -> None:
    """``values``: key -> {"code", "name"}; only differences from the defaults are kept."""
    errors = {}
    kept = {}
    for key, label, code in CARRIERS:
        given = values.get(key) or {}
        new_code = (given.get("code") or "").strip() or code
        new_name = (given.get("name") or "").strip() or label
        if len(new_code) > 100 or len(new_name) > 100:
            errors[key] = _l("Use at most 100 characters.")
            continue
        entry = {}
        if new_code != code:
            entry["code"] = new_code
        if new_name != label:
            entry["name"] = new_name
        if entry:
            kept[key] = entry
    if errors:
        raise ShipmentRefused(errors)
    settings = get_settings(store_id)
    if settings is None:
        settings = ShipmentSettings(store_id=store_id)
        session().add(settings)
    settings.carriers = kept
    settings.updated_at = now()
    session().commit()


def resolve_carrier(store_id: int, carrier: str) -> tuple[str, str, str | None]:
    """(label, carrierCode, carrierName or None) for what the shop called the carrier."""
    text = (carrier or "").strip()
    if not text:
        raise ShipmentRefused({"carrier": _l("Choose the carrier.")})
    key = carrier_key(text)
    for entry in carrier_map(store_id):
        if key in (entry["key"], carrier_key(entry["label"])):
            code = entry["code"]
            return entry["label"], code, (entry["name"] if code == "Other" else None)
    if len(text) > 100:
        raise ShipmentRefused({"carrier": _l("Use at most 100 characters.")})
    # A carrier we have no row for: Amazon takes it as "Other" with its name.
    return text, "Other", text


# --- what Amazon says of the order ---------------------------------------------------------

def snapshot_of(order: ImportedOrder) -> ShipmentOrder | None:
    return session().get(ShipmentOrder, order.id)


def _save_snapshot(order: ImportedOrder, amazon: dict) -> ShipmentOrder:
    """Keep items, channel, status and package ids; never the buyer's data."""
    snap = snapshot_of(order)
    if snap is None:
        snap = ShipmentOrder(order_id=order.id)
        session().add(snap)
    ful = amazon.get("fulfillment") or {}
    snap.fulfillment_status = ful.get("fulfillmentStatus")
    snap.fulfilled_by = ful.get("fulfilledBy")
    items = []
    for item in amazon.get("orderItems") or []:
        product = item.get("product") or {}
        items.append({
            "orderItemId": item.get("orderItemId"), "sku": product.get("sellerSku"),
            "title": product.get("title"), "quantityOrdered": int(item.get("quantityOrdered") or 0),
            "quantityFulfilled": int((item.get("fulfillment") or {}).get("quantityFulfilled") or 0),
        })
    snap.items_json = json.dumps(items, ensure_ascii=False)
    snap.amazon_packages_json = json.dumps(
        [str(p.get("packageReferenceId")) for p in amazon.get("packages") or []])
    snap.fetched_at = now()
    return snap


def refresh_order(order: ImportedOrder, *, client=None) -> ShipmentOrder:
    """Ask Amazon (getOrder) for the order's items, status and packages; commits."""
    store = session().get(Store, order.store_id)
    if client is None:
        with calling_amazon(store, **CLIENT_OPTIONS) as fresh:
            data = fresh.get_order(order.amazon_order_id, included_data=["FULFILLMENT", "PACKAGES"])
    else:
        data = client.get_order(order.amazon_order_id, included_data=["FULFILLMENT", "PACKAGES"])
    snap = _save_snapshot(order, data.get("order") or {})
    session().commit()
    return snap


# --- recording a shipment ---------------------------------------------------------------

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
        return now()
    if isinstance(value, str):
        try:
            text = value.strip()
            value = (date.fromisoformat(text) if len(text) == 10
                     else datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            raise ShipmentRefused({"ship_date": _l("Give the ship date as a date.")}) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHOP_TZ)  # the shop's clock is Turkish time
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        # A bare date: noon in Turkey, so it stays the same day in UTC.
        return datetime.combine(value, time(12, 0), tzinfo=SHOP_TZ).astimezone(timezone.utc)
    raise ShipmentRefused({"ship_date": _l("Give the ship date as a date.")})


def shipped_by_us(order: ImportedOrder) -> dict[str, int]:
    """Units per orderItemId in our packages that are not failed."""
    done: dict[str, int] = {}
    for pkg in packages_of(order):
        if pkg.state == "failed":
            continue
        for line in pkg.lines:
            if line.get("orderItemId"):
                done[line["orderItemId"]] = done.get(line["orderItemId"], 0) + int(line["quantity"])
    return done


def remaining(order: ImportedOrder, snap: ShipmentOrder | None) -> dict[str, int]:
    """Units of each item still to ship, from Amazon's count and our own packages."""
    if snap is None:
        return {}
    ours = shipped_by_us(order)
    return {item["orderItemId"]: max(0, item["quantityOrdered"] - max(item["quantityFulfilled"],
                                                                        ours.get(item["orderItemId"], 0)))
            for item in snap.items}


def refusal_reason(order: ImportedOrder, snap: ShipmentOrder | None = None):
    """Why this order is never confirmed by us (a lazy message), or None."""
    snap = snap if snap is not None else snapshot_of(order)
    if order.fulfillment_channel == "amazon" or (snap is not None and snap.fulfilled_by == "AMAZON"):
        return _l("Amazon ships this order from its own warehouse (FBA): Amazon reports its shipment itself.")
    if order.state == "cancelled" or (snap is not None and snap.fulfillment_status == "CANCELLED"):
        return _l("The order is cancelled: no shipment is reported for it.")
    return None


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
    raw = "|".join([carrier_key(carrier), tracking.strip()] + parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def order_of(store_id: int, order_id: int) -> ImportedOrder | None:
    order = session().get(ImportedOrder, order_id)
    return order if order is not None and order.store_id == store_id else None


def package_of(store_id: int, package_id: int) -> ShipmentPackage | None:
    package = session().get(ShipmentPackage, package_id)
    return package if package is not None and package.store_id == store_id else None


def orders_with_packages(store_id: int, limit: int = 200) -> tuple[list[ImportedOrder], dict[int, list]]:
    """The store's newest Amazon orders and, per order id, its packages."""
    orders = list(session().scalars(select(ImportedOrder).where(ImportedOrder.store_id == store_id)
                                    .order_by(ImportedOrder.purchased_at.desc(), ImportedOrder.id.desc())
                                    .limit(limit)))
    packages: dict[int, list[ShipmentPackage]] = {}
    if orders:
        for pkg in session().scalars(select(ShipmentPackage).where(
                ShipmentPackage.order_id.in_([o.id for o in orders])).order_by(ShipmentPackage.id)):
            packages.setdefault(pkg.order_id, []).append(pkg)
    return orders, packages


def read_amazon_lines(order: ImportedOrder) -> str | None:
    """Fetch Amazon's lines of an order not seen yet; None when done (or nothing to do), else why not, in Turkish."""
    store = session().get(Store, order.store_id)
    if snapshot_of(order) is not None or not can_sync(store):
        return None
    try:
        refresh_order(order)
    except (SPAPIError, NotAuthorized, NotConfigured) as exc:
        session().rollback()
        text = in_turkish(_l("Amazon's order lines could not be read:")) + " " + in_turkish(
            _l("Amazon could not be reached or answered with an error; try again later."))
        messages = getattr(exc, "messages", None)
        if messages:
            text += " " + in_turkish(_l("Amazon's answer:")) + " " + "; ".join(str(m) for m in messages)
        return text
    return None


def packages_of(order: ImportedOrder) -> list[ShipmentPackage]:
    return list(session().scalars(select(ShipmentPackage).where(ShipmentPackage.order_id == order.id)
                                  .order_by(ShipmentPackage.id)))


def find_order(order_number: str, *, store_id: int | None = None) -> ImportedOrder | None:
    query = select(ImportedOrder).where(ImportedOrder.shop_number == order_number)
    if store_id is not None:
        query = query.where(ImportedOrder.store_id == store_id)
    return session().scalars(query.order_by(ImportedOrder.id)).first()


def _add_package(order: ImportedOrder, *, carrier: str, tracking_number: str, ship_date, lines,
                 source: str) -> ShipmentPackage:
    tracking = (tracking_number or "").strip()
    errors = {}
    if not tracking:
        errors["tracking_number"] = _l("Enter the tracking number.")
    elif len(tracking) > 100:
        errors["tracking_number"] = _l("Use at most 100 characters.")
    try:
        label, code, name = resolve_carrier(order.store_id, carrier)
    except ShipmentRefused as exc:
        errors.update(exc.errors)
    try:
        shipped_at = _as_utc(ship_date)
    except ShipmentRefused as exc:
        errors.update(exc.errors)
    snap = snapshot_of(order)
    if snap is None and not errors and order.fulfillment_channel != "amazon" and order.state != "cancelled":
        # The first package of an order: learn Amazon's lines (getOrder) so "everything" and SKUs resolve.
        try:
            snap = refresh_order(order)
        except (SPAPIError, NotAuthorized, NotConfigured):
            session().rollback()
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
    resolved = _resolve_lines(order, snap, given)
    for _attempt in range(3):
        numbers = [int(r) for r in db.scalars(select(ShipmentPackage.package_reference_id)
                                              .where(ShipmentPackage.order_id == order.id)) if r.isdigit()]
        moment = now()
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


def record_manual(order: ImportedOrder, *, carrier: str, tracking_number: str, ship_date, lines,
                  send: bool = True) -> ShipmentPackage:
    """The admin's "Kargo bildir" form."""
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
        package.updated_at = now()
        session().commit()


# --- sending ----------------------------------------------------------------------------

def _due(store_id: int, moment: datetime, skip: set[int]) -> ShipmentPackage | None:
    query = (select(ShipmentPackage)
             .where(ShipmentPackage.store_id == store_id,
                    ShipmentPackage.state.in_(("pending", "sending", "retry")),
                    (ShipmentPackage.next_attempt_at.is_(None)) | (ShipmentPackage.next_attempt_at <= moment))
             .order_by(ShipmentPackage.id))
    if skip:
        query = query.where(ShipmentPackage.id.not_in(skip))
    return session().scalars(query.limit(1)).first()


def due_count(store_id: int) -> int:
    return session().scalar(select(func.count(ShipmentPackage.id)).where(
        ShipmentPackage.store_id == store_id, ShipmentPackage.state.in_(("pending", "sending", "retry")))) or 0


def _amazon_text(exc: SPAPIError) -> str:
    text = "; ".join(exc.messages) or str(exc)
    return text


class _StopRun(Exception):
    """Nothing more can be sent for this store now (authorization, settings)."""


def _send(client, package: ShipmentPackage) -> str:
    """One package through getOrder and confirmShipment; returns its new state. Commits."""
    db = session()
    order = db.get(ImportedOrder, package.order_id)
    package.state = "sending"
    package.attempts += 1
    package.sending_since = now()
    package.updated_at = now()
    db.commit()  # from here a crash leaves "sending": settled through getOrder next time

    try:
        amazon = client.get_order(package.amazon_order_id, included_data=["FULFILLMENT", "PACKAGES"]).get("order") or {}
        snap = _save_snapshot(order, amazon)
        if package.package_reference_id in snap.amazon_packages:
            return _settle(package, "confirmed", status=204, message=in_turkish(
                _l("Amazon already had this package (confirmed by an earlier attempt).")))
        reason = refusal_reason(order, snap)
        if reason is not None:
            return _settle(package, "failed", message=in_turkish(reason))
        lines = _bind_items(package, snap)
        if lines is None:
            return _settle(package, "failed", message=in_turkish(
                _l("A line of this package is not on the Amazon order any more.")))
        detail = {
            "packageReferenceId": package.package_reference_id,
            "carrierCode": package.carrier_code,
            "trackingNumber": package.tracking_number,
            "shipDate": package.ship_date,
            "orderItems": [{"orderItemId": line["orderItemId"], "quantity": int(line["quantity"])} for line in lines],
        }
        if package.carrier_name and package.carrier_code == "Other":
            detail["carrierName"] = package.carrier_name
        try:
            client.confirm_shipment(package.amazon_order_id, package_detail=detail)
        except InvalidInputError:
            # An attempt that timed out may have reached Amazon before the client sent it
            # again; Amazon then refuses the repeat, and the package is in fact confirmed.
            amazon = client.get_order(package.amazon_order_id,
                                      included_data=["FULFILLMENT", "PACKAGES"]).get("order") or {}
            if package.package_reference_id in _save_snapshot(order, amazon).amazon_packages:
                return _settle(package, "confirmed", status=204, message=in_turkish(
                    _l("Amazon already had this package (confirmed by an earlier attempt).")))
            raise
        _count_in_snapshot(snap, package.package_reference_id, lines)
    except (AuthorizationRevokedError, NotAuthorized, UnauthorizedError, ForbiddenError, NotConfigured) as exc:
        _settle(package, "retry", error=exc, next_at=now() + BACKOFF[0])
        raise _StopRun() from exc
    except (InvalidInputError, NotFoundError) as exc:
        return _settle(package, "failed", error=exc)
    except SPAPIError as exc:
        if not exc.retryable and not isinstance(exc, LWAError):
            return _settle(package, "failed", error=exc)
        if package.attempts >= MAX_ATTEMPTS:
            return _settle(package, "failed", error=exc)
        return _settle(package, "retry", error=exc, next_at=now() + BACKOFF[package.attempts - 1])
    return _settle(package, "confirmed", status=204, message=None)


def _count_in_snapshot(snap: ShipmentOrder, reference: str, lines: list[dict]) -> None:
    """Amazon's view after a 204, without another getOrder: the units shipped and the new status."""
    items = snap.items
    for item in items:
        item["quantityFulfilled"] += sum(int(l["quantity"]) for l in lines if l["orderItemId"] == item["orderItemId"])
    snap.items_json = json.dumps(items, ensure_ascii=False)
    snap.amazon_packages_json = json.dumps(snap.amazon_packages + [reference])
    done = all(i["quantityFulfilled"] >= i["quantityOrdered"] for i in items)
    snap.fulfillment_status = "SHIPPED" if done else "PARTIALLY_SHIPPED"


def _bind_items(package: ShipmentPackage, snap: ShipmentOrder) -> list[dict] | None:
    """Lines recorded before Amazon's item ids were known get them now (by SKU)."""
    lines = package.lines
    if all(line.get("orderItemId") for line in lines):
        known = {item["orderItemId"] for item in snap.items}
        return lines if all(line["orderItemId"] in known for line in lines) else None
    bound = []
    for line in lines:
        if line.get("orderItemId"):
            bound.append(line)
            continue
        match = next((i for i in snap.items if i["sku"] == line.get("sku")), None)
        if match is None:
            return None
        bound.append({**line, "orderItemId": match["orderItemId"], "title": match["title"]})
    package.lines_json = json.dumps(bound, ensure_ascii=False)
    return bound


def _settle(package: ShipmentPackage, new_state: str, *, status: int | None = None, message: str | None = None,
            error: BaseException | None = None, next_at: datetime | None = None) -> str:
    package.state = new_state
    package.updated_at = now()
    package.next_attempt_at = next_at
    if error is not None:
        package.last_status = getattr(error, "status", None)
        package.last_request_id = getattr(error, "request_id", None)
        package.last_message = _amazon_text(error) if isinstance(error, SPAPIError) else in_turkish(
            _l("The store is not authorized with Amazon."))
        if new_state == "retry" and isinstance(error, SPAPIError) and error.retryable:
            package.last_message = in_turkish(_l("Amazon did not take the confirmation this time; it is tried again "
                                                 "automatically.")) + " " + in_turkish(_l("Amazon's answer:")) + \
                " " + package.last_message
    else:
        package.last_status = status
        package.last_message = message
        package.last_request_id = None
    if new_state == "confirmed":
        package.confirmed_at = now()
    session().commit()
    return new_state


def describe_failure(package: ShipmentPackage, order_number: str | None) -> str:
    head = in_turkish(_l("Order %(order)s, package %(package)s was not confirmed to Amazon.",
                         order=order_number or package.amazon_order_id, package=package.package_reference_id))
    if package.last_message:
        head += " " + in_turkish(_l("Amazon's answer:")) + " " + package.last_message
    return head


def send_due(store_id: int, *, trigger: str = "scheduler") -> SyncRun | None:
    """Confirm every package of the store that is due; one run in the sync history.

    Returns None when nothing was due, the store may not call Amazon (passive,
    not authorized) or another sender holds the store's lease.
    """
    db = session()
    store = db.get(Store, store_id)
    if store is None or not can_sync(store):
        return None
    if _due(store_id, now(), set()) is None:
        return None
    try:
        token = runs.acquire_lease(store_id, KIND, ttl=timedelta(minutes=5))
    except runs.LeaseBusy:
        return None
    run = runs.start_run(store_id, KIND, trigger=trigger)
    counts = {"confirmed": 0, "failed": 0, "retry": 0}
    failures: list[str] = []
    error = None
    try:
        with calling_amazon(store, **CLIENT_OPTIONS) as client:
            seen: set[int] = set()
            while True:
                package = _due(store_id, now(), seen)
                if package is None:
                    break
                seen.add(package.id)
                runs.renew_lease(store_id, KIND, token, ttl=timedelta(minutes=5))
                result = _send(client, package)
                counts[result] = counts.get(result, 0) + 1
                if result == "failed":
                    order = db.get(ImportedOrder, package.order_id)
                    failures.append(describe_failure(package, order.shop_number if order else None))
    except _StopRun as stop:
        cause = stop.__cause__
        if isinstance(cause, AuthorizationRevokedError):
            # _send caught it before calling_amazon could: the store must still show it is revoked
            mark_revoked(store)
        error = in_turkish(_l("Amazon no longer accepts this store's authorization: authorize the store again."))
        if isinstance(cause, SPAPIError):
            error += " " + in_turkish(_l("Amazon's answer:")) + " " + str(cause)
    except (NotAuthorized, AuthorizationRevokedError, NotConfigured) as exc:
        error = in_turkish(_l("Amazon no longer accepts this store's authorization: authorize the store again."))
        log.warning("shipment confirmations of store %s stopped: %s", store_id, type(exc).__name__)
    finally:
        runs.release_lease(store_id, KIND, token)
    runs.progress(run, **counts)
    if error is None and failures:
        error = "\n".join(failures)
    return runs.finish_run(run, error=error)
