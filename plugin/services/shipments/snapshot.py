"""What Amazon says of an order (getOrder): its items, fulfillment status and packages, never the buyer."""
from __future__ import annotations

import json

from ...i18n import in_turkish
from ...i18n import lazy_gettext as _l
from ...models import ImportedOrder, Store
from ...models.shipments import ShipmentOrder
from ...spapi import SPAPIError
from .. import messages, runs, session
from ..amazon import NotAuthorized, NotConfigured, calling_amazon, can_sync

#: What getOrder is asked for: the status and who fulfils it, and the packages Amazon has.
INCLUDED_DATA = ("FULFILLMENT", "PACKAGES")
#: Within one send the client retries a throttle or 5xx only briefly; longer
#: waits are the package's own backoff, so a button never hangs for minutes.
CLIENT_OPTIONS = {"max_retries": 2, "max_wait": 10.0}


def snapshot_of(order: ImportedOrder) -> ShipmentOrder | None:
    return session().get(ShipmentOrder, order.id)


def fetch_order(client, order: ImportedOrder) -> dict:
    """Amazon's order as getOrder returns it (under "order"), {} when the answer has none."""
    return client.get_order(order.amazon_order_id, included_data=list(INCLUDED_DATA)).get("order") or {}


def save_snapshot(order: ImportedOrder, amazon: dict) -> ShipmentOrder:
    """Keep items, channel, status and package ids; never the buyer's data. Does not commit."""
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
    snap.fetched_at = runs.now()
    return snap


def count_in_snapshot(snap: ShipmentOrder, reference: str, lines: list[dict]) -> None:
    """Amazon's view after a 204, without another getOrder: the units shipped and the new status."""
    items = snap.items
    for item in items:
        item["quantityFulfilled"] += sum(int(l["quantity"]) for l in lines if l["orderItemId"] == item["orderItemId"])
    snap.items_json = json.dumps(items, ensure_ascii=False)
    snap.amazon_packages_json = json.dumps(snap.amazon_packages + [reference])
    done = all(i["quantityFulfilled"] >= i["quantityOrdered"] for i in items)
    snap.fulfillment_status = "SHIPPED" if done else "PARTIALLY_SHIPPED"


def refresh_order(order: ImportedOrder) -> ShipmentOrder:
    """Ask Amazon (getOrder) for the order's items, status and packages; commits."""
    store = session().get(Store, order.store_id)
    with calling_amazon(store, **CLIENT_OPTIONS) as client:
        amazon = fetch_order(client, order)
    snap = save_snapshot(order, amazon)
    session().commit()
    return snap


def read_amazon_lines(order: ImportedOrder) -> str | None:
    """The admin's "Amazon'dan oku": read the order from Amazon now; None when done, else why not, in Turkish."""
    head = in_turkish(_l("Amazon's order lines could not be read:"))
    store = session().get(Store, order.store_id)
    if store is None or not can_sync(store):
        return head + " " + in_turkish(_l("The store is not authorized with Amazon."))
    try:
        refresh_order(order)
    except (SPAPIError, NotAuthorized, NotConfigured) as exc:
        session().rollback()
        # what happened, in the words used everywhere (a revoked grant says so); no raw HTTP codes on the page
        return head + " " + in_turkish(messages.headline(exc, "shipments"))
    return None
