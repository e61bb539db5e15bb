"""Sending packages to Amazon: getOrder, then Orders v0 confirmShipment, once.

* The package row is marked "sending" in its own commit just before the call.
* Every send starts with getOrder (includedData PACKAGES): when Amazon already
  shows our packageReferenceId, the package is confirmed without a second
  call. A process killed between Amazon's 204 and our commit leaves the row in
  "sending"; the next run finds the package on Amazon and only records it.
* One sender per store at a time (the "shipments" lease), so a "sending" row
  seen by the lease holder belongs to an attempt that is over.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from ...i18n import in_turkish
from ...i18n import lazy_gettext as _l
from ...models import ImportedOrder, Store, SyncRun
from ...models.shipments import ShipmentOrder, ShipmentPackage
from ...spapi import (
    AuthorizationRevokedError,
    ForbiddenError,
    InvalidInputError,
    LWAError,
    NotFoundError,
    SPAPIError,
    UnauthorizedError,
)
from ...logsafe import log_failure
from ...shop import ORDER_SHIPPED
from .. import runs, session, state
from ..amazon import NotAuthorized, NotConfigured, calling_amazon, can_sync, mark_revoked
from .queries import refusal_reason
from .snapshot import CLIENT_OPTIONS, count_in_snapshot, fetch_order, save_snapshot

log = logging.getLogger("amazon_tr")

#: The kind of the shipment sender's sync runs and lease.
KIND = "shipments"
#: Waits before the 2nd, 3rd… attempt after a transient failure; then "failed".
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE_TTL = timedelta(minutes=5)
DUE_STATES = ("pending", "sending", "retry")


class _StopRun(Exception):
    """Nothing more can be sent for this store now (authorization, settings)."""


def _due(store_id: int, moment: datetime, skip: set[int]) -> ShipmentPackage | None:
    query = (select(ShipmentPackage)
             .where(ShipmentPackage.store_id == store_id, ShipmentPackage.state.in_(DUE_STATES),
                    (ShipmentPackage.next_attempt_at.is_(None)) | (ShipmentPackage.next_attempt_at <= moment))
             .order_by(ShipmentPackage.id))
    if skip:
        query = query.where(ShipmentPackage.id.not_in(skip))
    return session().scalars(query.limit(1)).first()


def _already_confirmed(package: ShipmentPackage) -> str:
    return _settle(package, "confirmed", status=204, message=in_turkish(
        _l("Amazon already had this package (confirmed by an earlier attempt).")))


def _send(client, package: ShipmentPackage) -> str:
    """One package through getOrder and confirmShipment; returns its new state. Commits."""
    db = session()
    order = db.get(ImportedOrder, package.order_id)
    package.state = "sending"
    package.attempts += 1
    package.sending_since = runs.now()
    package.updated_at = runs.now()
    db.commit()  # from here a crash leaves "sending": settled through getOrder next time

    try:
        snap = save_snapshot(order, fetch_order(client, order))
        if package.package_reference_id in snap.amazon_packages:
            return _already_confirmed(package)
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
            if package.package_reference_id in save_snapshot(order, fetch_order(client, order)).amazon_packages:
                return _already_confirmed(package)
            raise
        count_in_snapshot(snap, package.package_reference_id, lines)
    except (AuthorizationRevokedError, NotAuthorized, UnauthorizedError, ForbiddenError, NotConfigured) as exc:
        _settle(package, "retry", error=exc, next_at=runs.now() + BACKOFF[0])
        raise _StopRun() from exc
    except (InvalidInputError, NotFoundError) as exc:
        return _settle(package, "failed", error=exc)
    except SPAPIError as exc:
        if not exc.retryable and not isinstance(exc, LWAError):
            return _settle(package, "failed", error=exc)
        if package.attempts >= MAX_ATTEMPTS:
            return _settle(package, "failed", error=exc)
        return _settle(package, "retry", error=exc, next_at=runs.now() + BACKOFF[package.attempts - 1])
    return _settle(package, "confirmed", status=204, message=None)


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
    package.updated_at = runs.now()
    package.next_attempt_at = next_at
    if error is not None:
        package.last_status = getattr(error, "status", None)
        package.last_request_id = getattr(error, "request_id", None)
        package.last_message = ("; ".join(error.messages) or str(error)) if isinstance(error, SPAPIError) else \
            in_turkish(_l("The store is not authorized with Amazon."))
        if new_state == "retry" and isinstance(error, SPAPIError) and error.retryable:
            package.last_message = in_turkish(_l("Amazon did not take the confirmation this time; it is tried again "
                                                 "automatically.")) + " " + in_turkish(_l("Amazon's answer:")) + \
                " " + package.last_message
    else:
        package.last_status = status
        package.last_message = message
        package.last_request_id = None
    if new_state == "confirmed":
        package.confirmed_at = runs.now()
    session().commit()
    return new_state


#: Amazon's fulfillment status after a confirmation -> the state of the order in the shop.
SHIPPED_STATES = {"PARTIALLY_SHIPPED": "partially_shipped", "SHIPPED": "shipped"}


def mark_shipped(order: ImportedOrder | None) -> None:
    """After Amazon confirmed a package: the order's state as Amazon now has it, in our row and,
    when the adapter has ``order_shipped``, in the shop at once. Commits."""
    snap = session().get(ShipmentOrder, order.id) if order is not None else None
    new_state = SHIPPED_STATES.get(snap.fulfillment_status) if snap is not None else None
    if new_state is None or order.state in ("shipped", "cancelled") or order.state == new_state:
        return
    order.state = new_state
    order.amazon_status = snap.fulfillment_status
    order.updated_at = runs.now()
    if new_state == "shipped" and order.closed_at is None:
        order.closed_at = runs.now()  # the 30 days before personal data is purged start here
    session().commit()
    hook = getattr(state().shop, ORDER_SHIPPED, None)
    if hook is None or not order.shop_number:
        return
    try:
        hook(order.shop_number, new_state)
        session().commit()
    except Exception as exc:  # noqa: BLE001 - the confirmation stands; the next import tells the shop
        session().rollback()
        log_failure(log, "the shop's order_shipped for order %s failed", order.shop_number, exc=exc)


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
    if _due(store_id, runs.now(), set()) is None:
        return None
    try:
        token = runs.acquire_lease(store_id, KIND, ttl=LEASE_TTL)
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
                package = _due(store_id, runs.now(), seen)
                if package is None:
                    break
                seen.add(package.id)
                runs.renew_lease(store_id, KIND, token, ttl=LEASE_TTL)
                result = _send(client, package)
                counts[result] = counts.get(result, 0) + 1
                if result == "confirmed":
                    mark_shipped(db.get(ImportedOrder, package.order_id))
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
